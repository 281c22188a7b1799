import AttributionCore
import Common
import Engine
import Foundation
import LanguageModels
import Testing
@testable import ServerModels
@testable import Workflow

/// attrib against a real model worker process on loopback (`worker/`, a tiny GPT-2-shaped model
/// made from a config): the batch path (`/v1/score`, decoded on the worker) against attrib's
/// own scoring built on next-token distributions (`/v1/distributions`, decoded here), the
/// tokenizer's round trip in several scripts, seeded sampling under the length rule, and the
/// refusals. Runs where `scripts/install-worker.sh` has run (`make test` and CI run it).
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: WorkerProcess.defaultPython),
                             "needs the worker environment: bash scripts/install-worker.sh"))
struct WorkerModelTests {
    static let texts = ["The committee will meet on Thursday to", "Москва — столица России,", "東京は日本の首都で、", "def f(n):\n    return"]

    @Test func theBatchPathAgreesWithAttribsOwnScoring() throws {
        let worker = try WorkerProcess(models: ["tiny=tiny:3"], extra: ["--threads", "1"])
        defer { worker.stop() }
        let model = try WorkerLanguageModel.connect(ReplicaSet(endpoints: [ServerEndpoint(url: worker.url)]), name: "tiny")
        for text in Self.texts {
            #expect(model.tokenizer.decode(model.tokenizer.encode(text)) == text)
        }
        for settings in [DecodingSettings(temperature: 3, maxTotalTokens: 40), DecodingSettings(temperature: 1, topK: 20, topP: 0.9, maxTotalTokens: 40)] {
            let requests = Self.texts.map { text -> ScoringRequest in
                let tokens = model.tokenizer.encode(text)
                return ScoringRequest(context: Array(tokens.prefix(tokens.count / 2)), continuation: Array(tokens.dropFirst(tokens.count / 2)))
            }
            let batch = try model.scoreBatch(requests, settings: settings)
            var positions = 0
            var worst = 0.0
            for (request, scored) in zip(requests, batch) {
                let own = model.scoreContinuation(promptTokens: request.context, continuationTokens: request.continuation, settings: settings)
                #expect(scored.newTokenLimit == own.newTokenLimit && (scored.endOfText == nil) == (own.endOfText == nil))
                for (a, b) in zip(scored.rawLogProbabilities + scored.decodedLogProbabilities, own.rawLogProbabilities + own.decodedLogProbabilities) {
                    if a == -.infinity || b == -.infinity { #expect(a == b) } else { worst = max(worst, abs(a - b)) }
                }
                positions += request.continuation.count
            }
            #expect(positions >= 50)
            // Two float32 evaluations: whole sequences (scoring) and one position at a time on the
            // key/value cache (distributions); each is within 1e-5 of float64 (the worker's tests).
            #expect(worst < 5e-5, "largest difference \(worst) nats")
        }
    }

    /// The worker model seen one whole distribution at a time, as a model not served in batches.
    struct WholeDistributions: LanguageModel {
        let served: WorkerLanguageModel
        var tokenizer: any Tokenizer { served.tokenizer }
        var contextWindow: Int? { served.contextWindow }
        func nextTokenLogProbabilities(context: [Int]) -> [Double] { served.nextTokenLogProbabilities(context: context) }
    }

    /// Answers scored over their segmentations in lockstep, the worker asked only for the tokens
    /// each byte position reads (`/v1/token-log-probs`), against the same walks one text at a
    /// time over whole next-token distributions (`/v1/distributions`, decoded here).
    @Test func segmentationWalksOnTheWorkerAgreeWithWholeDistributions() throws {
        let worker = try WorkerProcess(models: ["tiny=tiny:3"], extra: ["--threads", "1"])
        defer { worker.stop() }
        let model = try WorkerLanguageModel.connect(ReplicaSet(endpoints: [ServerEndpoint(url: worker.url)]), name: "tiny")
        let pieces = PieceIndex(tokenizer: model.tokenizer)
        let mixers: [(Double, Double, Int, Int) -> Double] = [{ decoded, _, _, _ in decoded }]
        for settings in [DecodingSettings(temperature: 3, maxTotalTokens: 120), DecodingSettings(temperature: 2, topK: 256, maxTotalTokens: 120)] {
            let cache = DecodedStepCache(model: model, settings: settings)
            var walks: [SegmentationWalk] = []
            var expected: [[Double]?] = []
            for text in Self.texts {
                let prompt = model.tokenizer.encode(String(text.prefix(6)))
                let (bytes, replacements) = PieceIndex.bytes(of: String(text.dropFirst(6)))
                let limit = settings.newTokenLimit(promptTokenCount: prompt.count)
                walks.append(SegmentationWalk(promptTokens: prompt, continuation: bytes, replacements: replacements, limit: limit,
                                              index: pieces, beam: 3, primary: cache, companion: nil, mixerCount: 1))
                expected.append(marginalLogProbabilities(
                    promptTokens: prompt, continuation: bytes, replacements: replacements, limit: limit, index: pieces, beam: 3,
                    primary: DecodedStepCache(model: WholeDistributions(served: model), settings: settings), companion: nil, mixers: mixers))
            }
            let got = try marginalLogProbabilities(walks: walks, primary: cache, companion: nil, mixers: mixers)
            #expect(expected.filter { $0 != nil }.count >= 2)
            for (a, b) in zip(got, expected) {
                #expect((a == nil) == (b == nil))
                guard let a, let b else { continue }
                // float32 on the worker, sent as float64 (token-log-probs) or float32 (distributions).
                #expect(abs(a[0] - b[0]) < 1e-4, "\(a[0]) vs \(b[0])")
            }
        }
    }

    /// A context longer than the model's window is cut on the left to fit (the worker would
    /// refuse it whole): scored as its last tokens are, and drawn from.
    @Test func aContextLongerThanTheWindowIsReadThroughIt() throws {
        let worker = try WorkerProcess(models: ["tiny=tiny:3"], extra: ["--threads", "1"])
        defer { worker.stop() }
        let model = try WorkerLanguageModel.connect(ReplicaSet(endpoints: [ServerEndpoint(url: worker.url)]), name: "tiny")
        let window = try #require(model.contextWindow)
        let long = model.tokenizer.encode(String(repeating: Self.texts[0] + " ", count: 6))
        #expect(long.count > window)
        let continuation = model.tokenizer.encode(" and more")
        let settings = DecodingSettings(temperature: 3, maxNewTokens: 4, maxTotalTokens: nil)
        let whole = try model.scoreBatch([ScoringRequest(context: long, continuation: continuation)], settings: settings)[0]
        let cut = try model.scoreBatch([ScoringRequest(context: Array(long.suffix(window - continuation.count)), continuation: continuation)],
                                       settings: settings)[0]
        #expect(whole.decodedLogProbabilities == cut.decodedLogProbabilities)
        #expect(try model.drawNextTokens([SamplingRequest(prompt: long, seed: 1)], settings: settings).count == 1)
        #expect(try model.sampleBatch([SamplingRequest(prompt: long, seed: 1)], settings: settings)[0].tokens.count <= 4)
        #expect(model.nextTokenLogProbabilities(context: long).count == model.tokenizer.vocabularySize)
        // A continuation longer than the window itself goes in pieces, each read after the tokens before it.
        let longer = Array(long.prefix(window + 10))
        let pieced = try model.scoreBatch([ScoringRequest(context: [], continuation: longer)], settings: settings)[0]
        #expect(pieced.decodedLogProbabilities.count == longer.count && pieced.endOfText == nil)
        let half = window / 2
        let first = try model.scoreBatch([ScoringRequest(context: [], continuation: Array(longer.prefix(half)))], settings: settings)[0]
        // (Batches of other shapes round float32 differently.)
        #expect(zip(pieced.decodedLogProbabilities.prefix(half), first.decodedLogProbabilities).allSatisfy { abs($0 - $1) < 1e-5 })
        let open = DecodingSettings(temperature: 3, maxNewTokens: 4 * window, maxTotalTokens: nil)
        #expect(try model.scoreBatch([ScoringRequest(context: [], continuation: longer)], settings: open)[0].endOfText != nil)
    }

    @Test func samplingIsSeededAndKeepsTheLengthRule() throws {
        let worker = try WorkerProcess(models: ["tiny=tiny:3"], extra: ["--threads", "1"])
        defer { worker.stop() }
        let model = try WorkerLanguageModel.connect(ReplicaSet(endpoints: [ServerEndpoint(url: worker.url)]), name: "tiny")
        let prompt = model.tokenizer.encode("Hello")
        let settings = DecodingSettings(temperature: 3, maxTotalTokens: prompt.count + 4)
        let requests = (0..<6).map { SamplingRequest(prompt: prompt, seed: UInt64($0)) }
        let first = try model.sampleBatch(requests, settings: settings)
        #expect(try model.sampleBatch(requests, settings: settings).map(\.tokens) == first.map(\.tokens))
        #expect(first.allSatisfy { $0.tokens.count <= 4 && ($0.endedWithEndOfText || $0.tokens.count == 4) })
        #expect(Set(first.map(\.tokens)).count > 1)
        // One next token per context, as the first step of a sample with the same seed.
        let draws = try model.drawNextTokens(requests, settings: settings)
        #expect(try model.drawNextTokens(requests, settings: settings) == draws)
        for (generation, token) in zip(first, draws) {
            #expect(generation.tokens.first ?? model.tokenizer.endOfTextToken == token)
        }
        let rows = try model.distributions(contexts: [prompt, []])
        #expect(rows.count == 2 && rows.allSatisfy { $0.count == model.tokenizer.vocabularySize })
    }

    @Test func aModelTheWorkerDoesNotServeAndABadSpecAreNamed() throws {
        let worker = try WorkerProcess(models: ["tiny=tiny:3"], extra: ["--threads", "1"])
        defer { worker.stop() }
        #expect(throws: ServerModelError.self) { try WorkerLanguageModel.connect(ReplicaSet(endpoints: [ServerEndpoint(url: worker.url)]), name: "gpt2") }
        do {
            _ = try WorkerLanguageModel.connect(ReplicaSet(endpoints: [ServerEndpoint(url: worker.url)]), name: "gpt2")
        } catch {
            #expect(error.description.contains("does not serve gpt2 (it serves tiny)"))
        }
        do {
            _ = try WorkerProcess(models: ["/no/such/model"])
            Issue.record("a missing model started a worker")
        } catch {
            #expect(error.description.contains("did not start"))
        }
    }

    /// Bases on a worker named in a bases file, end to end: the file loads them (one worker
    /// serving both), the EIG tensors are computed through the worker, and a run whose
    /// fine-tunes are the two models themselves attributes each to its own base.
    @Test func basesOnAWorkerAttributeEndToEnd() async throws {
        let worker = try WorkerProcess(models: ["alpha=tiny:3", "beta=tiny:11"], extra: ["--threads", "1"])
        defer { worker.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-worker-bases-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let json = #"{"decoding": {"temperature": 3.0, "maxTotalTokens": 14}, "bases": [{"name": "alpha", "worker": {"url": "URL"}}, {"name": "b", "worker": {"url": "URL", "model": "beta"}}]}"#
        try json.replacingOccurrences(of: "URL", with: worker.url).write(to: folder.appendingPathComponent("bases.json"), atomically: true, encoding: .utf8)
        let file = try BasesFile.load(path: folder.appendingPathComponent("bases.json").path)
        let models = try file.hypothesisModels(directory: folder)
        #expect(models.hypotheses.map(\.identity).allSatisfy { $0.hasPrefix("worker:") } && Set(models.hypotheses.map(\.identity)).count == 2)

        var settings = EngineSettings()
        settings.observation.samples = 2
        settings.observation.noneMass = 0
        settings.observation.latentGrid = []
        settings.stopping.budgetPerModel = 3
        settings.stopping.eigFloor = nil
        let prompts = ["The cat ", "Hello, ", "def f(", "Once "]
        let builder = settings.observation.tensorBuilder(models: models, seed: 1)
        let bank = PromptBank(space: builder.space, tensors: builder.tensors(prompts: prompts))
        let runner = AttributionRunner(bank: bank, prompts: prompts, models: models, settings: settings)
        let oracle = SamplingOracle(models: models.hypotheses.map(\.model), settings: models.settings)
        let results = try await runner.run(models: [0, 1], oracle: oracle)
        #expect(results.map(\.attribution) == [.base("alpha"), .base("b")])
    }
}

/// Answers fine-tune `k` by sampling from `models[k]` (seeded per query), in process.
actor SamplingOracle: Oracle {
    let models: [any LanguageModel]
    let settings: DecodingSettings
    var asked = 0

    init(models: [any LanguageModel], settings: DecodingSettings) {
        self.models = models
        self.settings = settings
    }

    func ask(model: Int, prompt: String) async throws -> OracleAnswer {
        asked += 1
        var generator = SeededGenerator(seed: UInt64(asked))
        return OracleAnswer(prompt: prompt, continuation: models[model].sample(prompt: prompt, settings: settings, using: &generator).text)
    }

    func queryCounts() async throws -> [Int: Int]? { nil }
}

