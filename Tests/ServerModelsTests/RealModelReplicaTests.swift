import Foundation
import Testing
@testable import ServerModels

/// Replicas against real llama.cpp servers: a replica killed while scoring is routed around,
/// the other one finishes the work, and the scores are those of a single server.
@Suite(.serialized, .enabled(if: RealModels.installed != nil, "needs ATTRIB_REAL_MODEL_TESTS=1 and scripts/install-real-models.sh"))
struct RealModelReplicaTests {
    @Test func aKilledReplicaIsRoutedAround() throws {
        let models = try #require(RealModels.installed)
        let first = try LlamaServer(binary: models.server, model: models.smollm2, port: 18441)
        let second = try LlamaServer(binary: models.server, model: models.smollm2, port: 18442)
        defer { first.stop(); second.stop() }
        let replicas = ReplicaSet(endpoints: [ServerEndpoint(url: first.url), ServerEndpoint(url: second.url)],
                                  concurrencyPerReplica: 1, cooldown: 0.2, patience: 60)
        let model = try ServerLanguageModel.connect(replicas, name: "smollm2")
        let tokens = model.tokenizer.encode("The committee will meet again on Thursday to discuss the budget for next year")
        var scores: [Double] = []
        for i in 1..<tokens.count {
            if i == tokens.count / 2 { first.stop() }  // killed half way through
            scores.append(model.logProbabilities(of: [tokens[i]], after: Array(tokens[..<i]))[0])
        }
        let counts = replicas.counts()
        #expect(counts[0].failures >= 1, "the killed replica failed at least once")
        #expect(counts[1].served > 0)

        // The same positions on the surviving server alone.
        let alone = try ServerLanguageModel.connect(ReplicaSet(endpoints: [ServerEndpoint(url: second.url)]), name: "smollm2")
        for i in 1..<tokens.count {
            let reference = alone.logProbabilities(of: [tokens[i]], after: Array(tokens[..<i]))[0]
            #expect(abs(reference - scores[i - 1]) < 1e-6, "position \(i)")
        }
    }
}
