import AttributionCore
import Common
import Dispatch
import LanguageModels

/// Builds the cross-score tensor of a prompt: S responses sampled from every state's
/// drift-aware generative model, each scored under every state with the observation model
/// that the posterior update uses (consistency between selection and inference).
public struct TensorBuilder: Sendable {
    public let models: HypothesisModels
    public let space: HypothesisSpace
    public let observation: DriftMixtureModel
    /// Responses sampled per state and prompt.
    public let samples: Int
    public let seed: UInt64
    /// Segmentation beam of the scorer (`EvidenceScorer.segmentationBeam`; 0: canonical path).
    public let segmentationBeam: Int

    public init(models: HypothesisModels, space: HypothesisSpace, observation: DriftMixtureModel, samples: Int, seed: UInt64,
                segmentationBeam: Int = 0) {
        precondition(space.hypothesisCount == models.count, "the space needs one hypothesis per model")
        precondition(samples >= 1, "need at least one sample per state")
        self.models = models
        self.space = space
        self.observation = observation
        self.samples = samples
        self.seed = seed
        self.segmentationBeam = segmentationBeam
    }

    /// The drift `eps` of state `i`: its latent value, or the observation model's eps.
    public func eps(ofState i: Int) -> Double { space.latentValue(ofState: i) ?? observation.eps }

    /// The tensor of one prompt. Deterministic given the builder's seed and the prompt text.
    public func tensor(prompt: String) -> CrossScoreTensor {
        let n = space.stateCount
        let sampler = DriftSampler(models: models)
        var hash = StableHash()
        hash.combine(prompt)
        var responses = [String]()
        responses.reserveCapacity(n * samples)
        for i in 0..<n {
            var rng = SeededGenerator.stream(seed ^ hash.value, UInt64(i))
            responses += sampler.sample(prompt: prompt, hypothesis: space.hypothesis(ofState: i), eps: eps(ofState: i), count: samples, rng: &rng)
        }
        let ll = EvidenceScorer(models: models, segmentationBeam: segmentationBeam).logLikelihoods(prompt: prompt, responses: responses, observation: observation, space: space)
        var values = [Float](repeating: 0, count: n * samples * n)
        for r in 0..<responses.count { for j in 0..<n { values[r * n + j] = Float(ll[r][j]) } }
        return CrossScoreTensor(states: n, samples: samples, values: values)
    }

    /// Tensors of many prompts, computed on `threads` threads. `onTensor(k, tensor)` is called
    /// on the worker thread as soon as prompt `k`'s tensor is ready (to store it); `progress`
    /// with the number of prompts done so far, serialised.
    public func tensors(prompts: [String], threads: Int = 2,
                        onTensor: (@Sendable (Int, CrossScoreTensor) -> Void)? = nil,
                        progress: (@Sendable (Int) -> Void)? = nil) -> [CrossScoreTensor] {
        // Nothing in the body throws.
        try! parallelMap(prompts.count, threads: threads, report: progress) { k in
            let t = tensor(prompt: prompts[k])
            onTensor?(k, t)
            return t
        }
    }
}

extension TensorBuilder {
    /// Everything but the models' identities and the prompt that a tensor depends on.
    struct Key: Codable {
        var decoding: DecodingSettings
        var eps, beta: Double
        var latentGrid: [Double]
        var includesNone: Bool
        var samples: Int
        var seed: UInt64
        var excessTokenLogPenalty: Double
        var segmentationBeam: Int
    }

    /// A fingerprint of everything the tensor of `prompt` depends on: every hypothesis's
    /// model identity, the decoding settings, the observation model, the latent grid, the
    /// sample count, the seed and the prompt. Changing any of them changes the fingerprint.
    public func fingerprint(prompt: String) -> String {
        var h = StableHash()
        h.combine("attrib-tensor-v2")
        models.combineIdentities(into: &h)
        let key = Key(decoding: models.settings, eps: observation.eps, beta: observation.beta, latentGrid: space.latentGrid,
                      includesNone: space.includesNone, samples: samples, seed: seed,
                      excessTokenLogPenalty: EvidenceScorer.excessTokenLogPenalty, segmentationBeam: segmentationBeam)
        // Encoding plain numbers and strings cannot fail.
        h.combine(try! JSONValue(encoding: key).canonical)
        h.combine(UInt64(prompt.utf8.count))
        h.combine(prompt)
        return h.hex
    }
}
