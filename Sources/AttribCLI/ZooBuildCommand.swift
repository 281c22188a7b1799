import ArgumentParser
import Corpora
import Foundation
import Simulation

/// `attrib zoo build SPEC --out DIR`: builds (and caches) every model of a zoo spec.
struct ZooBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build every model of a zoo spec into DIR and write DIR/manifest.json.",
        discussion: """
            Models are cached under DIR/models by a hash of their full recipe: a second build
            of the same spec reuses every file. The same spec gives byte-identical models.
            Corpora come from `bash scripts/install-corpora.sh` (override with --corpora).
            """)

    @Argument(help: "Zoo specification (JSON), e.g. Experiments/zoos/round1-like.json.") var spec: String
    @Option(help: "Output directory.") var out: String
    @Option(help: "Root of the installed corpora (default: $ATTRIB_CORPORA_ROOT or .cache/corpora/raw).") var corpora: String?
    @Flag(help: "Print the answer key in the summary.") var showAnswers = false

    func run() throws {
        let known = Set(CorpusCatalog.sources.map(\.name))
        let zooSpec: ZooSpec
        do {
            zooSpec = try ZooSpec.load(contentsOf: URL(fileURLWithPath: spec), knownCorpora: known)
        } catch let error as ZooSpecError {
            throw CommandFailure(error.description)
        }
        let root = corpora.map { URL(fileURLWithPath: $0) }
        let builder = ZooBuilder(spec: zooSpec) { try Corpus.load($0, root: root) }
        let report: ZooBuilder.Report
        do {
            report = try builder.build(into: URL(fileURLWithPath: out)) { print($0) }
        } catch let error as CustomStringConvertible {
            throw CommandFailure(error.description)
        }
        print(Self.summary(report, showAnswers: showAnswers))
    }

    static func summary(_ report: ZooBuilder.Report, showAnswers: Bool) -> String {
        let manifest = report.manifest
        var lines = ["zoo \(manifest.name): \(manifest.bases.count) bases, \(manifest.references.count) references, "
            + "\(manifest.fineTunes.count) fine-tunes; built \(report.built.count) models in "
            + String(format: "%.1f s", report.seconds)]
        func row(_ columns: [String]) -> String {
            zip(columns, [22, 12, 6, 7, 10, 10, 9]).map { $0.padding(toLength: max($1, $0.count), withPad: " ", startingAt: 0) }
                .joined(separator: " ")
        }
        lines.append(row(["model", "role", "order", "vocab", "tokens", "n-grams", "KB"]))
        let records = manifest.bases.map { ($0, "base") } + manifest.references.map { ($0, "reference") }
            + manifest.fineTunes.map { ($0.model, "fine-tune \($0.id)") }
        for (record, role) in records {
            lines.append(row([record.name, role, "\(record.order)", "\(record.vocabularySize)", "\(record.trainingTokens)",
                              "\(record.distinctNGrams)", "\(record.fileBytes / 1024)"]))
        }
        if showAnswers {
            lines.append("answer key:")
            for entry in manifest.answerKey {
                lines.append("  \(entry.id): \(entry.base ?? "None") (parent \(entry.parent), \(entry.domain), strength \(entry.strength))")
            }
        }
        return lines.joined(separator: "\n")
    }
}
