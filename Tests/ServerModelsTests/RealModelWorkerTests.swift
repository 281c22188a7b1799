import Common
import Foundation
import LanguageModels
import Testing
@testable import ServerModels

/// The real models on the worker: each GGUF loads with its own tokenizer (texts in four
/// scripts round-trip), the batch path agrees with attrib's own scoring built on next-token
/// distributions, and a replica killed while scoring is routed around with the scores of the
/// survivor alone. (Agreement with a float64 evaluation: `worker/bench_score.py`'s.)
@Suite(.serialized, .enabled(if: RealModels.installed != nil, "needs ATTRIB_REAL_MODEL_TESTS=1 and scripts/install-real-models.sh"))
struct RealModelWorkerTests {
    static let texts = [
        "The committee will meet again on Thursday to",
        "Москва — столица России, и в ней",
        "東京は日本の首都で、",
        "def fibonacci(n):\n    if n < 2:\n        return",
    ]

    @Test(arguments: ["smollm2", "gemma3"])
    func theBatchPathAgreesAndTheTokenizerRoundTrips(_ name: String) throws {
        let real = try #require(RealModels.installed)
        let worker = try WorkerProcess(models: ["\(name)=\(name == "smollm2" ? real.smollm2 : real.gemma3)"], extra: ["--threads", "2"])
        defer { worker.stop() }
        let model = try WorkerLanguageModel.connect(ReplicaSet(endpoints: [ServerEndpoint(url: worker.url)]), name: name)
        var worst = 0.0, positions = 0
        for text in Self.texts {
            let tokens = model.tokenizer.encode(text)
            #expect(model.tokenizer.decode(tokens) == text, "\(name) round trip of \(text)")
            let request = ScoringRequest(context: Array(tokens.prefix(2)), continuation: Array(tokens.dropFirst(2)))
            let settings = DecodingSettings(temperature: 3, maxTotalTokens: tokens.count + 4)
            let batch = try model.scoreBatch([request], settings: settings)[0]
            let own = model.scoreContinuation(promptTokens: request.context, continuationTokens: request.continuation, settings: settings)
            for (a, b) in zip(batch.rawLogProbabilities + batch.decodedLogProbabilities, own.rawLogProbabilities + own.decodedLogProbabilities) {
                worst = max(worst, abs(a - b))
            }
            positions += request.continuation.count
        }
        #expect(positions >= 30)
        #expect(worst < 1e-4, "\(name): largest difference \(worst) nats over \(positions) positions")
    }

    @Test func aKilledReplicaIsRoutedAround() throws {
        let (first, second, replicas) = try #require(RealModels.installed).smollm2Replicas()
        defer { first.stop(); second.stop() }
        let model = try WorkerLanguageModel.connect(replicas, name: "smollm2")
        let tokens = model.tokenizer.encode("The committee will meet again on Thursday to discuss the budget for next year")
        let settings = DecodingSettings(temperature: 3, maxTotalTokens: 200)
        var scores: [Double] = []
        for i in 1..<tokens.count {
            if i == tokens.count / 2 { first.stop() }  // killed half way through
            scores += try model.scoreBatch([ScoringRequest(context: Array(tokens[..<i]), continuation: [tokens[i]])], settings: settings)[0].rawLogProbabilities
        }
        let counts = replicas.counts()
        #expect(counts[0].failures >= 1, "the killed replica failed at least once")
        #expect(counts[1].served > 0)
        let alone = try WorkerLanguageModel.connect(ReplicaSet(endpoints: [ServerEndpoint(url: second.url)]), name: "smollm2")
        for i in 1..<tokens.count {
            let reference = try alone.scoreBatch([ScoringRequest(context: Array(tokens[..<i]), continuation: [tokens[i]])], settings: settings)[0]
            #expect(abs(reference.rawLogProbabilities[0] - scores[i - 1]) < 1e-5, "position \(i)")
        }
    }
}
