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
    @Option(help: StoppingSettings.help("threshold")) var threshold = StoppingSettings().threshold
    @Option(help: ObservationSettings.help("samples")) var samples = ObservationSettings().samples
    @Option(help: ObservationSettings.help("latentGrid")) var driftGrid = ObservationSettings().latentGrid.map { "\($0)" }.joined(separator: ",")
    @Option(help: ObservationSettings.help("eps")) var eps = ObservationSettings().eps
    @Flag(inversion: .prefixedNo, help: ObservationSettings.help("contextualDrift"))
    var contextualDrift = ObservationSettings().contextualDrift
    @Option(help: ObservationSettings.help("segmentationBeam"))
    var segmentationBeam = ObservationSettings().segmentationBeam
    @Option(help: ObservationSettings.help("tensorSegmentationBeam"))
    var tensorSegmentationBeam = ObservationSettings().tensorSegmentationBeam
    @Flag(inversion: .prefixedNo, help: ObservationSettings.help("answerDrift"))
    var answerDrift = ObservationSettings().answerDrift
    @Flag(inversion: .prefixedNo, help: CalibrationSettings.help("hypothesisOffsets"))
    var hypothesisOffsets = CalibrationSettings().hypothesisOffsets
    @Option(help: CalibrationSettings.help("calibrationAnswers"))
    var calibrationAnswers = CalibrationSettings().calibrationAnswers
    @Flag(inversion: .prefixedNo, help: ObservationSettings.help("domainDrift")) var domainDrift = ObservationSettings().domainDrift
    @Option(help: ObservationSettings.help("beta")) var beta: Double?
    @Option(help: ObservationSettings.help("noneMass")) var noneMass = ObservationSettings().noneMass
    @Option(help: ObservationSettings.help("answerCap"))
    var answerCap: Double?
    @Option(help: EngineSettings.help("seed")) var seed = EngineSettings().seed
    @Option(help: EngineSettings.help("threads")) var threads = EngineSettings().threads

    func validate() throws {
        _ = try grid()
        if let answerCap, answerCap < 0 { throw ValidationError("--answer-cap cannot be negative, got \(answerCap).") }
        try Self.refuse(settings().problems())
    }

    /// The first problem of the settings these options make, as the flag that set it.
    static func refuse(_ problems: [(key: String, reason: String)]) throws {
        guard let p = problems.first else { return }
        throw ValidationError("\(flag(p.key)) \(p.reason).")
    }

    /// The flag that sets a settings key (`budgetPerModel` is `--budget`).
    static func flag(_ key: String) -> String {
        let renamed = ["latentGrid": "driftGrid", "budgetPerModel": "budget"][key] ?? key
        return "--" + renamed.reduce(into: "") { $0 += $1.isUppercase ? "-" + $1.lowercased() : String($1) }
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
    // Unconditional: `--budget -3` parses, and its range refuses it with a sentence.
    @Option(parsing: .unconditional, help: StoppingSettings.help("budgetPerModel")) var budget = StoppingSettings().budgetPerModel
    @Option(parsing: .unconditional, help: StoppingSettings.help("globalBudget")) var globalBudget: Int?
    @Option(help: SchedulingSettings.help("strategy")) var strategy = SchedulingSettings().strategy
    @Option(help: SchedulingSettings.help("tieBreak"))
    var tieBreak = SchedulingSettings().tieBreak
    @Option(help: SchedulingSettings.help("tieTolerance"))
    var tieTolerance = SchedulingSettings().tieTolerance
    @Option(parsing: .unconditional, help: StoppingSettings.help("eigFloor"))
    var eigFloor: Double = StoppingSettings().eigFloor ?? 0
    @Option(help: StoppingSettings.help("eigFloorAfter")) var eigFloorAfter = StoppingSettings().eigFloorAfter
    @Flag(inversion: .prefixedNo, help: SchedulingSettings.help("repeatPrompts")) var repeatPrompts = SchedulingSettings().repeatPrompts
    @Option(help: SchedulingSettings.help("concurrency")) var concurrency = SchedulingSettings().concurrency
    @Option(parsing: .unconditional, help: SchedulingSettings.help("screenTo")) var screenTo: Int?

    func validate() throws {
        guard eigFloor >= 0 else { throw ValidationError("--eig-floor cannot be negative, got \(eigFloor).") }
        try EngineOptions.refuse(settings.problems())
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
        s.scheduling.screenTo = screenTo
        return s
    }
}
