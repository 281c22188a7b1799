import Common
import Foundation
import PropertyBased
import Testing
@testable import AttributionCore

@Suite struct PosteriorTests {
    let space = HypothesisSpace(baseNames: ["a", "b", "c"], noneMass: 0.1)

    @Test func priorHasConfiguredNoneMass() {
        let p = Posterior(space: space)
        #expect(abs(p.marginal[3] - 0.1) < 1e-12)
        #expect(abs(p.marginal[0] - 0.3) < 1e-12)
        #expect(space.name(ofHypothesis: 3) == "None")
    }

    @Test func updateIsBayesRuleAndNormalised() throws {
        var p = Posterior(space: space)
        try p.update(logLikelihoods: [log(0.5), log(0.1), log(0.1), log(0.2)])
        // Unnormalised: 0.3*0.5, 0.3*0.1, 0.3*0.1, 0.1*0.2 = 0.15, 0.03, 0.03, 0.02; total 0.23.
        let expected = [0.15, 0.03, 0.03, 0.02].map { $0 / 0.23 }
        for (a, b) in zip(p.marginal, expected) { #expect(abs(a - b) < 1e-12) }
        #expect(abs(p.marginal.reduce(0, +) - 1) < 1e-12)
    }

    @Test func updatesCommute() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededGenerator(seed: UInt64(seed))
            let obs = (0..<8).map { _ in (0..<4).map { _ in -30 * rng.nextUnit() } }
            var forward = Posterior(space: space), shuffled = Posterior(space: space)
            for o in obs { try? forward.update(logLikelihoods: o) }
            for o in obs.shuffled(using: &rng) { try? shuffled.update(logLikelihoods: o) }
            for (a, b) in zip(forward.logWeights, shuffled.logWeights) { #expect(abs(a - b) < 1e-9) }
        }
    }

    @Test func stableAfterAThousandUpdates() throws {
        var p = Posterior(space: space)
        var rng = SeededGenerator(seed: 11)
        // Hypothesis 1 is favoured by 0.5 nats per observation on average, amid noise of
        // several nats and very small absolute likelihoods (about e^-200 each).
        for _ in 0..<1000 {
            let ll = (0..<4).map { h in -200 + 10 * rng.nextUnit() + (h == 1 ? 0.5 : 0) }
            try p.update(logLikelihoods: ll)
        }
        #expect(p.logWeights.allSatisfy { $0.isFinite || $0 == -.infinity })
        #expect(abs(p.marginal.reduce(0, +) - 1) < 1e-9)
        #expect(p.observationCount == 1000)
        #expect(p.mapHypothesis.hypothesis == 1)
    }

    @Test func impossibleObservationIsRejectedAndLeavesPosteriorUnchanged() {
        var p = Posterior(space: space)
        let before = p
        #expect(throws: PosteriorError.impossibleObservation) { try p.update(logLikelihoods: Array(repeating: -.infinity, count: 4)) }
        #expect(throws: PosteriorError.self) { try p.update(logLikelihoods: [0, .nan, 0, 0]) }
        #expect(p == before)
    }

    @Test func latentGridIsMarginalisedForReporting() throws {
        let s = HypothesisSpace(baseNames: ["a", "b"], noneMass: 0, latentGrid: [0.1, 0.4])
        var p = Posterior(space: s)
        // States: (a, .1), (a, .4), (b, .1), (b, .4).
        try p.update(logLikelihoods: [log(0.1), log(0.3), log(0.2), log(0.2)])
        // Joint 0.025, 0.075, 0.05, 0.05 (total 0.2) => P(a) = 0.5, E[eps | a] = 0.25*0.1 + 0.75*0.4.
        #expect(abs(p.marginal[0] - 0.5) < 1e-12)
        #expect(abs(p.latentMean(givenHypothesis: 0)! - 0.325) < 1e-12)
    }
}

@Suite struct ObservationModelTests {
    @Test func driftMixtureMatchesHandComputation() {
        let e = TokenEvidence(decodedLogProbs: [log(0.5), log(0.01)], backgroundLogProbs: [log(0.1), log(0.2)])
        let m = DriftMixtureModel(eps: 0.2, beta: 0.5)
        let byHand = 0.5 * (log(0.8 * 0.5 + 0.2 * 0.1) + log(0.8 * 0.01 + 0.2 * 0.2))
        #expect(abs(m.logLikelihood(e, latent: nil) - byHand) < 1e-12)
        // A latent value overrides eps; eps = 0 is the plain decoded likelihood.
        #expect(abs(m.logLikelihood(e, latent: 0) - 0.5 * (log(0.5) + log(0.01))) < 1e-12)
    }

    @Test func logLikelihoodsCoverEveryState() {
        let s = HypothesisSpace(baseNames: ["a"], noneMass: 0.5, latentGrid: [0, 0.5])
        let ev = [TokenEvidence(decodedLogProbs: [log(0.5)], backgroundLogProbs: [log(0.5)]),
                  TokenEvidence(decodedLogProbs: [log(0.1)], backgroundLogProbs: [log(0.3)])]
        let l = DriftMixtureModel().logLikelihoods(ev, space: s)
        #expect(l.count == 4)
        #expect(abs(l[0] - log(0.5)) < 1e-12 && abs(l[1] - log(0.5)) < 1e-12)
        #expect(abs(l[2] - log(0.1)) < 1e-12 && abs(l[3] - log(0.5 * 0.1 + 0.5 * 0.3)) < 1e-12)
    }
}
