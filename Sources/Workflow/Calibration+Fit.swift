import AttributionCore

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

    /// Replays every trajectory's posterior at `beta` and `cap`.
    static func replay(_ trajectories: [CalibrationTrajectory], space: HypothesisSpace, beta: Double, cap capNats: Double?,
                       threshold: Double) -> Replay {
        let cap = LikelihoodCap(nats: capNats)
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
    /// is that honest, the most honest pair (ties: the better log score).
    static func fit(trajectories: [CalibrationTrajectory], space: HypothesisSpace, caps: [Double?], threshold: Double,
                    responsesPerModel: Int) -> Calibration {
        var best: (beta: Double, cap: Double?, replay: Replay)?
        func better(_ a: Replay, than b: Replay) -> Bool {
            let aHonest = a.stopAccuracy >= honestyTarget, bHonest = b.stopAccuracy >= honestyTarget
            if aHonest != bHonest { return aHonest }
            if !aHonest && a.stopAccuracy != b.stopAccuracy { return a.stopAccuracy > b.stopAccuracy }
            return a.logScore > b.logScore
        }
        for beta in betaGrid {
            for cap in caps {
                let r = replay(trajectories, space: space, beta: beta, cap: cap, threshold: threshold)
                if best == nil || better(r, than: best!.replay) { best = (beta, cap, r) }
            }
        }
        let fitted = best!
        let atOne = replay(trajectories, space: space, beta: 1, cap: nil, threshold: threshold)
        return Calibration(beta: fitted.beta, cap: fitted.cap, logScore: fitted.replay.logScore, logScoreAtOne: atOne.logScore,
                           models: trajectories.count, responses: trajectories.count * responsesPerModel,
                           stops: fitted.replay.stops, stopsRight: fitted.replay.stopsRight, bins: fitted.replay.bins)
    }
}
