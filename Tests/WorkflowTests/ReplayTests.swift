import AttributionCore
import Common
import Engine
import Foundation
import Oracles
import SimulatorServer
import Testing
import Transport
@testable import Workflow

@Suite(.serialized) struct ReplayTests {
    static func settings() -> EngineSettings {
        var s = EngineSettings()
        s.observation.samples = 4
        s.stopping.budgetPerModel = 5
        s.observation.latentGrid = [0.05, 0.3]
        s.stopping.eigFloor = nil
        return s
    }

    /// A run's journal, exported to JSONL and replayed in EIG order with the same seed and
    /// settings, asks the same prompts in the same order and attributes the same way.
    @Test func aJournalExportedAndReplayedReproducesTheRun() async throws {
        let (models, fineTunes, _) = try AttributionJobTests.world()
        let secret = "replay-\(UUID().uuidString)"
        let server = try await SimulatorServer.start(responder: ModelsResponder(models: fineTunes),
                                                     tokens: TokenRegistry(tokens: [secret: "t"]), log: { _ in })
        let pool = PromptPool(prompts: ["The ", "You may", "License", "a", "Copyright ", "of the", "Software"])
        let store = AttributionJobTests.temporary("store.sqlite")
        let journal = AttributionJobTests.temporary("journal.sqlite")
        let job = AttributionJob(models: models, pool: pool, settings: Self.settings(), calibration: .fixed, storePath: store)
        let run = try await job.execute(source: .mlmac(url: server.baseURL, token: try APIToken(secret)),
                                        journal: JournalSpec(path: journal, runID: "r"), modelIDs: [0, 1, 2])
        await server.stop()

        let exported = AttributionJobTests.temporary("log.jsonl")
        try QueryLog.load(path: journal).jsonl().write(toFile: exported, atomically: true, encoding: .utf8)
        let log = try QueryLog.load(path: exported)
        #expect(log.records.count == run.report.queries)
        let replay = Replay(log: log, models: models, settings: Self.settings(), calibration: .fixed, storePath: store,
                            order: .eig, answerKey: nil)
        let (outcome, report) = try await replay.execute()
        #expect(outcome.queries_used == run.report.queries && outcome.queries_logged == run.report.queries)
        for (original, replayed) in zip(run.report.models, report.models) {
            #expect(original.model == replayed.model)
            #expect(original.attribution == replayed.attribution)
            #expect(original.asked.map(\.text) == replayed.asked.map(\.text), "model \(original.model)")
            #expect(original.asked.map(\.response) == replayed.asked.map(\.response))
        }
    }

    @Test func logOrderConsumesEachModelsLogInOrderAndRandomOnlyItsOwnRecords() async throws {
        let (models, fineTunes, _) = try AttributionJobTests.world()
        var records: [QueryLog.Record] = []
        var rng = SeededGenerator(seed: 4)
        let prompts = ["The ", "You may", "License", "a"]
        for (id, model) in fineTunes.enumerated() {
            for k in 0..<6 {
                let prompt = prompts[(k * (id + 1)) % prompts.count]
                records.append(.init(set: "s", model: id, prompt: prompt, response: model.sample(prompt: prompt, settings: .mlmac, using: &rng).text,
                                     file: "log", line: records.count + 1))
            }
        }
        let log = QueryLog(records: records)
        let store = AttributionJobTests.temporary("store.sqlite")
        for order in Replay.Order.allCases {
            let replay = Replay(log: log, models: models, settings: Self.settings(), calibration: .fixed, storePath: store,
                                order: order, answerKey: AnswerKey(truth: [0: "b", 1: "a", 2: .none], file: "key"))
            let (outcome, report) = try await replay.execute()
            #expect(outcome.total == 3)
            for m in report.models {
                let logged = records.filter { $0.model == m.model }.map(\.prompt)
                let asked = m.asked.map(\.text)
                #expect(asked.count <= min(5, logged.count))
                // Each asked prompt uses up one logged record of this model.
                var left = logged
                for p in asked { #expect(left.firstIndex(of: p).map { left.remove(at: $0) } != nil, "\(order) model \(m.model)") }
                if order == .log { #expect(asked == Array(logged.prefix(asked.count))) }
            }
        }
        // A logged model the key lacks is an error naming the record's file and line.
        let partial = Replay(log: log, models: models, settings: Self.settings(), calibration: .fixed, storePath: store,
                             order: .eig, answerKey: AnswerKey(truth: [0: "b", 1: "a"], file: "key.csv"))
        await #expect(throws: ReplayLogError(file: "log", line: 13, reason: "model 2 is not in the answer key key.csv")) {
            _ = try await partial.execute()
        }
        // A key of models the log never asked, or of bases the bases file lacks, is refused before anything runs.
        let extra = Replay(log: log, models: models, settings: Self.settings(), calibration: .fixed, storePath: store,
                           order: .eig, answerKey: AnswerKey(truth: [0: "b", 1: "a", 2: .none, 9: "a"], file: "key.csv"))
        await #expect(throws: AttribError.invalid(file: "key.csv", field: "model_id 9", reason: "is a model the log never asked")) {
            _ = try await extra.execute()
        }
        let unknownBase = Replay(log: log, models: models, settings: Self.settings(), calibration: .fixed, storePath: store,
                                 order: .eig, answerKey: AnswerKey(truth: [0: "gpt2", 1: "a", 2: .none], file: "key.csv"))
        await #expect { _ = try await unknownBase.execute() } throws: { "\($0)".contains("names the base gpt2, which the bases file does not list") }
    }
}
