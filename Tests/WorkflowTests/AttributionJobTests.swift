import AttributionCore
@testable import Calibration
import Common
import Engine
import Foundation
import LanguageModels
import Oracles
import SimulatorServer
import Testing
import Transport
@testable import Workflow

/// Fine-tuned models behind the real simulator server, for end-to-end runs in tests.
struct ModelsResponder: FineTuneResponder {
    let models: [NGramLanguageModel]
    var modelCount: Int { models.count }

    func continuation(model: Int, prompt: String, sample: UInt64) throws -> String {
        var h = StableHash()
        h.combine(UInt64(model)); h.combine(sample); h.combine(prompt)
        var rng = SeededGenerator(seed: h.value)
        return models[model].sample(prompt: prompt, settings: .mlmac, using: &rng).text
    }
}

@Suite(.serialized) struct AttributionJobTests {
    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("attrib-live-\(UUID().uuidString)-\(name)").path
    }

    /// Two candidate bases and a None reference (PrecomputeTests' models) and three fine-tunes:
    /// of base a, of base b, and of a model that is no candidate.
    static func world() throws -> (HypothesisModels, [NGramLanguageModel], [String?]) {
        let models = try PrecomputeTests.models()
        func docs(_ name: String) throws -> [String] {
            try String(contentsOfFile: "/usr/share/common-licenses/\(name)", encoding: .utf8).components(separatedBy: "\n\n")
        }
        let a = models.hypotheses[0].model as! NGramLanguageModel
        let b = models.hypotheses[1].model as! NGramLanguageModel
        let fineTunes = [try b.fineTuned(on: docs("GPL-2"), strength: 0.2, seed: 1),
                         try a.fineTuned(on: docs("MPL-2.0"), strength: 0.2, seed: 2),
                         try NGramLanguageModel(tokenizer: .byte, order: 2, documents: docs("LGPL-2.1"))]
        return (models, fineTunes, ["b", "a", nil])
    }

    @Test func attributesOverHTTPAndResumesFromTheJournalWithoutPaying() async throws {
        let (models, fineTunes, truth) = try Self.world()
        let secret = "test-token-\(UUID().uuidString)"
        let server = try await SimulatorServer.start(responder: ModelsResponder(models: fineTunes),
                                                     tokens: TokenRegistry(tokens: [secret: "tester"]), log: { _ in })
        var settings = EngineSettings()
        settings.observation.samples = 4
        settings.stopping.budgetPerModel = 12
        settings.observation.latentGrid = [0.05, 0.3]
        let journal = JournalSpec(path: Self.temporary("journal.sqlite"), runID: "t")
        let job = AttributionJob(models: models, pool: PromptPool(prompts: ["The ", "You may", "License", "a", "Copyright "]),
                                 settings: settings, calibration: .fixed, storePath: Self.temporary("store.sqlite"))
        let source = OracleSource.mlmac(url: server.baseURL, token: try APIToken(secret))
        let first = try await job.execute(source: source, journal: journal, modelIDs: [0, 1, 2])
        let answered = first.report.queries
        #expect(first.journal?.answered == answered)
        #expect(await server.counts()["tester"]?.values.reduce(0, +) == answered)
        // The fine-tunes of the two bases are attributed correctly. (The third, a byte model of
        // LGPL-2.1 text, is close to the GPL-3 byte base: not asserted.)
        let score = Score(models: first.report.models, answerKey: [0: Attribution(base: truth[0]), 1: Attribution(base: truth[1]), 2: Attribution(base: truth[2])])
        #expect(score.right[0] && score.right[1])
        #expect(first.report.submissionCSV.hasPrefix("model_id,base_model\n0,b\n1,a\n2,"))

        // A rerun with the same journal and run id replays every answer: the server counts nothing new,
        // the tensors come from the store, and the decisions are the same.
        let again = try await job.execute(source: source, journal: journal, modelIDs: [0, 1, 2])
        #expect(await server.counts()["tester"]?.values.reduce(0, +) == answered)
        #expect(again.cached == 5 && again.computed == 0)
        #expect(again.report.models == first.report.models)

        // While another process holds the journal (its lock file), a run on it is refused
        // before anything is sent: two runs would each resend the other's pending queries.
        let holder = try FileLock(path: journal.path + ".lock")
        do {
            _ = try await job.execute(source: source, journal: journal, modelIDs: [0, 1, 2])
            Issue.record("a run on a held journal went ahead")
        } catch let error as AttribError {
            #expect(error == .journalInUse(path: journal.path, holder: ProcessInfo.processInfo.processIdentifier))
        }
        withExtendedLifetime(holder) {}
        #expect(await server.counts()["tester"]?.values.reduce(0, +) == answered)
        await server.stop()
    }

    @Test func calibrationFitsBetaOnItsOwnModels() throws {
        let (models, _, _) = try Self.world()
        var settings = EngineSettings()
        settings.observation.latentGrid = []
        let docs = try String(contentsOfFile: "/usr/share/common-licenses/GPL-2", encoding: .utf8).components(separatedBy: "\n\n")
        var lines: [String] = []
        let c = try Calibration.fit(models: models, settings: settings, pool: PromptPool(prompts: ["The ", "a", "You "]),
                                    domains: docs, responsesPerModel: 5, seed: 3) { lines.append($0) }
        #expect(Calibration.betaGrid.contains(c.beta))
        // One progress line per calibration model, counted right, then the scoring.
        #expect(lines.count == 11 && lines[0].hasPrefix("calibration model 1 of 10: ") && lines[9].hasPrefix("calibration model 10 of 10: "))
        #expect(lines[10] == "calibration: scoring 50 answers under every hypothesis")
        // 2 bases x (2 strengths + 1 drifted toward the other base), 2 unlisted None models, and
        // 2 unlisted models drifted toward a base each.
        #expect(c.models == 10 && c.responses == 50)
        #expect(c.bins.reduce(0) { $0 + $1.count } == 50)
        #expect(c.stopsRight <= c.stops && c.stops <= c.models)
        #expect(Calibration.capGrid.contains(c.cap))
        // A cap given in the settings is kept, and the fit is then no better than the free one.
        settings.observation.answerCap = 2
        let fixed = try Calibration.fit(models: models, settings: settings, pool: PromptPool(prompts: ["The ", "a", "You "]),
                                        domains: docs, responsesPerModel: 5, seed: 3)
        #expect(fixed.cap == 2)
        #expect(fixed.logScore <= c.logScore + 1e-12)
    }

    @Test func calibrationIsCachedByFingerprint() throws {
        let (models, _, _) = try Self.world()
        var settings = EngineSettings()
        settings.observation.latentGrid = []
        let docs = try String(contentsOfFile: "/usr/share/common-licenses/GPL-2", encoding: .utf8).components(separatedBy: "\n\n")
        let pool = PromptPool(prompts: ["The ", "a"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("calibration-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Calibration.fitOrLoad(cacheDirectory: directory, models: models, settings: settings, pool: pool, domains: docs,
                                              responsesPerModel: 3, seed: 3)
        let second = try Calibration.fitOrLoad(cacheDirectory: directory, models: models, settings: settings, pool: pool, domains: docs,
                                               responsesPerModel: 3, seed: 3)
        #expect(!first.cached && second.cached)
        #expect(first.calibration == second.calibration)
        var other = settings
        other.observation.segmentationBeam = 0
        #expect(Calibration.fingerprint(models: models, settings: other, pool: pool, domains: docs, responsesPerModel: 3, seed: 3)
            != Calibration.fingerprint(models: models, settings: settings, pool: pool, domains: docs, responsesPerModel: 3, seed: 3))
        var capped = settings
        capped.observation.answerCap = 3
        #expect(Calibration.fingerprint(models: models, settings: capped, pool: pool, domains: docs, responsesPerModel: 3, seed: 3)
            != Calibration.fingerprint(models: models, settings: settings, pool: pool, domains: docs, responsesPerModel: 3, seed: 3))
        #expect(Calibration.fingerprint(models: models, settings: settings, pool: pool, domains: docs, responsesPerModel: 3, seed: 4)
            != Calibration.fingerprint(models: models, settings: settings, pool: pool, domains: docs, responsesPerModel: 3, seed: 3))
    }
}
