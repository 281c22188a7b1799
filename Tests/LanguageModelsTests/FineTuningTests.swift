import Testing
@testable import LanguageModels

@Suite struct FineTuningTests {
    let base = Fixtures.models[2]
    let domain = Fixtures.responseDocuments

    @Test func strengthZeroEqualsTheBase() throws {
        let tuned = try base.fineTuned(on: domain, strength: 0, seed: 1)
        #expect(tuned.serialized() == base.serialized())
        for line in Fixtures.logLines.prefix(10) {
            let context = base.tokenizer.encode(line)
            #expect(tuned.nextTokenLogProbabilities(context: context) == base.nextTokenLogProbabilities(context: context))
        }
    }

    @Test func strengthMovesTheModelTowardsTheDomain() throws {
        let heldOut = Array(domain.suffix(20))
        let training = Array(domain.dropLast(20))
        func domainScore(_ model: NGramLanguageModel) -> Double {
            heldOut.reduce(0) { $0 + model.score(prompt: "", continuation: $1) }
        }
        #expect(training.count >= 20)
        let scores = try [0.0, 0.1, 0.5, 0.9].map { try domainScore(base.fineTuned(on: training, strength: $0, seed: 4)) }
        // Light to medium strength fits held-out domain text monotonically better; heavy
        // strength repeats a tiny domain (up to 4 epochs) and may overfit, but still beats the base.
        #expect(scores[0] < scores[1] && scores[1] < scores[2] && scores[0] < scores[3], "\(scores)")
    }

    @Test func fineTuneKeepsTheBaseTokenizer() throws {
        let tuned = try base.fineTuned(on: domain, strength: 0.3, seed: 2)
        #expect(tuned.tokenizer.identifier == base.tokenizer.identifier)
        #expect(tuned.order == base.order)
        #expect(tuned.serialized() != base.serialized())
    }

    @Test func fineTuningIsDeterministicInTheSeed() throws {
        let first = try base.fineTuned(on: domain, strength: 0.05, seed: 8)
        let second = try base.fineTuned(on: domain, strength: 0.05, seed: 8)
        let other = try base.fineTuned(on: domain, strength: 0.05, seed: 9)
        #expect(first.serialized() == second.serialized())
        #expect(first.serialized() != other.serialized())
    }

    @Test func strengthMustBeAProportion() {
        #expect(throws: LanguageModelError.self) { try base.fineTuned(on: domain, strength: 1.5, seed: 0) }
        #expect(throws: LanguageModelError.self) { try base.fineTuned(on: domain, strength: -0.1, seed: 0) }
    }
}
