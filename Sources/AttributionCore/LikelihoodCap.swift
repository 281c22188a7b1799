import Foundation

/// A soft cap on how far one answer may move the log odds between two states.
///
/// Each answer's log-likelihoods `l_j` (natural log, one per state, already tempered) become
///
///     l'_j = log(exp(l_j) + exp(max_k l_k - nats))
///
/// so the best state of the answer gains at most `log(1 + e^-nats)` and the others lose at
/// most about `nats` against it: no single answer can shift the log odds between two states
/// by more than `nats + log(1 + e^-nats)`. It is the likelihood of a contaminated model in
/// which an answer, with weight `e^-nats` relative to the best explanation, may be one the
/// observation model cannot explain at all (the fine-tune strayed from its base in a way the
/// drift model does not cover). Tempering (beta) scales every answer alike; the cap only bites
/// on the rare answer whose likelihood ratio is extreme, which under a misspecified drift
/// model is more often a misfit than evidence (a word model's one answer that favours a
/// wrong candidate by 20 nats). Evidence then has to come from several answers that agree.
///
/// The cap is applied to the cross-score tensors behind EIG and to every answer alike, so
/// selection and inference keep using the same observation model. `nil` nats: no cap.
///
/// After the cap, optional per-state `offsets` (nats) are subtracted from every answer's row:
/// a per-answer bias correction fitted on calibration models of known provenance (a state
/// whose hypothesis systematically explains fine-tunes of other bases too well pays its
/// offset on every answer). Being applied to tensors and answers alike, it keeps selection
/// consistent with inference too.
public struct LikelihoodCap: Sendable, Equatable, Codable {
    /// Largest log-odds shift of one answer, in nats; nil leaves likelihoods unchanged.
    public var nats: Double?
    /// Nats subtracted from each state's log-likelihood per answer (one per state); nil: none.
    public var offsets: [Double]?

    public init(nats: Double?, offsets: [Double]? = nil) {
        precondition(nats.map { $0 > 0 } ?? true, "a likelihood cap must be positive nats")
        precondition(offsets.map { $0.allSatisfy(\.isFinite) } ?? true, "offsets must be finite")
        self.nats = nats
        self.offsets = offsets
    }

    /// The cap with per-hypothesis offsets (nats per answer, one per hypothesis of `space`)
    /// spread over each hypothesis's states.
    public init(nats: Double?, hypothesisOffsets: [Double]?, space: HypothesisSpace) {
        let offsets = hypothesisOffsets.map { o in
            precondition(o.count == space.hypothesisCount, "one offset per hypothesis")
            return space.hypothesisOfState.map { o[$0] }
        }
        self.init(nats: nats, offsets: offsets)
    }

    /// No cap.
    public static let none = LikelihoodCap(nats: nil)

    /// The capped row of one answer's log-likelihoods over all states (see `apply`), offsets subtracted.
    public func apply(_ row: [Double]) -> [Double] {
        var out = row
        if let nats, let best = row.max(), best > -.infinity {
            let floor = best - nats
            out = row.map { l in
                let m = max(l, floor)
                return m + log1p(exp(min(l, floor) - m))
            }
        }
        if let offsets {
            precondition(offsets.count == out.count, "one offset per state")
            for j in out.indices { out[j] -= offsets[j] }
        }
        return out
    }

    /// The tensor with every sampled response's row capped and offset (see `apply`).
    public func apply(_ tensor: CrossScoreTensor) -> CrossScoreTensor {
        guard nats != nil || offsets != nil else { return tensor }
        let n = tensor.states
        var values = tensor.values
        for r in 0..<(tensor.states * tensor.samples) {
            let row = apply((0..<n).map { Double(values[r * n + $0]) })
            for j in 0..<n { values[r * n + j] = Float(row[j]) }
        }
        return CrossScoreTensor(states: n, samples: tensor.samples, values: values)
    }
}
