import Foundation

/// The log-space posterior over the states of a `HypothesisSpace` for one fine-tuned model.
///
/// Weights are kept normalised in log-space (natural log) after every update, so hundreds
/// or thousands of observations neither underflow nor overflow. Updates commute: the
/// result depends only on the multiset of observations, not their order (up to rounding).
public struct Posterior: Equatable, Sendable {
    public let space: HypothesisSpace
    /// Normalised log-weights over states (natural log; `logSumExp == 0`).
    public private(set) var logWeights: [Double]
    /// Number of observations absorbed so far.
    public private(set) var observationCount = 0

    /// The prior of `space`.
    public init(space: HypothesisSpace) {
        self.space = space
        self.logWeights = space.logPriorStates
    }

    /// Absorbs one observation, given its log-likelihood (natural log) under every state.
    ///
    /// A state with log-likelihood `-infinity` is ruled out. If every state rules the
    /// observation out, the update is rejected with `PosteriorError.impossibleObservation`
    /// and the posterior is unchanged.
    public mutating func update(logLikelihoods: [Double]) throws {
        precondition(logLikelihoods.count == logWeights.count,
                     "need one log-likelihood per state (\(logWeights.count)), got \(logLikelihoods.count)")
        if let bad = logLikelihoods.firstIndex(where: { $0.isNaN || $0 == .infinity }) {
            throw PosteriorError.invalidLikelihood(state: bad, value: logLikelihoods[bad])
        }
        var next = [Double](repeating: 0, count: logWeights.count)
        for i in 0..<next.count { next[i] = logWeights[i] + logLikelihoods[i] }
        let z = LogSpace.logSumExp(next)
        guard z.isFinite else { throw PosteriorError.impossibleObservation }
        for i in 0..<next.count { next[i] -= z }
        logWeights = next
        observationCount += 1
    }

    /// State probabilities (linear space).
    public var stateProbabilities: [Double] { logWeights.map { exp($0) } }

    /// Log marginal over hypotheses (natural log, normalised), summing out the latent grid.
    public var logMarginal: [Double] {
        let g = space.gridCount
        return (0..<space.hypothesisCount).map { h in LogSpace.logSumExp(logWeights[(h * g)..<((h + 1) * g)]) }
    }

    /// Marginal probabilities over hypotheses.
    public var marginal: [Double] { logMarginal.map { exp($0) } }

    /// The most probable hypothesis and its marginal probability (ties: lowest index).
    public var mapHypothesis: (hypothesis: Int, probability: Double) {
        let m = marginal
        var best = 0
        for h in 1..<m.count where m[h] > m[best] { best = h }
        return (best, m[best])
    }

    /// Probability that the MAP attribution is wrong, `1 - max_h P(h)`.
    public var errorProbability: Double { max(0, 1 - mapHypothesis.probability) }

    /// Entropy of the hypothesis marginal, in nats.
    public var entropy: Double { LogSpace.entropy(marginal) }

    /// Posterior mean of the latent parameter given hypothesis `h`, or nil without a latent grid.
    public func latentMean(givenHypothesis h: Int) -> Double? {
        guard !space.latentGrid.isEmpty else { return nil }
        let g = space.gridCount
        let slice = Array(logWeights[(h * g)..<((h + 1) * g)])
        let probs = LogSpace.probabilities(slice)
        return zip(probs, space.latentGrid).reduce(0) { $0 + $1.0 * $1.1 }
    }
}

/// Why a posterior update was refused.
public enum PosteriorError: Error, Equatable, CustomStringConvertible {
    /// Every state gave the observation probability zero.
    case impossibleObservation
    /// A log-likelihood was NaN or +infinity.
    case invalidLikelihood(state: Int, value: Double)

    public var description: String {
        switch self {
        case .impossibleObservation: return "the observation has probability zero under every hypothesis"
        case .invalidLikelihood(let s, let v): return "log-likelihood of state \(s) is \(v); expected a finite number or -infinity"
        }
    }
}
