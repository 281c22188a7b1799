import Foundation
import LinearAlgebra

/// All candidate prompts of a run with their cross-score tensors, prepared for fast EIG.
///
/// For each prompt and each row r = (state i, sample s) the bank keeps the likelihood
/// ratios `E[r, j] = exp(T[i, s, j] - T[i, s, i])` in single precision (exponent clamped to
/// +-80 nats). The EIG of every candidate under a posterior `w` then needs one matrix-vector
/// product per prompt, `B = E w`, and one logarithm per row:
///
///     EIG = sum_i w_i / S * sum_s [ log A_r - log B_r ],   A_r = sum_{j in h(i)} (w_j / W_h) E[r, j]
///
/// (the row normaliser cancels). `InformationGain.monteCarlo` is the double-precision
/// reference; the two agree to about 1e-4 nats (see the tests).
public struct PromptBank: Sendable {
    public let space: HypothesisSpace
    public let samples: Int
    /// The original tensors, one per prompt, in prompt order.
    public let tensors: [CrossScoreTensor]
    /// Cost of each prompt (default 1); EIG-per-cost strategies divide by it.
    public let costs: [Double]
    /// Ratio matrices, prompt after prompt, each `states * samples` rows by `states` columns.
    let ratios: [Float]
    /// Mean over samples of T[i, s, j], per prompt, `states * states` values each.
    let meanScores: [Double]

    /// Largest exponent kept in the ratio matrices, in nats.
    public static let ratioClamp: Float = 80

    public init(space: HypothesisSpace, tensors: [CrossScoreTensor], costs: [Double]? = nil) {
        let n = space.stateCount
        precondition(!tensors.isEmpty, "a prompt bank needs at least one prompt")
        let s = tensors[0].samples
        precondition(tensors.allSatisfy { $0.states == n && $0.samples == s },
                     "every tensor must have \(n) states and \(s) samples")
        if let costs { precondition(costs.count == tensors.count && costs.allSatisfy { $0 > 0 }, "need one positive cost per prompt") }
        self.space = space
        self.samples = s
        self.tensors = tensors
        self.costs = costs ?? Array(repeating: 1, count: tensors.count)
        var ratios = [Float](repeating: 0, count: tensors.count * n * s * n)
        var means = [Double](repeating: 0, count: tensors.count * n * n)
        let clamp = PromptBank.ratioClamp
        for (p, t) in tensors.enumerated() {
            let base = p * n * s * n
            for i in 0..<n {
                for smp in 0..<s {
                    let row = (i * s + smp) * n
                    let own = t.values[row + i]
                    for j in 0..<n {
                        let v = t.values[row + j]
                        let d = own.isFinite ? min(max(v - own, -clamp), clamp) : (v.isFinite ? clamp : 0)
                        ratios[base + row + j] = v == -.infinity ? 0 : Foundation.exp(d)
                        means[(p * n + i) * n + j] += Double(v.isFinite ? v : -1e4) / Double(s)
                    }
                }
            }
        }
        self.ratios = ratios
        self.meanScores = means
    }

    /// Number of candidate prompts.
    public var count: Int { tensors.count }

    /// Mean log-likelihood (natural log) under state `j` of responses sampled from state `i`
    /// for prompt `p`: `mean_s T[i, s, j]`.
    public func meanScore(prompt p: Int, from i: Int, under j: Int) -> Double {
        let n = space.stateCount
        return meanScores[(p * n + i) * n + j]
    }
}
