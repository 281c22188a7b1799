import Common
import Foundation
import Testing
@testable import AttributionCore

@Suite struct LikelihoodCapTests {
    @Test func capsARowAgainstHandComputedValues() {
        let capped = LikelihoodCap(nats: 3).apply([0, -10, -1])
        // l' = log(exp(l) + exp(max - 3)), max = 0.
        let expected = [log(1 + exp(-3.0)), log(exp(-10.0) + exp(-3.0)), log(exp(-1.0) + exp(-3.0))]
        for (a, b) in zip(capped, expected) { #expect(abs(a - b) < 1e-12) }
    }

    @Test func noCapAndImpossibleRowsAreLeftAlone() {
        let row = [-1.0, -50, 3]
        #expect(LikelihoodCap.none.apply(row) == row)
        let impossible = [-Double.infinity, -.infinity]
        #expect(LikelihoodCap(nats: 2).apply(impossible) == impossible)
        // A state the answer rules out entirely is lifted to the cap, not left at -infinity.
        let lifted = LikelihoodCap(nats: 2).apply([0, -.infinity])
        #expect(abs(lifted[1] - (-2)) < 1e-12)
    }

    @Test func noAnswerShiftsTheLogOddsByMoreThanTheBound() {
        var rng = SeededGenerator(seed: 11)
        for nats in [0.5, 2.0, 6.0] {
            let bound = nats + log1p(exp(-nats))
            for _ in 0..<200 {
                let row = (0..<7).map { _ in -Double(rng.next() % 100_000) / 1000 }
                let capped = LikelihoodCap(nats: nats).apply(row)
                #expect(capped.max()! - capped.min()! <= bound + 1e-9)
                // Order is kept: capping never reverses which state explains an answer better.
                for i in row.indices { for j in row.indices where row[i] < row[j] { #expect(capped[i] <= capped[j]) } }
            }
        }
    }

    @Test func tensorRowsAreCappedLikeAnswers() {
        let tensor = CrossScoreTensor(states: 2, samples: 2) { i, s, j in -Double(i * 7 + s * 3 + j * 11) }
        let cap = LikelihoodCap(nats: 1.5)
        let capped = cap.apply(tensor)
        for i in 0..<2 {
            for s in 0..<2 {
                let row = cap.apply((0..<2).map { Double(tensor[from: i, sample: s, under: $0]) })
                for j in 0..<2 { #expect(abs(Double(capped[from: i, sample: s, under: j]) - row[j]) < 1e-5) }
            }
        }
        #expect(LikelihoodCap.none.apply(tensor) == tensor)
    }
}
