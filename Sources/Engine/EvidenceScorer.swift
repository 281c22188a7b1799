import AttributionCore
import Common
import Foundation
import LanguageModels

/// Turns an observed (prompt, response) pair into per-hypothesis `TokenEvidence`.
///
/// Each hypothesis scores the response with its own tokenizer from the exact prompt/response
/// boundary, under the API's decoding settings: per-token decoded log-probabilities plus the
/// end-of-text term when the response ended before the length limit. A response with more
/// tokens than the hypothesis's length limit allows could not have come from it (counted along
/// the scored path): each excess token costs `excessTokenLogPenalty` nats under both
/// the model and the background, so drift cannot explain it away.
public struct EvidenceScorer: Sendable {
    public let models: HypothesisModels
    /// Natural-log penalty per token beyond a hypothesis's length limit.
    public static let excessTokenLogPenalty = -12.0

    /// Paths kept per byte position when a response is scored over all its segmentations
    /// (`LanguageModel.marginalLogProbabilities`); 0 scores only the path the tokenizer
    /// would choose. Marginal scoring needs a `TokenwiseObservationModel` and no contextual
    /// drift model; a U+FFFD counts as any one token that is not valid UTF-8 alone; a
    /// response that no path within the length limit spells falls back to the canonical path.
    /// The responses of one call walk in lockstep (`SegmentationWalk`): a model on a worker is
    /// asked one request per byte position for all of them.
    public let segmentationBeam: Int
    /// Drift learned from the fine-tune's other answers (`AnswerDrift`), replacing each
    /// component's drift distribution `u` (contextual or background) by an n-gram of those
    /// answers over it; nil: the components' own drift.
    public var answerDrift: AnswerDrift?

    public init(models: HypothesisModels, segmentationBeam: Int = 0, answerDrift: AnswerDrift? = nil) {
        precondition(segmentationBeam >= 0, "the segmentation beam cannot be negative")
        self.models = models
        self.segmentationBeam = segmentationBeam
        self.answerDrift = answerDrift
    }

    /// This scorer with drift learned from `answerDrift` (nil: none).
    public func with(answerDrift: AnswerDrift?) -> EvidenceScorer {
        var copy = self
        copy.answerDrift = answerDrift
        return copy
    }

    /// Evidence of `response` after `prompt` under every hypothesis's first model, in hypothesis order.
    public func evidence(prompt: String, response: String) -> [TokenEvidence] {
        models.hypotheses.map { evidence(prompt: prompt, responses: [response], model: $0)[0] }
    }

    /// Log-likelihood (natural log) of each response under every state of `space`: for a
    /// hypothesis with several models (None), the log of the mean of their likelihoods.
    /// Result `[r][j]` for response `r` and state `j`.
    public func logLikelihoods(prompt: String, responses: [String], observation: any ObservationModel,
                               space: HypothesisSpace) -> [[Double]] {
        logLikelihoods(pairs: responses.map { (prompt, $0) }, observation: observation, space: space)
    }

    /// `logLikelihoods` of (prompt, response) pairs with prompts of their own, scored together
    /// (one lockstep walk per model for all of them).
    public func logLikelihoods(pairs: [(prompt: String, response: String)], observation: any ObservationModel,
                               space: HypothesisSpace) -> [[Double]] {
        precondition(space.hypothesisCount == models.count, "the space needs one hypothesis per model group")
        let n = space.stateCount
        var out = [[Double]](repeating: [Double](repeating: 0, count: n), count: pairs.count)
        let latents = (0..<n).map { space.latentValue(ofState: $0) }
        // Distinct latent values, for the marginal scorer's one pass per response.
        var distinct: [Double?] = []
        for v in latents where !distinct.contains(where: { $0 == v }) { distinct.append(v) }
        let caches = CacheShelf(settings: models.settings)
        for h in 0..<models.count {
            let group = models.components[h]
            // perComponent[c][r][k]: log-likelihood of response r under component c at latent distinct[k].
            let perComponent = group.map { hm -> [[Double]] in
                let marginal = self.marginal(pairs: pairs, model: hm, observation: observation, latents: distinct, caches: caches)
                // The canonical path where marginal scoring does not apply, one batch per prompt.
                var canonical: [Int: TokenEvidence] = [:]
                let unscored = pairs.indices.filter { marginal[$0] == nil }
                for prompt in Set(unscored.map { pairs[$0].prompt }).sorted() {
                    let members = unscored.filter { pairs[$0].prompt == prompt }
                    let evidence = self.evidence(prompt: prompt, responses: members.map { pairs[$0].response }, model: hm)
                    for (r, e) in zip(members, evidence) { canonical[r] = e }
                }
                return pairs.indices.map { r in
                    marginal[r] ?? distinct.map { observation.logLikelihood(canonical[r]!, latent: $0) }
                }
            }
            let logCount = Foundation.log(Double(group.count))
            for j in 0..<n where space.hypothesis(ofState: j) == h {
                let k = distinct.firstIndex { $0 == latents[j] }!
                for r in 0..<pairs.count {
                    out[r][j] = group.count == 1 ? perComponent[0][r][k]
                        : LogSpace.logSumExp(perComponent.map { $0[r][k] }) - logCount
                }
            }
        }
        return out
    }

    /// Pairs scored in one lockstep walk at most: a walk's paths at one byte position are one
    /// batch on a worker, kept for the positions after it (their key/value caches, about 1.5 GB
    /// for 210 SmolLM2 answers, must fit the worker's cache several positions deep).
    public static let answersPerWalk = 32

    /// `logLikelihoods(pairs:)` in walks of at most `answersPerWalk` pairs, a walk per core at
    /// a time: the way to score many answers (calibration's, a ceiling's). The sums do not
    /// depend on the sharing.
    public func logLikelihoodsInWalks(pairs: [(prompt: String, response: String)], observation: any ObservationModel,
                                      space: HypothesisSpace) throws -> [[Double]] {
        guard !pairs.isEmpty else { return [] }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let shares = min(pairs.count, max(cores, (pairs.count + Self.answersPerWalk - 1) / Self.answersPerWalk))
        let bounds = (0...shares).map { $0 * pairs.count / shares }
        return try parallelMap(shares, threads: cores) { c in
            logLikelihoods(pairs: Array(pairs[bounds[c]..<bounds[c + 1]]), observation: observation, space: space)
        }.flatMap { $0 }
    }

    /// Tempered log-likelihoods of each response summed over its segmentations, one per value
    /// of `latents`; nil per response where marginal scoring does not apply (see `segmentationBeam`).
    func marginal(pairs: [(prompt: String, response: String)], model hm: HypothesisModel, observation: any ObservationModel,
                  latents: [Double?], caches: CacheShelf) -> [[Double]?] {
        guard segmentationBeam > 0, let tokenwise = observation as? any TokenwiseObservationModel else {
            return pairs.map { _ in nil }
        }
        var promptTokens: [String: [Int]] = [:]
        for (prompt, _) in pairs where promptTokens[prompt] == nil { promptTokens[prompt] = hm.model.tokenizer.encode(prompt) }
        let primary = caches.cache(hm.modelIdentity, model: hm.model)
        let companion = hm.driftModel.map { caches.cache(hm.driftIdentity, model: $0) }
        let background = hm.background
        let contextual = companion != nil
        let answers = answerDrift?.table(tokenizer: hm.model.tokenizer.identifier)
        let mixers = latents.map { latent in
            { (decoded: Double, drift: Double, token: Int, previous: Int) in
                var u = contextual ? drift : background[token]
                if let answers { u = answers.logProbability(of: token, after: previous, generic: u) }
                return tokenwise.tokenLogLikelihood(decoded: decoded, background: u, latent: latent)
            }
        }
        let walks = pairs.map { prompt, response in
            let (bytes, replacements) = PieceIndex.bytes(of: response)
            let tokens = promptTokens[prompt]!
            return SegmentationWalk(promptTokens: tokens, continuation: bytes, replacements: replacements,
                                    limit: models.settings.newTokenLimit(promptTokenCount: tokens.count), index: hm.pieces,
                                    beam: segmentationBeam, primary: primary, companion: companion, mixerCount: mixers.count)
        }
        // A model that cannot answer stops the run with the reason, as its one-at-a-time calls do.
        let totals: [[Double]?]
        do { totals = try marginalLogProbabilities(walks: walks, primary: primary, companion: companion, mixers: mixers) } catch {
            fatalError("\(error)")
        }
        return totals.map { $0.map { $0.map { tokenwise.beta * $0 } } }
    }

    /// Evidence of many responses to one prompt under one model, sharing the scoring cache.
    public func evidence(prompt: String, responses: [String], model hm: HypothesisModel) -> [TokenEvidence] {
        let tokenizer = hm.model.tokenizer
        let promptTokens = tokenizer.encode(prompt)
        let encoded = responses.map { hm.replacement.encode($0, with: tokenizer) }
        let scores = hm.model.scoreContinuations(promptTokens: promptTokens, continuations: encoded.map(\.tokens), settings: models.settings)
        let drift = hm.driftModel?.scoreContinuations(promptTokens: promptTokens, continuations: encoded.map(\.tokens), settings: models.settings)
        return scores.indices.map { k in
            evidence(scores[k], standIns: encoded[k].standIns, model: hm, drift: drift?[k], promptLast: promptTokens.last ?? -1)
        }
    }

    func evidence(_ score: ContinuationScore, standIns: [Int], model hm: HypothesisModel, drift: ContinuationScore?,
                  promptLast: Int) -> TokenEvidence {
        var decoded = score.decodedLogProbabilities
        var bg = drift?.decodedLogProbabilities ?? score.tokens.map { hm.background[$0] }
        var eosBackground = score.endOfText.map { _ in drift?.endOfText?.decoded ?? hm.background[hm.model.tokenizer.endOfTextToken] }
        if let answers = answerDrift?.table(tokenizer: hm.model.tokenizer.identifier) {
            let previous = [promptLast] + score.tokens
            for k in bg.indices { bg[k] = answers.logProbability(of: score.tokens[k], after: previous[k], generic: bg[k]) }
            eosBackground = eosBackground.map {
                answers.logProbability(of: hm.model.tokenizer.endOfTextToken, after: previous.last!, generic: $0)
            }
        }
        for k in standIns {
            decoded[k] += hm.replacement.logMultiplicity
            bg[k] += hm.replacement.logMultiplicity
        }
        if let eos = score.endOfText, let eosBackground {
            decoded.append(eos.decoded)
            bg.append(eosBackground)
        }
        let excess = score.tokenCount - score.newTokenLimit
        if excess > 0 {
            decoded += Array(repeating: Self.excessTokenLogPenalty, count: excess)
            bg += Array(repeating: Self.excessTokenLogPenalty, count: excess)
        }
        return TokenEvidence(decodedLogProbs: decoded, backgroundLogProbs: bg)
    }
}

/// Scoring caches of one scoring call, one per model identity, shared by every
/// component that uses the model.
final class CacheShelf {
    let settings: DecodingSettings
    private var caches: [String: DecodedStepCache] = [:]
    init(settings: DecodingSettings) { self.settings = settings }
    func cache(_ identity: String, model: any LanguageModel) -> DecodedStepCache {
        if let hit = caches[identity] { return hit }
        let made = DecodedStepCache(model: model, settings: settings)
        caches[identity] = made
        return made
    }
}
