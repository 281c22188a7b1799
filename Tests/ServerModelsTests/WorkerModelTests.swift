import Common
import Foundation
import LanguageModels
import Testing
@testable import ServerModels

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
            #expect(worst < 1e-5, "largest difference \(worst) nats")
        }
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
}
