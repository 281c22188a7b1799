/// One named corpus: where its text comes from and how to clean it.
///
/// `files` are paths relative to the corpora root (by default `.cache/corpora/raw/`,
/// filled by `bash scripts/install-corpora.sh`). A path ending in `/` names a directory:
/// all regular files in it, in sorted order, recursively.
public struct CorpusSource: Sendable, Hashable, Identifiable {
    /// Stable short name, e.g. `"bible-kjv"`; the key for `Corpus.load(_:root:)`.
    public let name: String
    /// The Debian packages the text comes from (the first is the one that matters most).
    public let packages: [String]
    /// Files or directories (trailing `/`) relative to the corpora root.
    public let files: [String]
    /// How the raw files are parsed into documents.
    public let format: CorpusFormat
    /// One line about the text, for tables and READMEs.
    public let summary: String

    public var id: String { name }

    public init(name: String, packages: [String], files: [String], format: CorpusFormat, summary: String) {
        self.name = name
        self.packages = packages
        self.files = files
        self.format = format
        self.summary = summary
    }
}

/// The raw layouts the Corpora module knows how to clean. Each yields documents
/// (paragraph or entry units) of natural text with the markup removed.
public enum CorpusFormat: String, Sendable, Hashable, CaseIterable {
    /// `bible -l` output: chapter headings and numbered verses; one document a chapter,
    /// one verse a line, verse numbers removed.
    case bibleChapters
    /// dictd `.dict` + `.index` pairs (the `.index` is listed): one document an entry,
    /// cross-reference braces, pronunciations and source tags removed, lines reflowed.
    case dictionary
    /// fortune files (`%` separated): one document a cookie, line breaks kept.
    case fortunes
    /// Plain text manuals and licences: one document a prose paragraph, reflowed;
    /// headings, tables, rules and code-like paragraphs dropped.
    case plainText
    /// GNU Info files: node headers and menus removed, then as `plainText`.
    case info
    /// roff manual page sources: one document a section (`.SH`), formatting escapes
    /// and macros removed, examples and tables dropped, paragraphs one a line.
    case manPage
}
