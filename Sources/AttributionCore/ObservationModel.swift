import Foundation

/// What one scoring model says about an observed response, per token of its own tokenizer.
///
/// Produced outside the core (by `LanguageModels`) from the exact prompt/response boundary.
/// All values are natural-log probabilities.
public struct TokenEvidence: Equatable, Sendable {
    /// `log q(y_t | x, y_<t)` of each response token under the hypothesis's model as the API
    /// decodes it (for temperature T: softmax(logits / T)), including the end-of-text term
    /// when the response ended before the length limit.
    public var decodedLogProbs: [Double]
    /// `log u(y_t)` of each token under a broad background distribution of the same
    /// tokenizer (for example the model's tempered unigram distribution); same length.
    public var backgroundLogProbs: [Double]

    public init(decodedLogProbs: [Double], backgroundLogProbs: [Double]) {
        precondition(decodedLogProbs.count == backgroundLogProbs.count,
                     "decoded and background log-probs need one value per token each")
        self.decodedLogProbs = decodedLogProbs
        self.backgroundLogProbs = backgroundLogProbs
    }
}

/// An observation model: the log-likelihood (natural log) of a response under one state.
///
/// Implementations must be pure and deterministic; the EIG tensor and the posterior update
/// use the same model, which keeps selection and inference consistent.
public protocol ObservationModel: Sendable {
    /// Log-likelihood (natural log) of the evidence under a hypothesis whose latent
    /// parameter is `latent` (nil when the hypothesis space has no latent parameter).
    func logLikelihood(_ evidence: TokenEvidence, latent: Double?) -> Double
}

extension ObservationModel {
    /// Log-likelihoods under every state of `space`, given the evidence of each hypothesis.
    public func logLikelihoods(_ evidence: [TokenEvidence], space: HypothesisSpace) -> [Double] {
        precondition(evidence.count == space.hypothesisCount, "need evidence for each of \(space.hypothesisCount) hypotheses")
        return (0..<space.stateCount).map { i in
            logLikelihood(evidence[space.hypothesis(ofState: i)], latent: space.latentValue(ofState: i))
        }
    }
}

/// An observation model that is a tempered product of per-token terms,
/// `beta * sum_t tokenLogLikelihood(...)`: the form a scorer can push inside a sum over a
/// response's possible token paths (segmentations).
public protocol TokenwiseObservationModel: ObservationModel {
    /// Tempering power applied to the whole response's log-likelihood.
    var beta: Double { get }
    /// Untempered log-likelihood (natural log) of one token whose decoded log-probability is
    /// `decoded` and background log-probability `background`, in a state with latent `latent`.
    func tokenLogLikelihood(decoded: Double, background: Double, latent: Double?) -> Double
}

/// The drift-robust, decoding-aware default observation model:
///
///     l(y | x) = beta * sum_t log((1 - eps) * q(y_t | x, y_<t) + eps * u(y_t))
///
/// `q` is the hypothesis's decoded distribution, `u` a background distribution, `eps` the
/// drift (how far a fine-tune may stray from its base per token) and `beta` a tempering power
/// that discounts the independence assumption between tokens. When the hypothesis space
/// carries a latent grid, its value is used as `eps` per state, so the drift strength is
/// inferred jointly with the base.
public struct DriftMixtureModel: TokenwiseObservationModel, Equatable {
    /// Drift mixture weight in [0, 1), used when no latent value is given.
    public var eps: Double
    /// Tempering power in (0, 1].
    public var beta: Double

    public init(eps: Double = 0.1, beta: Double = 1.0) {
        precondition(eps >= 0 && eps < 1, "eps must be in [0, 1)")
        precondition(beta > 0, "beta must be positive")
        self.eps = eps
        self.beta = beta
    }

    public func tokenLogLikelihood(decoded: Double, background: Double, latent: Double?) -> Double {
        let e = latent ?? eps
        let a = log1p(-e) + decoded
        let b = e > 0 ? log(e) + background : -Double.infinity
        let m = max(a, b)
        return m == -.infinity ? -.infinity : m + log(exp(a - m) + exp(b - m))
    }

    public func logLikelihood(_ evidence: TokenEvidence, latent: Double?) -> Double {
        var total = 0.0
        for t in 0..<evidence.decodedLogProbs.count {
            total += tokenLogLikelihood(decoded: evidence.decodedLogProbs[t], background: evidence.backgroundLogProbs[t], latent: latent)
        }
        return beta * total
    }
}
