import ArgumentParser
import AttributionCore
import Calibration
import Engine
import Foundation
import Workflow

extension StrategyKind: ExpressibleByArgument {}
extension TieBreak: ExpressibleByArgument {}
extension CalibrationLength: ExpressibleByArgument {}

/// Options of the observation model, the tensors and the calibration: what `run`, `demo`,
/// `precompute` and `zoo explain` share. Every one of them changes what those commands compute.
struct EngineOptions: ParsableArguments {
    @Option(help: "Stop a model when its largest posterior probability reaches this (calibration keeps the stops at it honest).") var threshold = StoppingSettings().threshold
    @Option(help: "Responses sampled per hypothesis state and prompt for the EIG tensors.") var samples = ObservationSettings().samples
    @Option(help: "Latent drift grid (comma-separated eps values, or none for one global --eps).") var driftGrid = ObservationSettings().latentGrid.map { "\($0)" }.joined(separator: ",")
    @Option(help: "Drift eps when --drift-grid is none.") var eps = ObservationSettings().eps
    @Flag(inversion: .prefixedNo, help: "Model drift with the contextual drift models the bases file names (the demo trains a generic-text bigram per tokenizer); --no-contextual-drift uses each model's unigram background instead.")
    var contextualDrift = ObservationSettings().contextualDrift
    @Option(help: "Token paths kept per byte when scoring an answer over its segmentations (0: canonical tokenization only).")
    var segmentationBeam = ObservationSettings().segmentationBeam
    @Option(help: "The same for the samples of the EIG tensors (0: canonical tokenization only, cheapest).")
    var tensorSegmentationBeam = ObservationSettings().tensorSegmentationBeam
    @Flag(inversion: .prefixedNo, help: "Learn each fine-tune's drift from its own other answers (an n-gram of them over the contextual drift, leave-one-out); calibration scores the same way.")
    var answerDrift = ObservationSettings().answerDrift
    @Flag(inversion: .prefixedNo, help: "Fit per-hypothesis offsets (nats per answer) on the calibration models and subtract them from every answer's and tensor row's log-likelihoods: a correction for hypotheses that explain other bases' fine-tunes too well.")
    var hypothesisOffsets = CalibrationSettings().hypothesisOffsets
    @Option(help: "Answers each calibration model gives (a trajectory's length), or budget: the budget per model, at most \(CalibrationLength.maximum). Calibration keeps stops honest only up to this many answers.")
    var calibrationAnswers = CalibrationSettings().calibrationAnswers
    @Flag(inversion: .prefixedNo, help: "Score answers with drift toward a library of held-out text of the installed corpora.") var domainDrift = ObservationSettings().domainDrift
    @Option(help: "Tempering power beta of the observation model (default 1; `run` and `demo` fit it on calibration models unless --no-calibration).") var beta: Double?
    @Option(help: "Prior probability of None.") var noneMass = ObservationSettings().noneMass
    @Option(help: "Soft cap in nats on how far one answer may move the log odds between two hypotheses (0: none; default: none, or fitted by calibration in `run` and `demo`, which then fit beta at this cap).")
    var answerCap: Double?
    @Option(help: "Random seed of the engine (tensor sampling, tie-breaks).") var seed = EngineSettings().seed
    @Option(help: "Threads for precomputing tensors.") var threads = EngineSettings().threads

    func validate() throws {
        guard threshold > 0 && threshold <= 1 else { throw ValidationError("--threshold must be in (0, 1].") }
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1.") }
        guard eps >= 0 && eps < 1 else { throw ValidationError("--eps must be in [0, 1).") }
        if let beta { guard beta > 0 else { throw ValidationError("--beta must be positive, got \(beta).") } }
        if let answerCap { guard answerCap >= 0 else { throw ValidationError("--answer-cap cannot be negative, got \(answerCap).") } }
        guard noneMass >= 0 && noneMass < 1 else { throw ValidationError("--none-mass must be in [0, 1).") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1.") }
        guard tensorSegmentationBeam >= 0 else { throw ValidationError("--tensor-segmentation-beam cannot be negative, got \(tensorSegmentationBeam).") }
        guard segmentationBeam >= 0 else { throw ValidationError("--segmentation-beam cannot be negative, got \(segmentationBeam).") }
        _ = try grid()
    }

    func grid() throws -> [Double] {
        if driftGrid == "none" { return [] }
        let parts = driftGrid.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return try parts.map { p in
            guard let v = Double(p), v >= 0, v < 1 else { throw ValidationError("--drift-grid: \"\(p)\" is not a number in [0, 1) (or use none).") }
            return v
        }
    }

    /// The bases file at `path`, without its drift models under --no-contextual-drift.
    func basesFile(path: String) throws -> BasesFile {
        let file = try BasesFile.load(path: path)
        return contextualDrift ? file : file.withoutDrift
    }

    /// The models of the bases file at `path` (paths in it are relative to its folder).
    /// `newTokens`, when given, replaces the file's length limit by that many new tokens (a
    /// run against an OpenAI-compatible API asks for exactly that many).
    func hypothesisModels(path: String, newTokens: Int? = nil) throws -> AttributionJob.Models {
        let file = try basesFile(path: path)
        return try file.hypothesisModels(directory: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                         settings: newTokens.map { file.settings(newTokens: $0) })
    }

    /// These options over `base` (the defaults, or what `RunOptions` set).
    func settings(_ base: EngineSettings = EngineSettings()) -> EngineSettings {
        var s = base
        s.stopping.threshold = threshold
        s.observation.samples = samples
        s.observation.latentGrid = (try? grid()) ?? []
        s.observation.eps = eps
        s.observation.contextualDrift = contextualDrift
        s.observation.domainDrift = domainDrift
        s.observation.answerDrift = answerDrift
        s.calibration.hypothesisOffsets = hypothesisOffsets
        s.calibration.calibrationAnswers = calibrationAnswers
        s.observation.segmentationBeam = segmentationBeam
        s.observation.tensorSegmentationBeam = tensorSegmentationBeam
        s.observation.beta = beta ?? ObservationSettings().beta
        s.observation.noneMass = noneMass
        s.observation.answerCap = answerCap.flatMap { $0 > 0 ? $0 : nil }
        s.seed = seed
        s.threads = threads
        return s
    }
}

/// Options of a run's scheduling and stopping: what `run` and `demo` add to `EngineOptions`.
struct RunOptions: ParsableArguments {
    @Option(help: "Queries per fine-tuned model at most.") var budget = StoppingSettings().budgetPerModel
    @Option(help: "Queries over all models at most (default: no global budget).") var globalBudget: Int?
    @Option(help: "Prompt selection.") var strategy = SchedulingSettings().strategy
    @Option(help: "Among prompts of tied scores: shuffle (seeded), cheapest (lowest cost, then shortest) or shared (asked of another model already).")
    var tieBreak = SchedulingSettings().tieBreak
    @Option(help: "Relative tolerance within which scores tie (1e-9: exact ties only; 0.05: within 5% of the best).")
    var tieTolerance = SchedulingSettings().tieTolerance
    @Option(help: "Stop a model when the best EIG over the pool stays below this many nats twice in a row (0: never).")
    var eigFloor: Double = StoppingSettings().eigFloor ?? 0
    @Option(help: "Queries every model gets before the EIG floor may stop it.") var eigFloorAfter = StoppingSettings().eigFloorAfter
    @Flag(inversion: .prefixedNo, help: "Allow asking a model a prompt again before it has been asked every prompt of the pool (every strategy alike).") var repeatPrompts = SchedulingSettings().repeatPrompts
    @Option(help: "Queries in flight at once (at most one per model).") var concurrency = SchedulingSettings().concurrency

    func validate() throws {
        guard eigFloorAfter >= 0 else { throw ValidationError("--eig-floor-after cannot be negative, got \(eigFloorAfter).") }
        guard eigFloor >= 0 else { throw ValidationError("--eig-floor cannot be negative, got \(eigFloor).") }
        guard budget >= 1 else { throw ValidationError("--budget must be at least 1.") }
        guard globalBudget.map({ $0 >= 1 }) ?? true else { throw ValidationError("--global-budget must be at least 1.") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1.") }
        guard tieTolerance >= 0 && tieTolerance < 1 else { throw ValidationError("--tie-tolerance must be in [0, 1), got \(tieTolerance).") }
    }

    /// The settings of a run: the defaults with these options.
    var settings: EngineSettings {
        var s = EngineSettings()
        s.stopping.budgetPerModel = budget
        s.stopping.globalBudget = globalBudget
        s.scheduling.strategy = strategy
        s.scheduling.tieBreak = tieBreak
        s.scheduling.tieTolerance = tieTolerance
        s.stopping.eigFloor = eigFloor > 0 ? eigFloor : nil
        s.stopping.eigFloorAfter = eigFloorAfter
        s.scheduling.repeatPrompts = repeatPrompts
        s.scheduling.concurrency = concurrency
        return s
    }
}
