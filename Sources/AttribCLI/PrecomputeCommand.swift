import ArgumentParser
import Engine
import Foundation
import Workflow

/// `attrib precompute`: calibrates as `run` would, then fills the response-distribution store.
struct PrecomputeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precompute",
        abstract: "Precompute the EIG tensors of a prompt pool into the response-distribution store.",
        discussion: """
            Calibrates first, exactly as `attrib run` with the same options does (the tensors \
            depend on the fitted beta), so a later run with those options finds every tensor in \
            the store. Resumable: tensors already stored under their fingerprint are not computed again. \
            Give the run's --budget too: by default calibration is as long as the budget (up to 100 \
            answers), so its beta, and with it the tensors, can depend on it.
            """)

    @Option(help: "Bases file (JSON).") var bases: String
    @Option(help: "Prompt pool.") var pool: String
    @Option(help: "Response-distribution store (SQLite).") var store = "attrib-store.sqlite"
    @Option(help: "Queries per fine-tuned model of the run the tensors are for (calibration's length follows it under --calibration-answers budget).")
    var budget = EngineSettings().stopping.budgetPerModel
    @OptionGroup var engine: EngineOptions
    @OptionGroup var calibration: CalibrationOptions

    func validate() throws {
        guard budget >= 1 else { throw ValidationError("--budget must be at least 1.") }
        try calibration.validate(with: engine)
    }

    func run() throws {
        let start = Date()
        var settings = EngineSettings()
        settings.stopping.budgetPerModel = budget
        let job = AttributionJob(models: try engine.hypothesisModels(path: bases), pool: try PromptPool.load(path: pool),
                                 settings: engine.settings(settings), calibration: calibration.policy(store: store), storePath: store)
        let prepared = try job.prepare(events: EventPrinter(answers: false).print)
        print(String(format: "%d prompts: %d from the store, %d computed in %.1f s (%d states x %d samples each)",
                     prepared.pool.count, prepared.cached, prepared.computed, Date().timeIntervalSince(start),
                     prepared.bank.space.stateCount, prepared.settings.observation.samples))
    }
}
