import Common
@testable import Calibration
import Corpora
import Foundation
import Simulation
import Testing
@testable import Workflow

@Suite struct CalibrationTextTests {
    static func file(_ contents: Data) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-calibration-text-\(UUID().uuidString).txt").path
        try contents.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aFileIsSplitIntoItsBlankLineSeparatedParagraphs() throws {
        // Twelve paragraphs, with Windows line ends, runs of blank lines and blank-only lines between them.
        let paragraphs = (1...12).map { "paragraph \($0)\nsecond line of \($0)" }
        let text = paragraphs.enumerated().map { $0 % 3 == 0 ? $1.replacingOccurrences(of: "\n", with: "\r\n") : $1 }
            .joined(separator: "\n\n  \n\n")
        let path = try Self.file(Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try CalibrationText.file(path).documents() == paragraphs)
    }

    @Test func unusableFilesAreErrorsThatNameThem() throws {
        let short = try Self.file(Data("a\n\nb\n\nc".utf8))
        let binary = try Self.file(Data([0xff, 0xfe, 0x00, 0xc3]))
        defer { for p in [short, binary] { try? FileManager.default.removeItem(atPath: p) } }
        #expect(throws: CalibrationTextError.tooShort(path: short, documents: 3)) { try CalibrationText.file(short).documents() }
        #expect(throws: CalibrationTextError.unreadable(path: binary, reason: "it is not UTF-8 text")) {
            try CalibrationText.file(binary).documents()
        }
        do {
            _ = try CalibrationText.file("/nonexistent/calibration.txt").documents()
            Issue.record("a missing file was read")
        } catch let error as CalibrationTextError {
            #expect("\(error)".hasPrefix("calibration text /nonexistent/calibration.txt: cannot be read"))
        }
    }

    @Test func theBuiltInTextNamesTheCorporaItLacks() {
        struct Missing: Error, CustomStringConvertible { var description: String { "corpus licenses is not installed" } }
        do {
            _ = try CalibrationText.builtIn.documents(corpus: { _ in throw Missing() })
            Issue.record("no error without corpora")
        } catch let error as CalibrationTextError {
            let message = "\(error)"
            #expect(message.contains(CalibrationText.defaultCorpora.joined(separator: ", ")) && message.contains("--calibration-text FILE"))
            #expect(message.hasSuffix("corpus licenses is not installed"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    /// The built-in text is real corpus text (after `bash scripts/install-corpora.sh`), the
    /// demo's exclusion drops a corpus's documents, and excluding all of them is an error.
    @Test func theBuiltInTextIsTheFineTuningSplitOfItsCorporaLessTheExcludedOnes() throws {
        let load = { (name: String) in try Corpus.load(name, root: DefaultPoolTests.root) }
        let all = try CalibrationText.builtIn.documents(corpus: load)
        let bofh = CalibrationText.split(try load("bofh-excuses").text(in: .finetune))
        let devref = CalibrationText.split(try load("developers-reference").text(in: .finetune, maxBytes: CalibrationText.bytesPerCorpus))
        #expect(all == devref + bofh)
        #expect(all.count >= CalibrationText.minimumDocuments)
        #expect(try CalibrationText.builtIn.documents(corpus: load, excluding: ["developers-reference"]) == bofh)
        #expect(throws: CalibrationTextError.everyCorpusExcluded(CalibrationText.defaultCorpora)) {
            try CalibrationText.builtIn.documents(corpus: load, excluding: Set(CalibrationText.defaultCorpora))
        }
    }

    /// No shipped zoo fine-tunes any model on a built-in calibration corpus: the zoos use the
    /// same fine-tuning split, so calibration would see near copies of evaluated fine-tunes.
    @Test func noShippedZooFineTunesOnTheBuiltInCalibrationText() throws {
        let zoos = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Experiments/zoos")
        let specs = try FileManager.default.contentsOfDirectory(atPath: zoos.path).filter { $0.hasSuffix(".json") }
        #expect(specs.count >= 2)
        for file in specs {
            let spec = try JSONDecoder().decode(ZooSpec.self, from: Data(contentsOf: zoos.appendingPathComponent(file)))
            #expect(spec.fineTuningDomains.isDisjoint(with: CalibrationText.defaultCorpora), "\(file) fine-tunes on a calibration corpus")
        }
        // The neural zoos (`neural/`, built by the worker): every model's `domain`.
        let neural = zoos.appendingPathComponent("neural")
        for file in try FileManager.default.contentsOfDirectory(atPath: neural.path).filter({ $0.hasSuffix(".json") }) {
            guard case .object(let fields) = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: neural.appendingPathComponent(file))) else {
                Issue.record("\(file) is not a JSON object"); continue
            }
            let models = ["bases", "references", "fineTunes"].flatMap { role -> [JSONValue] in
                if case .array(let list)? = fields[role] { return list } else { return [] }
            }
            let domains = models.compactMap { model -> String? in
                if case .object(let m) = model, case .string(let d)? = m["domain"] { return d } else { return nil }
            }
            #expect(!domains.isEmpty && Set(domains).isDisjoint(with: CalibrationText.defaultCorpora), "\(file) fine-tunes on a calibration corpus")
        }
    }
}
