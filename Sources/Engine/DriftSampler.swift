import AttributionCore
import Common
import LanguageModels

/// Samples responses from the generative model of one state (hypothesis h, drift eps; for a
/// hypothesis with several models, one of them drawn uniformly per response): at
/// each step a token is drawn from `(1 - eps) q_h(. | context) + eps u_h(.)`, the same
/// mixture the `DriftMixtureModel` scores, under the API's length limit. Generation ends at
/// end-of-text or at the limit, exactly like the API.
public struct DriftSampler: Sendable {
    public let models: HypothesisModels

    public init(models: HypothesisModels) { self.models = models }

    /// One response text for `prompt` from hypothesis `h` with drift `eps` in [0, 1).
    public func sample(prompt: String, hypothesis h: Int, eps: Double, rng: inout SeededGenerator) -> String {
        let group = models.components[h]
        let hm = group.count == 1 ? group[0] : group[Int(rng.next() % UInt64(group.count))]
        let model = hm.model
        let settings = models.settings
        let promptTokens = model.tokenizer.encode(prompt)
        let limit = settings.newTokenLimit(promptTokenCount: promptTokens.count)
        let eos = model.tokenizer.endOfTextToken
        var context = promptTokens
        var tokens = [Int]()
        while tokens.count < limit {
            let fromBackground = eps > 0 && rng.nextUnit() < eps
            let token: Int
            if fromBackground {
                token = hm.driftModel.map { $0.sampleNextToken(context: context, settings: settings, using: &rng) }
                    ?? sampleIndex(logProbabilities: hm.background, using: &rng)
            } else {
                token = model.sampleNextToken(context: context, settings: settings, using: &rng)
            }
            if token == eos { break }
            tokens.append(token)
            context.append(token)
        }
        return model.tokenizer.decode(tokens)
    }

    /// `count` responses for `prompt` from hypothesis `h` with drift `eps`. Drawn one after
    /// the other with `rng` (exactly `sample` called `count` times), unless a component of
    /// the hypothesis is served in batches (`BatchServedLanguageModel`): then every response
    /// gets a generator of its own drawn from `rng`, and the responses advance in lockstep,
    /// one `drawNextTokens` request per position for all of them (a draw from the model is
    /// seeded by one draw of the response's generator).
    public func sample(prompt: String, hypothesis h: Int, eps: Double, count: Int, rng: inout SeededGenerator) -> [String] {
        let group = models.components[h]
        guard group.contains(where: { $0.model is any BatchServedLanguageModel }) else {
            return (0..<count).map { _ in sample(prompt: prompt, hypothesis: h, eps: eps, rng: &rng) }
        }
        let draws = (0..<count).map { _ -> (component: Int, rng: SeededGenerator) in
            let c = group.count == 1 ? 0 : Int(rng.next() % UInt64(group.count))
            return (c, SeededGenerator(seed: rng.next()))
        }
        var out = [String](repeating: "", count: count)
        for c in Set(draws.map(\.component)).sorted() {
            let members = draws.indices.filter { draws[$0].component == c }
            var generators = members.map { draws[$0].rng }
            let texts = lockstep(prompt: prompt, component: group[c], eps: eps, generators: &generators)
            for (k, s) in members.enumerated() { out[s] = texts[k] }
        }
        return out
    }

    /// Responses of one component, one per generator, advanced together: per position, each
    /// live response draws from the drift (locally) or from the model, whose draws for every
    /// response that needs one come in one batch.
    private func lockstep(prompt: String, component hm: HypothesisModel, eps: Double, generators: inout [SeededGenerator]) -> [String] {
        let model = hm.model
        let settings = models.settings
        let promptTokens = model.tokenizer.encode(prompt)
        let limit = settings.newTokenLimit(promptTokenCount: promptTokens.count)
        let eos = model.tokenizer.endOfTextToken
        var tokens = [[Int]](repeating: [], count: generators.count)
        var live = Array(generators.indices)
        while !live.isEmpty {
            var fromModel: [Int] = []
            var drawn: [Int: Int] = [:]
            for k in live {
                if eps > 0 && generators[k].nextUnit() < eps {
                    drawn[k] = hm.driftModel.map { $0.sampleNextToken(context: promptTokens + tokens[k], settings: settings, using: &generators[k]) }
                        ?? sampleIndex(logProbabilities: hm.background, using: &generators[k])
                } else {
                    fromModel.append(k)
                }
            }
            // A model served in batches is asked for every live response, those drawn from the
            // drift too (their draws unused): the server keeps each row's cache, and a row asked
            // at every position costs it one position per token instead of its whole context again.
            if !fromModel.isEmpty {
                let asked = model is any BatchServedLanguageModel ? live : fromModel
                let requests = asked.map { k in
                    SamplingRequest(prompt: promptTokens + tokens[k], seed: fromModel.contains(k) ? generators[k].next() : 0)
                }
                // A worker that stays away past its replica set's patience ends the run with the reason.
                let draws: [Int]
                do {
                    draws = try (model as? any BatchLanguageModel)?.drawNextTokens(requests, settings: settings)
                        ?? model.drawNextTokens(requests, settings: settings)
                } catch { fatalError("\(error)") }
                for (k, token) in zip(asked, draws) where fromModel.contains(k) { drawn[k] = token }
            }
            live = live.filter { k in
                guard let token = drawn[k], token != eos else { return false }
                tokens[k].append(token)
                return tokens[k].count < limit
            }
        }
        return tokens.map { model.tokenizer.decode($0) }
    }
}
