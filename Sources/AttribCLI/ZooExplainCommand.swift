import ArgumentParser
import Calibration
import Common
import Diagnostics
import Engine
import Foundation
import Workflow

/// `attrib zoo explain`: how well each hypothesis state explains one fine-tune's answers.
struct ZooExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Mean log-likelihood of one fine-tune's answers under every hypothesis state (after `attrib demo`).",
        discussion: """
            Samples answers of a fine-tune of the demo's zoo to the demo's default pool (or --pool) and scores \
            them the way a run does (at beta 1 unless --beta is given), printing the mean log-likelihood per answer under \
            each hypothesis at its best latent drift value, best first. The state a run converges \
            to is the first line: when it is not the true base, the observation model, not the \
            prompts, is what is wrong. Reads --work after `attrib demo` has filled it.
            """)

    @Option(help: "The demo's working folder.") var work = DefaultPaths.demoWork
    @Option(help: "Zoo name (the demo's zoo-NAME folder).") var zoo = "round1-like"
    @Option(help: "Public id of the fine-tune.") var model: Int
    @Option(help: "Prompt pool (JSON lines, e.g. an experiment's pool-NAME-HASH.jsonl; default: the demo's default-pool.jsonl in --work).") var pool: String?
    @Option(help: "Answers sampled per prompt of the pool.") var answers = 2
    @Option(help: "Only these prompts of the pool (0-based indices, comma-separated; default: all).") var prompts: String?
    @Option(help: "Add components fine-tuned on generic text at these strengths (comma-separated).") var fineTunedStrengths: String?
    @Option(help: "Fine-tune the components on this corpus's held-out text instead of all of them.") var fineTuneDomain: String?
    @Option(help: "Held-out bytes per corpus for the fine-tuned components.") var fineTuneBytes = NoneReference.bytesPerCorpus
    @Option(help: "Latent genre library: add, for every base sharing the truth's tokenizer, one hypothesis per held-out corpus of the pool sources and strength (comma-separated strengths), the base fine-tuned on that corpus; margins and --resample then count a base's variants as that base, so the genre is inferred jointly over all answers.")
    var genreLibrary: String?
    @Flag(help: "Oracle worlds: the true base's place taken by the fine-tune itself, every other candidate fine-tuned on the fine-tune's own domain text (the zoo's fine-tuning split) at its true strength, as the floor's fine-tuned worlds are. Shows the margins a perfectly specified drift model would see.")
    var oracleWorlds = false
    @Option(help: "Also estimate how often the truth wins after this many answers (comma-separated counts) drawn at random from the scored ones: a run asking random prompts.")
    var resample: String?
    @Option(help: "Random draws for --resample.") var draws = 2000
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Option(help: "Diagnostic: drift toward each model's own counts at this lower order (its backoff distribution in context) instead of the bases file's drift models or its unigram background.")
    var selfDriftOrder: Int?
    @OptionGroup var engine: EngineOptions

    func validate() throws {
        if let resample { _ = try Self.list(resample, "--resample", Int.self) { $0 >= 1 } }
        if let prompts { _ = try Self.list(prompts, "--prompts", Int.self) { $0 >= 0 } }
        if let fineTunedStrengths { _ = try Self.list(fineTunedStrengths, "--fine-tuned-strengths", Double.self) { $0 > 0 && $0 < 1 } }
        if let genreLibrary { _ = try Self.list(genreLibrary, "--genre-library", Double.self) { $0 > 0 && $0 < 1 } }
        // Options of EngineOptions that explain never uses are refused rather than ignored.
        let defaults = EngineSettings()
        for (given, flag) in [(engine.samples != defaults.observation.samples, "--samples"),
                              (engine.tensorSegmentationBeam != defaults.observation.tensorSegmentationBeam, "--tensor-segmentation-beam"),
                              (engine.threshold != defaults.stopping.threshold, "--threshold"),
                              (engine.answerCap != nil, "--answer-cap"),
                              (engine.hypothesisOffsets, "--hypothesis-offsets"),
                              (engine.threads != defaults.threads, "--threads")] where given {
            throw ValidationError("\(flag) has no effect on zoo explain, which scores sampled answers without tensors, stopping or a cap.")
        }
        guard draws >= 1 else { throw ValidationError("--draws must be at least 1, got \(draws).") }
        guard answers >= 1 else { throw ValidationError("--answers must be at least 1, got \(answers).") }
    }

    /// A comma-separated list of values that each satisfy `valid`.
    static func list<T: LosslessStringConvertible>(_ text: String, _ flag: String, _: T.Type, valid: (T) -> Bool) throws -> [T] {
        let parts = text.split(separator: ",").map { T(String($0).trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0.map(valid) ?? false }) else {
            throw ValidationError("\(flag) must be a comma-separated list of valid values, got \(text).")
        }
        return parts.map { $0! }
    }

    func run() throws {
        var settings = engine.settings()
        settings.observation.beta = engine.beta ?? 1
        var explain = ZooExplain(work: URL(fileURLWithPath: DefaultPaths.resolve(work, default: DefaultPaths.demoWork), isDirectory: true), zoo: zoo, model: model, settings: settings)
        explain.pool = pool.map { URL(fileURLWithPath: $0) }
        explain.answers = answers
        explain.prompts = try prompts.map { try Self.list($0, "--prompts", Int.self) { $0 >= 0 } }
        explain.fineTunedStrengths = try fineTunedStrengths.map { try Self.list($0, "--fine-tuned-strengths", Double.self) { $0 > 0 && $0 < 1 } }
        explain.fineTuneDomain = fineTuneDomain
        explain.fineTuneBytes = fineTuneBytes
        explain.genreLibrary = try genreLibrary.map { try Self.list($0, "--genre-library", Double.self) { $0 > 0 && $0 < 1 } }
        explain.oracleWorlds = oracleWorlds
        explain.resample = try resample.map { try Self.list($0, "--resample", Int.self) { $0 >= 1 } } ?? []
        explain.draws = draws
        explain.selfDriftOrder = selfDriftOrder
        let result = try explain.execute()
        if json {
            let encoder = attribJSONEncoder()
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        print("fine-tune \(result.model) \(result.name): true base \(result.truth); \(result.answers) answers, mean log-likelihood per answer (beta \(result.beta));")
        print("margin: the truth's mean log-likelihood minus this one's, per answer, ± its standard error (paired over the same answers)")
        for row in result.rows {
            var line = String(format: "%-28@ %9.3f  eps %@", row.hypothesis, row.meanLogLikelihood, row.eps.map { String($0) } ?? "-")
            if let variant = row.variant { line += "  as \(variant)" }
            if row.isTruth { line += "  <- truth" }
            if let margin = row.margin { line += String(format: "  margin %+.4f ± %.4f", margin, row.marginStandardError ?? .nan) }
            print(line)
        }
        for r in result.resampled {
            print(String(format: "resampled: the truth has the largest marginal likelihood (uniform prior over hypotheses and drift) after %d answers drawn at random from these %d in %.3f of %d draws", r.answers, result.answers, r.truthWins, r.draws))
        }
    }
}
