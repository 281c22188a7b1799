import Engine
import AttributionCore
import LinearAlgebra

/// One calibration model's answers: the index of its true state's hypothesis (the last one is
/// `None` when the space has it) and, per answer, its log-likelihood (natural log, beta = 1,
/// no cap) under every state of the space.
public struct CalibrationTrajectory: Sendable, Equatable {
    public var truth: Int
    public var scores: [[Double]]

    public init(truth: Int, scores: [[Double]]) {
        self.truth = truth
        self.scores = scores
    }
}

extension Calibration {
    /// What one (beta, cap) pair does to the calibration trajectories.
    struct Replay {
        /// Mean log posterior probability (natural log) of the true hypothesis over all models and answers.
        var logScore = 0.0
        /// Models whose largest posterior reached the threshold, and those right at that answer.
        var stops = 0
        var stopsRight = 0
        var bins: [CalibrationBin]

        var stopAccuracy: Double { stops == 0 ? 1 : Double(stopsRight) / Double(stops) }
    }

    static let binEdges = [0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0000001]

    /// Replays every trajectory's posterior at `beta`, `cap` and per-hypothesis `offsets` (nats per answer).
    static func replay(_ trajectories: [CalibrationTrajectory], space: HypothesisSpace, beta: Double, cap capNats: Double?,
                       offsets: [Double]? = nil, threshold: Double) -> Replay {
        let cap = LikelihoodCap(nats: capNats, hypothesisOffsets: offsets, space: space)
        var r = Replay(bins: (0..<(binEdges.count - 1)).map {
            CalibrationBin(lower: binEdges[$0], upper: binEdges[$0 + 1], count: 0, accuracy: 0)
        })
        var total = 0.0, count = 0
        for t in trajectories {
            var posterior = Posterior(space: space)
            var stopped = false
            for s in t.scores {
                try? posterior.update(logLikelihoods: cap.apply(s.map { beta * $0 }))
                total += posterior.logMarginal[t.truth]
                count += 1
                let (map, p) = posterior.mapHypothesis
                let right = map == t.truth
                if !stopped && p >= threshold {
                    stopped = true
                    r.stops += 1
                    if right { r.stopsRight += 1 }
                }
                if let b = r.bins.firstIndex(where: { p >= $0.lower && p < $0.upper }) {
                    r.bins[b].accuracy = (r.bins[b].accuracy * Double(r.bins[b].count) + (right ? 1 : 0)) / Double(r.bins[b].count + 1)
                    r.bins[b].count += 1
                }
            }
        }
        r.logScore = total / Double(max(1, count))
        return r
    }

    /// Fits beta (over `betaGrid`) and the cap (over `caps`): the best mean log score among the
    /// pairs whose threshold stops are right at least `honestyTarget` of the time; when no pair
    /// is that honest, the most honest pair (ties: the better log score). With `offsets`, also
    /// per-hypothesis offsets (`fitOffsets`) at the chosen pair, then beta and the cap again with
    /// those offsets; the offsets are kept only when the replay with them is the better one.
    static func fit(trajectories: [CalibrationTrajectory], space: HypothesisSpace, caps: [Double?], threshold: Double,
                    responsesPerModel: Int, offsets fitsOffsets: Bool = false) -> Calibration {
        func better(_ a: Replay, than b: Replay) -> Bool {
            let aHonest = a.stopAccuracy >= honestyTarget, bHonest = b.stopAccuracy >= honestyTarget
            if aHonest != bHonest { return aHonest }
            if !aHonest && a.stopAccuracy != b.stopAccuracy { return a.stopAccuracy > b.stopAccuracy }
            return a.logScore > b.logScore
        }
        func grid(offsets: [Double]?) -> (beta: Double, cap: Double?, replay: Replay) {
            var best: (beta: Double, cap: Double?, replay: Replay)?
            for beta in betaGrid {
                for cap in caps {
                    let r = replay(trajectories, space: space, beta: beta, cap: cap, offsets: offsets, threshold: threshold)
                    if best == nil || better(r, than: best!.replay) { best = (beta, cap, r) }
                }
            }
            return best!
        }
        var fitted = grid(offsets: nil)
        var offsets: [Double]?
        if fitsOffsets {
            let first = fitOffsets(trajectories, space: space, beta: fitted.beta, cap: fitted.cap)
            let regrid = grid(offsets: first)
            let second = fitOffsets(trajectories, space: space, beta: regrid.beta, cap: regrid.cap)
            let r = replay(trajectories, space: space, beta: regrid.beta, cap: regrid.cap, offsets: second, threshold: threshold)
            if better(r, than: fitted.replay) {
                fitted = (regrid.beta, regrid.cap, r)
                offsets = second
            }
        }
        let atOne = replay(trajectories, space: space, beta: 1, cap: nil, threshold: threshold)
        return Calibration(beta: fitted.beta, cap: fitted.cap, offsets: offsets, logScore: fitted.replay.logScore,
                           logScoreAtOne: atOne.logScore, models: trajectories.count, responses: trajectories.count * responsesPerModel,
                           stops: fitted.replay.stops, stopsRight: fitted.replay.stopsRight, bins: fitted.replay.bins)
    }

    /// L2 penalty (per nat squared) on the offsets: fixes the constant they are otherwise free
    /// to share, and keeps a hypothesis with few calibration answers near zero.
    static let offsetPenalty = 0.01
    /// Newton steps of `fitOffsets` at most.
    static let offsetIterations = 30

    /// The objective of `fitOffsets` at `b`, with its gradient and the negated Hessian.
    static func offsetObjective(_ rows: [[[Double]]], truths: [Int], space: HypothesisSpace, offsets b: [Double])
        -> (value: Double, gradient: [Double], curvature: Matrix) {
        let n = b.count, shift = LikelihoodCap(nats: nil, hypothesisOffsets: b, space: space)
        let pairs = Double(max(1, rows.reduce(0) { $0 + $1.count }))
        var value = -offsetPenalty * b.reduce(0) { $0 + $1 * $1 }
        var gradient = b.map { -2 * offsetPenalty * $0 }
        var curvature = Matrix(rows: n, columns: n)
        for h in 0..<n { curvature[h, h] = 2 * offsetPenalty }
        for (truth, trajectory) in zip(truths, rows) {
            var posterior = Posterior(space: space)
            for (k, row) in trajectory.enumerated() {
                try? posterior.update(logLikelihoods: shift.apply(row))
                let kk = Double(k + 1), p = posterior.marginal
                value += posterior.logMarginal[truth] / pairs
                for h in 0..<n {
                    gradient[h] += kk * p[h] / pairs
                    curvature[h, h] += kk * kk * p[h] / pairs
                    for g in 0..<n { curvature[h, g] -= kk * kk * p[h] * p[g] / pairs }
                }
                gradient[truth] -= kk / pairs
            }
        }
        return (value, gradient, curvature)
    }

    /// Per-hypothesis offsets `b` (nats per answer) maximising the mean, over every trajectory
    /// and answer count k, of the log posterior probability of the true hypothesis when each
    /// answer's tempered, capped log-likelihood of hypothesis h is lowered by `b_h`, minus
    /// `offsetPenalty * |b|^2`. The objective is concave in `b` (a log-softmax of functions
    /// linear in it): its gradient in `b_h` is the mean of `k * (P_k(h) - [h is true])` (a
    /// hypothesis the posterior favours on other bases' models is pushed down), its Hessian
    /// `-mean k^2 (diag P_k - P_k P_k^T) - 2 * offsetPenalty`. Newton's method, halving a step
    /// that does not improve the objective.
    static func fitOffsets(_ trajectories: [CalibrationTrajectory], space: HypothesisSpace, beta: Double, cap capNats: Double?) -> [Double] {
        let cap = LikelihoodCap(nats: capNats)
        let rows = trajectories.map { t in t.scores.map { cap.apply($0.map { beta * $0 }) } }
        let truths = trajectories.map(\.truth)
        var b = [Double](repeating: 0, count: space.hypothesisCount)
        var current = offsetObjective(rows, truths: truths, space: space, offsets: b)
        for _ in 0..<offsetIterations {
            guard let direction = try? current.curvature.solve(current.gradient), direction.allSatisfy(\.isFinite) else { break }
            var scale = 1.0, improved = false
            while scale > 1e-4 {
                let trial = zip(b, direction).map { $0 + scale * $1 }
                let next = offsetObjective(rows, truths: truths, space: space, offsets: trial)
                if next.value >= current.value {
                    b = trial
                    current = next
                    improved = true
                    break
                }
                scale /= 2
            }
            if !improved || direction.reduce(0, { max($0, abs($1)) }) * scale < 1e-9 { break }
        }
        return b
    }
}
