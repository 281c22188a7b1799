import Foundation

/// Expected information gain (mutual information between hypothesis and response, in nats)
/// of one prompt under a posterior, computed exactly in double precision.
///
/// With state weights `w` (the posterior over (hypothesis, latent) states), `h(i)` the
/// hypothesis of state `i` and `W_h` the mass of hypothesis `h`:
///
///     EIG = sum_i w_i E_{y ~ p_i} [ log sum_{j in h(i)} (w_j / W_h(i)) p_j(y) - log sum_j w_j p_j(y) ]
///
/// which is `I(H; Y)` about the hypothesis, with the latent parameter marginalised out
/// (information about the latent drift alone is not rewarded). Without a latent grid the
/// first term is `log p_{h(i)}(y)`.
public enum InformationGain {
    /// Monte Carlo estimate from a cross-score tensor: the expectation over `p_i` is the
    /// mean over the tensor's samples drawn from state `i`.
    ///
    /// - Parameters:
    ///   - tensor: S samples per state and their log-likelihoods under every state.
    ///   - logWeights: normalised log posterior over states (natural log).
    ///   - hypothesisOfState: the hypothesis of every state.
    public static func monteCarlo(_ tensor: CrossScoreTensor, logWeights: [Double], hypothesisOfState: [Int]) -> Double {
        let n = tensor.states
        precondition(logWeights.count == n && hypothesisOfState.count == n, "need one weight and one hypothesis per state")
        let groupLogMass = groupLogMasses(logWeights: logWeights, hypothesisOfState: hypothesisOfState)
        var total = 0.0
        var within = [Double](), all = [Double](repeating: 0, count: n)
        within.reserveCapacity(n)
        for i in 0..<n where logWeights[i] > -.infinity {
            let h = hypothesisOfState[i]
            var sum = 0.0
            for s in 0..<tensor.samples {
                within.removeAll(keepingCapacity: true)
                for j in 0..<n {
                    let l = Double(tensor[from: i, sample: s, under: j])
                    all[j] = logWeights[j] + l
                    if hypothesisOfState[j] == h { within.append(logWeights[j] - groupLogMass[h] + l) }
                }
                sum += LogSpace.logSumExp(within) - LogSpace.logSumExp(all)
            }
            total += exp(logWeights[i]) * sum / Double(tensor.samples)
        }
        return total
    }

    /// Exact EIG when each state's response distribution is a known finite distribution.
    ///
    /// - Parameters:
    ///   - outcomeLogProbs: `outcomeLogProbs[i][o]` = log p_i(o), natural log, one row per state.
    ///   - logWeights: normalised log posterior over states.
    ///   - hypothesisOfState: the hypothesis of every state.
    public static func exact(outcomeLogProbs: [[Double]], logWeights: [Double], hypothesisOfState: [Int]) -> Double {
        let n = outcomeLogProbs.count
        precondition(logWeights.count == n && hypothesisOfState.count == n, "need one weight and one hypothesis per state")
        let outcomes = outcomeLogProbs.first?.count ?? 0
        let groupLogMass = groupLogMasses(logWeights: logWeights, hypothesisOfState: hypothesisOfState)
        var total = 0.0
        for o in 0..<outcomes {
            let joint = (0..<n).map { logWeights[$0] + outcomeLogProbs[$0][o] }
            let logMarginal = LogSpace.logSumExp(joint)
            guard logMarginal > -.infinity else { continue }
            for h in Set(hypothesisOfState) {
                let members = (0..<n).filter { hypothesisOfState[$0] == h }
                let logJointH = LogSpace.logSumExp(members.map { joint[$0] })
                guard logJointH > -.infinity else { continue }
                // p(h, o) [log p(o | h) - log p(o)]
                total += exp(logJointH) * (logJointH - groupLogMass[h] - logMarginal)
            }
        }
        return total
    }

    /// Log mass of each hypothesis (indexed by hypothesis id) under the state weights.
    static func groupLogMasses(logWeights: [Double], hypothesisOfState: [Int]) -> [Double] {
        let groups = (hypothesisOfState.max() ?? -1) + 1
        var members = [[Double]](repeating: [], count: groups)
        for (i, h) in hypothesisOfState.enumerated() { members[h].append(logWeights[i]) }
        return members.map { LogSpace.logSumExp($0) }
    }
}
