import ArgumentParser
import Common
import Testing
@testable import AttribCLI
import AttributionCore

@Suite struct BenchCommandTests {
    @Test func rejectsNonsenseSizesWithASentence() {
        #expect(throws: (any Error).self) { try AttribCommand.parseAsRoot(["bench", "select", "--prompts", "0"]) }
        do {
            _ = try AttribCommand.parseAsRoot(["bench", "select", "--hypotheses", "1"])
            Issue.record("expected a validation error")
        } catch {
            #expect(AttribCommand.message(for: error) == "--hypotheses must be at least 2 (one base and None).")
        }
    }

    @Test func helpListsEveryOption() {
        let help = AttribCommand.helpMessage(for: BenchSelect.self)
        for option in ["--prompts", "--hypotheses", "--samples", "--grid", "--runs", "--warmup", "--seed", "--json"] {
            #expect(help.contains(option))
        }
        #expect(AttribCommand.helpMessage().contains("bench"))
    }

    @Test func parsesTheReferenceInvocation() throws {
        let command = try AttribCommand.parseAsRoot(["bench", "select", "--prompts", "1000", "--hypotheses", "13", "--samples", "32", "--json"])
        let select = try #require(command as? BenchSelect)
        #expect(select.prompts == 1000 && select.hypotheses == 13 && select.samples == 32 && select.json)
    }

    @Test func quantilesInterpolate() {
        #expect(BenchSelect.quantile([1, 2, 3, 4], 0.5) == 2.5)
        #expect(BenchSelect.quantile([1, 2, 3, 4, 5], 0.9) == 4.6)
        #expect(BenchSelect.quantile([7], 0.9) == 7)
    }

    @Test func randomBankHasRequestedShape() {
        var rng = SeededGenerator(seed: 1)
        let bank = BenchSelect.randomBank(space: .init(baseNames: ["a", "b"], noneMass: 0.3), prompts: 3, samples: 4, rng: &rng)
        #expect(bank.count == 3 && bank.samples == 4 && bank.space.stateCount == 3)
    }
}
