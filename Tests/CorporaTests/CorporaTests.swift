import Common
import Foundation
import Testing
@testable import Corpora

/// The repository's corpora root; tests that read real text run only once
/// `bash scripts/install-corpora.sh` has filled it.
let corporaRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent(".cache/corpora/raw", isDirectory: true)
let corporaInstalled = FileManager.default.fileExists(atPath: corporaRoot.path)

@Suite struct CatalogTests {
    @Test func atLeastTenDistinctSources() {
        let names = CorpusCatalog.sources.map(\.name)
        #expect(names.count >= 10)
        #expect(Set(names).count == names.count)
        #expect(Set(CorpusCatalog.sources.flatMap(\.packages)).count >= 10)
        for source in CorpusCatalog.sources {
            #expect(!source.packages.isEmpty && !source.files.isEmpty, "\(source.name)")
        }
    }

    @Test func unknownSourceNamesTheKnownOnes() {
        #expect(throws: CorpusError.self) { try Corpus.load("no-such-corpus", root: corporaRoot) }
        do {
            _ = try Corpus.load("no-such-corpus", root: corporaRoot)
        } catch {
            #expect(String(describing: error).contains("bible-kjv"))
        }
    }

    @Test func missingFilesNameSourcePackageFileAndCommand() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-no-corpora-\(getpid())")
        for source in CorpusCatalog.sources {
            do {
                _ = try Corpus.load(source.name, root: empty)
                Issue.record("\(source.name) loaded from an empty root")
            } catch let error as CorpusError {
                guard case let .missingFile(name, packages, path) = error else {
                    Issue.record("unexpected \(error)"); continue
                }
                #expect(name == source.name)
                #expect(packages == source.packages)
                #expect(path.hasPrefix(empty.path))
                let sentence = error.description
                #expect(sentence.contains(source.name) && sentence.contains(source.packages[0]))
                #expect(sentence.contains("bash scripts/install-corpora.sh"))
            }
        }
    }
}

@Suite struct SplitTests {
    @Test func proportionsSumToHundred() {
        #expect(CorpusSplit.allCases.map(\.percent).reduce(0, +) == 100)
    }

    @Test func splitDependsOnlyOnText() {
        let source = CorpusCatalog.sources[0]
        let docs = (0..<2000).map { "document number \($0)" }
        let a = Corpus(source: source, documents: docs)
        let b = Corpus(source: source, documents: docs.reversed())
        for (doc, split) in zip(a.documents, a.splits) {
            #expect(CorpusSplit.of(doc) == split)
        }
        #expect(Set(a.documents(in: .heldout)) == Set(b.documents(in: .heldout)))
        // Proportions within 3 points of 80/10/10 on 2,000 documents.
        for split in CorpusSplit.allCases {
            let share = Double(a.documents(in: split).count) / 2000 * 100
            #expect(abs(share - Double(split.percent)) < 3, "\(split): \(share)%")
        }
    }

    @Test func duplicatesAndEmptiesAreDropped() {
        let c = Corpus(source: CorpusCatalog.sources[0], documents: ["a b", "", "c", "a b"])
        #expect(c.documents == ["a b", "c"])
    }

    @Test func cappedTextIsASubsetWithinTheCap() {
        let docs = (0..<500).map { "doc \($0) " + String(repeating: "x", count: $0 % 37) }
        let c = Corpus(source: CorpusCatalog.sources[0], documents: docs)
        let full = c.text(in: .train)
        #expect(full.utf8.count == c.byteCount(in: .train) + 2 * (c.documents(in: .train).count - 1))
        var previous: Set<Substring> = []
        for cap in [0, 50, 1000, 5000, 100_000] {
            let text = c.text(in: .train, maxBytes: cap)
            #expect(text.utf8.count <= cap)
            #expect(text == c.text(in: .train, maxBytes: cap))
            let parts = Set(text.split(separator: "\n\n"))
            #expect(parts.isSubset(of: Set(full.split(separator: "\n\n"))))
            #expect(previous.isSubset(of: parts))
            previous = parts
        }
        #expect(c.text(in: .train, maxBytes: 100_000) == full)
    }
}
