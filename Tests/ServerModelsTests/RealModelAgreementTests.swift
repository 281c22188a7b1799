import Common
import Foundation
import LanguageModels
import Testing
@testable import ServerModels

/// attrib's scores through `llama-server` against a direct evaluation of the same GGUF file
/// by llama.cpp's Python binding: raw next-token log-probabilities and the temperature-3
/// normaliser, on prompts in several scripts and on continuations sampled at temperature 3.
/// Runs where `scripts/install-real-models.sh` has installed the models (CI does).
@Suite(.serialized, .enabled(if: RealModels.installed != nil, "needs ATTRIB_REAL_MODEL_TESTS=1 and scripts/install-real-models.sh"))
struct RealModelAgreementTests {
    static let prompts = [
        "The committee will meet again on Thursday to",
        "Москва — столица России, и в ней",
        "東京は日本の首都で、",
        "def fibonacci(n):\n    if n < 2:\n        return",
    ]

    @Test(arguments: [("smollm2", 18431), ("gemma3", 18432)])
    func scoresAgreeWithDirectEvaluation(_ name: String, _ port: Int) throws {
        let models = try #require(RealModels.installed)
        let path = name == "smollm2" ? models.smollm2 : models.gemma3
        let server = try LlamaServer(binary: models.server, model: path, port: port)
        defer { server.stop() }
        let model = try ServerLanguageModel.connect(ReplicaSet(endpoints: [ServerEndpoint(url: server.url, model: name)]), name: name)

        var generator = SeededGenerator(seed: 7)
        var cases: [[String: [Int]]] = []
        var ours: [(raw: [Double], normaliser: [Double])] = []
        for prompt in Self.prompts {
            let promptTokens = model.tokenizer.encode(prompt)
            let settings = DecodingSettings(temperature: 3, maxTotalTokens: promptTokens.count + 6)
            let continuation = model.sample(promptTokens: promptTokens, settings: settings, using: &generator).tokens
            // The prompt's own tokens after its first, then the sampled continuation.
            for (context, tokens) in [(Array(promptTokens.prefix(1)), Array(promptTokens.dropFirst())), (promptTokens, continuation)] where !tokens.isEmpty {
                var raw: [Double] = [], normaliser: [Double] = []
                var c = context
                for t in tokens {
                    raw.append(model.logProbabilities(of: [t], after: c)[0])
                    normaliser.append(model.logNormaliser(after: c, temperature: 3))
                    c.append(t)
                }
                ours.append((raw, normaliser))
                cases.append(["prompt": model.prompt(context), "tokens": tokens])
            }
        }
        let direct = try directEvaluation(models, request: ["model": path, "cases": cases, "temperature": 3.0, "texts": Self.prompts])
        let directCases = try #require(direct["cases"] as? [[String: [Double]]])
        var worstRaw = 0.0, worstNormaliser = 0.0
        for (k, mine) in ours.enumerated() {
            let theirs = directCases[k]
            for i in mine.raw.indices {
                worstRaw = max(worstRaw, abs(mine.raw[i] - theirs["raw"]![i]))
                worstNormaliser = max(worstNormaliser, abs(mine.normaliser[i] - theirs["normaliser"]![i]))
            }
        }
        let worst = max(worstRaw, worstNormaliser)
        print("\(name): \(ours.map(\.raw.count).reduce(0, +)) positions, max |raw error| \(worstRaw), max |normaliser error| \(worstNormaliser) nats")
        if name == "gemma3" {
            // llama.cpp's own Gemma-3 logits for one position move by up to 0.24 nats with what
            // else shares the batch (the binding against itself: the same prefix alone, inside
            // a longer batch, token by token), so the server and the binding disagree by about
            // as much whatever the client does; SmolLM2 shows no such dependence.
            withKnownIssue("Gemma-3 logits in llama.cpp depend on the batch") { #expect(worst < 1e-3) }
        } else {
            #expect(worst < 1e-3)
        }
        let directTokens = try #require(direct["texts"] as? [[Int]])
        for (k, prompt) in Self.prompts.enumerated() {
            #expect(model.tokenizer.encode(prompt) == directTokens[k], "tokenization of \(prompt)")
            #expect(model.tokenizer.decode(directTokens[k]) == prompt, "pieces of \(prompt)")
        }
    }
}
