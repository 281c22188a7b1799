import AttributionCore
@testable import Calibration
import Common
import Engine
import Foundation
import LinearAlgebra
import Testing
@testable import Workflow

/// The calibration fit on hand-made trajectories, whose posteriors are known in closed form.
@Suite struct CalibrationFitTests {
    /// Two bases, no `None`, no latent grid: the prior is 1/2 each and the posterior of base 0
    /// after log-likelihood differences d_1..d_k is 1 / (1 + exp(-sum d)).
    let space = HypothesisSpace(baseNames: ["a", "b"], noneMass: 0)

    func logistic(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    @Test func replayMatchesClosedForm() {
        let t = [CalibrationTrajectory(truth: 0, scores: [[0, -3], [0, -3]])]
        // beta 1, no cap: 0.9526 after one answer (a stop, right), 0.9975 after two.
        let plain = Calibration.replay(t, space: space, beta: 1, cap: nil, threshold: 0.95)
        #expect(abs(plain.logScore - (log(logistic(3)) + log(logistic(6))) / 2) < 1e-12)
        #expect(plain.stops == 1 && plain.stopsRight == 1)
        // beta 0.5: 0.8176, then 0.9526 (the stop comes at the second answer).
        let tempered = Calibration.replay(t, space: space, beta: 0.5, cap: nil, threshold: 0.95)
        #expect(abs(tempered.logScore - (log(logistic(1.5)) + log(logistic(3))) / 2) < 1e-12)
        #expect(tempered.stops == 1)
        // cap 1 nat: each answer moves the log odds by log((1 + e^-1) / (e^-3 + e^-1)) = 1.186.
        let d = log((1 + exp(-1.0)) / (exp(-3.0) + exp(-1.0)))
        let capped = Calibration.replay(t, space: space, beta: 1, cap: 1, threshold: 0.95)
        #expect(abs(capped.logScore - (log(logistic(d)) + log(logistic(2 * d))) / 2) < 1e-12)
        #expect(capped.stops == 0)
        #expect(capped.stopAccuracy == 1)
    }

    @Test func replayCountsAWrongStopOnce() {
        // One answer that looks like proof for the wrong base, then evidence for the truth.
        let t = [CalibrationTrajectory(truth: 1, scores: [[0, -30], [-2, 0], [-2, 0]])]
        let r = Calibration.replay(t, space: space, beta: 1, cap: nil, threshold: 0.95)
        #expect(r.stops == 1 && r.stopsRight == 0)
        #expect(r.bins.map(\.count).reduce(0, +) == 3)
    }

    /// Eighteen models whose answers favour their truth by 4 nats each, and one whose first
    /// answer favours the wrong base by as much before its answers favour the truth. At beta 1
    /// it stops wrong after one answer (18 of 19 stops right, under the target), yet beta 1
    /// has the best log score: being sharp on the eighteen outweighs one model's lapse.
    func misleadingSet() -> [CalibrationTrajectory] {
        let honest = (0..<18).map { _ in CalibrationTrajectory(truth: 0, scores: Array(repeating: [0, -4], count: 6)) }
        let fooled = CalibrationTrajectory(truth: 1, scores: [[0, -4]] + Array(repeating: [-4, 0], count: 5))
        return honest + [fooled]
    }

    @Test func fitKeepsStatedConfidenceHonest() {
        let trajectories = misleadingSet()
        let fitted = Calibration.fit(trajectories: trajectories, space: space, caps: Calibration.capGrid, threshold: 0.95, responsesPerModel: 6)
        #expect(fitted.stopAccuracy >= Calibration.honestyTarget)
        #expect(fitted.models == 19 && fitted.responses == 114)
        // It is the best log score among the honest pairs, and a dishonest pair scores better
        // (otherwise the constraint would not have been tested).
        var bestHonest = -Double.infinity, bestAny = -Double.infinity
        for beta in Calibration.betaGrid {
            for cap in Calibration.capGrid {
                let r = Calibration.replay(trajectories, space: space, beta: beta, cap: cap, threshold: 0.95)
                bestAny = max(bestAny, r.logScore)
                if r.stopAccuracy >= Calibration.honestyTarget { bestHonest = max(bestHonest, r.logScore) }
            }
        }
        #expect(fitted.logScore == bestHonest)
        #expect(bestAny > bestHonest)
    }

    @Test func whenNoPairIsHonestTheFitIsTheMostHonest() {
        // One model is always taken for base 0 and one always rightly so, whatever the pair;
        // the third (truth 0, 0.05 nats per answer) stops only at beta >= 0.3 (200 x 0.05 x beta
        // >= log 19), which makes 2 of 3 stops right instead of 1 of 2.
        let trajectories = [
            CalibrationTrajectory(truth: 1, scores: Array(repeating: [0, -4], count: 200)),
            CalibrationTrajectory(truth: 0, scores: Array(repeating: [0, -4], count: 200)),
            CalibrationTrajectory(truth: 0, scores: Array(repeating: [0, -0.05], count: 200)),
        ]
        let fitted = Calibration.fit(trajectories: trajectories, space: space, caps: Calibration.capGrid, threshold: 0.95, responsesPerModel: 200)
        #expect(fitted.stops == 3 && fitted.stopsRight == 2)
        #expect(fitted.beta >= 0.3)
    }

    @Test func withoutMisleadingAnswersTheFitIsTheBestLogScore() {
        let trajectories = Array(misleadingSet().prefix(18))
            + [CalibrationTrajectory(truth: 1, scores: Array(repeating: [-4, 0], count: 6))]
        let fitted = Calibration.fit(trajectories: trajectories, space: space, caps: Calibration.capGrid, threshold: 0.95, responsesPerModel: 6)
        var bestAny = -Double.infinity
        for beta in Calibration.betaGrid {
            for cap in Calibration.capGrid {
                bestAny = max(bestAny, Calibration.replay(trajectories, space: space, beta: beta, cap: cap, threshold: 0.95).logScore)
            }
        }
        #expect(fitted.logScore == bestAny)
        #expect(fitted.stops == 19 && fitted.stopsRight == 19)
    }

    /// Every candidate is drifted toward another one, and every candidate's text is used once.
    @Test func crossPartnersArePermutationsWithoutFixedPoints() {
        for count in 2...20 {
            let partners = (0..<count).map { Calibration.crossPartner(of: $0, count: count) }
            #expect(Set(partners).count == count)
            #expect(partners.enumerated().allSatisfy { $0 != $1 && (0..<count).contains($1) })
        }
        #expect(Calibration.crossPartner(of: 0, count: 19) == 9)
    }
}


/// Per-hypothesis offsets, on trajectories where base `b` explains every model better than it
/// should: by 1 nat per answer on `a`'s models, by 3 on its own.
extension CalibrationFitTests {
    func biasedSet() -> [CalibrationTrajectory] {
        [CalibrationTrajectory(truth: 0, scores: Array(repeating: [0, 1], count: 6)),
         CalibrationTrajectory(truth: 1, scores: Array(repeating: [0, 3], count: 6))]
    }

    /// The penalised objective along offsets (-d/2, d/2), in closed form: after k answers the
    /// log odds of b against a are k (1 - d) on a's model and k (3 - d) on b's.
    func objective(_ d: Double) -> Double {
        var total = 0.0
        for k in 1...6 {
            let x = Double(k)
            total += log(logistic(-x * (1 - d))) + log(logistic(x * (3 - d)))
        }
        return total / 12 - Calibration.offsetPenalty * d * d / 2
    }

    @Test func offsetsReachTheOptimumOfTheirObjective() {
        // The objective is symmetric under b -> (4 - d) without the penalty, so without it the
        // optimum is d = 2; the penalty pulls it a little toward 0. Golden-section search for it.
        var low = 0.0, high = 4.0
        let ratio = (sqrt(5.0) - 1) / 2
        for _ in 0..<200 {
            let m1 = high - ratio * (high - low), m2 = low + ratio * (high - low)
            if objective(m1) < objective(m2) { low = m1 } else { high = m2 }
        }
        let best = (low + high) / 2
        #expect(best > 1.5 && best < 2)
        let b = Calibration.fitOffsets(biasedSet(), space: space, beta: 1, cap: nil)
        #expect(abs((b[1] - b[0]) - best) < 1e-6)
        #expect(abs(b[0] + b[1]) < 1e-9)
        // The replay with those offsets scores what the closed form says.
        let r = Calibration.replay(biasedSet(), space: space, beta: 1, cap: nil, offsets: b, threshold: 0.95)
        #expect(abs(r.logScore - (objective(best) + Calibration.offsetPenalty * best * best / 2)) < 1e-6)
    }

    /// The objective's gradient and curvature against central finite differences, on a space
    /// with None and a latent grid, trajectories of uneven scores, and a cap.
    @Test func theOffsetObjectivesDerivativesAreItsFiniteDifferences() {
        let grid = HypothesisSpace(baseNames: ["a", "b"], noneMass: 0.2, latentGrid: [0.1, 0.4])
        var rng = SeededGenerator(seed: 3)
        func row() -> [Double] { (0..<grid.stateCount).map { _ in -Double(rng.next() % 4000) / 1000 } }
        let cap = LikelihoodCap(nats: 2)
        let rows = (0..<3).map { _ in (0..<4).map { _ in cap.apply(row()) } }
        let truths = [0, 1, 2]
        let b = [0.3, -0.2, 0.1], h = 1e-5
        let at = Calibration.offsetObjective(rows, truths: truths, space: grid, offsets: b)
        for i in 0..<3 {
            var up = b, down = b
            up[i] += h; down[i] -= h
            let fUp = Calibration.offsetObjective(rows, truths: truths, space: grid, offsets: up)
            let fDown = Calibration.offsetObjective(rows, truths: truths, space: grid, offsets: down)
            #expect(abs((fUp.value - fDown.value) / (2 * h) - at.gradient[i]) < 1e-6)
            for j in 0..<3 {
                // The curvature is the negated Hessian: minus the gradient's derivative.
                #expect(abs(-(fUp.gradient[j] - fDown.gradient[j]) / (2 * h) - at.curvature[i, j]) < 1e-5)
            }
        }
    }

    @Test func theFitKeepsOffsetsThatImproveItAndTheSettingsSpreadThemOverStates() {
        let fitted = Calibration.fit(trajectories: biasedSet(), space: space, caps: [nil], threshold: 0.95, responsesPerModel: 6, offsets: true)
        let plain = Calibration.fit(trajectories: biasedSet(), space: space, caps: [nil], threshold: 0.95, responsesPerModel: 6)
        #expect(plain.offsets == nil)
        #expect(fitted.offsets != nil && fitted.logScore > plain.logScore)
        // Two bases and None on a grid of three: each hypothesis's offset on its three states.
        var settings = EngineSettings()
        settings.observation.answerOffsets = [0.5, -0.25, 0]
        let grid = HypothesisSpace(baseNames: ["a", "b"], noneMass: 0.1, latentGrid: [0.02, 0.15, 0.5])
        #expect(settings.observation.likelihoodCap(space: grid).offsets == [0.5, 0.5, 0.5, -0.25, -0.25, -0.25, 0, 0, 0])
        #expect(settings.observation.likelihoodCap(space: grid).apply([1, 1, 1, 1, 1, 1, 1, 1, 1]) == [0.5, 0.5, 0.5, 1.25, 1.25, 1.25, 1, 1, 1])
    }
}
