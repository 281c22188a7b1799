import Common
import Foundation

/// A cleaned corpus: its documents (paragraph or entry units of natural text) in source
/// order, each assigned to a `CorpusSplit` by a stable hash of its text.
///
/// ```swift
/// let bible = try Corpus.load("bible-kjv")
/// let train = bible.documents(in: .train)                  // [String]
/// let domain = bible.text(in: .finetune, maxBytes: 200_000) // documents joined by "\n\n"
/// ```
public struct Corpus: Sendable {
    /// The catalogue entry this corpus was loaded from.
    public let source: CorpusSource
    /// Every distinct cleaned document, in the order of the source files (duplicates of
    /// an earlier document are dropped).
    public let documents: [String]
    /// `splits[i]` is the part of `documents[i]`.
    public let splits: [CorpusSplit]

    /// Builds a corpus from already-cleaned documents (drops empty ones and repeats).
    public init(source: CorpusSource, documents: [String]) {
        var seen = Set<String>()
        var kept: [String] = []
        for d in documents where !d.isEmpty && seen.insert(d).inserted {
            kept.append(d)
        }
        self.source = source
        self.documents = kept
        self.splits = kept.map(CorpusSplit.of)
    }

    /// Loads and cleans the catalogue source called `name` from `root` (default:
    /// `CorpusCatalog.defaultRoot()`). Throws `CorpusError` naming the missing file and
    /// the install command when the corpus is not installed.
    public static func load(_ name: String, root: URL? = nil) throws -> Corpus {
        guard let source = CorpusCatalog.source(named: name) else {
            throw CorpusError.unknownSource(name: name, known: CorpusCatalog.sources.map(\.name))
        }
        return try load(source, root: root)
    }

    /// Loads and cleans `source` from `root` (default: `CorpusCatalog.defaultRoot()`).
    public static func load(_ source: CorpusSource, root: URL? = nil) throws -> Corpus {
        let base = root ?? CorpusCatalog.defaultRoot()
        var documents: [String] = []
        for file in try source.resolvedFiles(root: base) {
            documents += try TextCleaning.documents(of: file, format: source.format, source: source.name)
        }
        return Corpus(source: source, documents: documents)
    }

    /// The documents of one part, in source order.
    public func documents(in split: CorpusSplit) -> [String] {
        zip(documents, splits).compactMap { $0.1 == split ? $0.0 : nil }
    }

    /// Total UTF-8 bytes of the documents of one part (separators not counted).
    public func byteCount(in split: CorpusSplit) -> Int {
        zip(documents, splits).reduce(0) { $1.1 == split ? $0 + $1.0.utf8.count : $0 }
    }

    /// The documents of one part joined by a blank line (`"\n\n"`).
    ///
    /// With `maxBytes`, a deterministic sample of whole documents whose joined text is at
    /// most `maxBytes` UTF-8 bytes: documents are considered in the order of a salted
    /// stable hash (a fixed pseudo-random order spread over the whole corpus, not its
    /// beginning), each one that still fits is taken, and the chosen documents are then
    /// emitted in source order. The same corpus and cap always give the same text, and a
    /// larger cap gives a superset.
    public func text(in split: CorpusSplit, maxBytes: Int? = nil) -> String {
        let docs = documents(in: split)
        guard let maxBytes else { return docs.joined(separator: "\n\n") }
        let order = docs.indices.sorted {
            let a = CorpusHash.hash(docs[$0], salt: 1), b = CorpusHash.hash(docs[$1], salt: 1)
            return a != b ? a < b : $0 < $1
        }
        var chosen: [Int] = []
        var used = 0
        for i in order {
            let cost = docs[i].utf8.count + (chosen.isEmpty ? 0 : 2)
            if used + cost <= maxBytes {
                chosen.append(i)
                used += cost
            }
        }
        return chosen.sorted().map { docs[$0] }.joined(separator: "\n\n")
    }
}

extension CorpusSource {
    /// The concrete files of this source under `root`, directories expanded (sorted).
    /// Throws `CorpusError.missingFile` for the first one absent.
    public func resolvedFiles(root: URL) throws -> [URL] {
        let fm = FileManager.default
        var result: [URL] = []
        for entry in files {
            let url = root.appendingPathComponent(entry)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw CorpusError.missingFile(source: name, packages: packages, path: url.path)
            }
            if isDirectory.boolValue {
                let found = (fm.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey])?
                    .compactMap { $0 as? URL } ?? [])
                    .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
                    .sorted { $0.path < $1.path }
                if found.isEmpty {
                    throw CorpusError.missingFile(source: name, packages: packages, path: url.path + " (empty)")
                }
                result += found
            } else {
                result.append(url)
            }
        }
        return result
    }
}
