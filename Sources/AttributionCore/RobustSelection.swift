import Common
import Foundation

/// Acquisition that hedges against the observation model's errors (issue 29). Greedy EIG
/// trusts the model most where it is most wrong: it asks where the model says relatives
/// differ, which under drift is often where the fine-tune's own domain misleads. Each of these
/// keeps EIG's scores and spreads the risk one way; `attrib experiment` compares them with
/// `eig` and `random` paired by seed.

/// EIG under the posterior tempered by `power` (log weights times `power`, renormalised): a
/// flatter belief than the one the answers gave, so a prompt that only separates the two
/// leaders stops looking like the only one worth asking.
public struct TemperedEIG: SelectionStrategy {
    /// Power in (0, 1] the log posterior is raised to (1: plain EIG).
    public var power: Double
    public init(power: Double = 0.5) {
        precondition(power > 0 && power <= 1, "the tempering power must be in (0, 1]")
        self.power = power
    }
    public var name: String { "eig-tempered" }
    public var eigReport: EIGReport { .chosen }

    public func select(_ context: SelectionContext, bank: PromptBank, rng: inout SeededGenerator) -> Selection? {
        let tempered = LogSpace.normalised(context.logWeights.map { $0 * power })
        let scores = bank.eig(logWeights: tempered, candidates: context.candidates)
        guard let (k, score) = SelectionStrategies.argmax(context, scores: scores, rng: &rng) else { return nil }
        // The EIG under the posterior itself, for reports and the EIG floor.
        let eig = bank.eig(logWeights: context.logWeights, candidates: [context.candidates[k]])[0]
        return Selection(prompt: context.candidates[k], score: score, eig: eig)
    }
}

/// EIG mixed with exploration: with probability `exploration` a uniformly random candidate,
/// otherwise the greedy EIG choice (an epsilon-greedy design; one draw of the generator
/// decides, so a seed gives the same questions).
public struct ExploringEIG: SelectionStrategy {
    /// Share of the questions asked at random, in [0, 1].
    public var exploration: Double
    public init(exploration: Double = 0.3) {
        precondition((0...1).contains(exploration), "the exploration share must be in [0, 1]")
        self.exploration = exploration
    }
    public var name: String { "eig-explore" }
    public var eigReport: EIGReport { .chosen }

    public func select(_ context: SelectionContext, bank: PromptBank, rng: inout SeededGenerator) -> Selection? {
        if Double.random(in: 0..<1, using: &rng) < exploration {
            guard let p = context.candidates.randomElement(using: &rng) else { return nil }
            return Selection(prompt: p, score: 0, eig: bank.eig(logWeights: context.logWeights, candidates: [p])[0])
        }
        return GreedyEIG().select(context, bank: bank, rng: &rng)
    }
}

/// EIG in expectation over an ensemble of observation models: one per point of the latent
/// drift grid (the posterior conditioned on that drift level), weighted equally whatever the
/// answers say about the drift. Without a grid it is plain EIG.
public struct EnsembleEIG: SelectionStrategy {
    public init() {}
    public var name: String { "eig-ensemble" }
    public var eigReport: EIGReport { .chosen }

    /// Each candidate's EIG averaged over the grid points of `bank`'s space (nats).
    public func scores(logWeights: [Double], candidates: [Int], bank: PromptBank) -> [Double] {
        let space = bank.space
        guard space.gridCount > 1 else { return bank.eig(logWeights: logWeights, candidates: candidates) }
        var total = [Double](repeating: 0, count: candidates.count)
        for g in 0..<space.gridCount {
            let conditioned = LogSpace.normalised(logWeights.indices.map { space.gridPoint(ofState: $0) == g ? logWeights[$0] : -.infinity })
            for (k, e) in bank.eig(logWeights: conditioned, candidates: candidates).enumerated() { total[k] += e }
        }
        return total.map { $0 / Double(space.gridCount) }
    }

    public func select(_ context: SelectionContext, bank: PromptBank, rng: inout SeededGenerator) -> Selection? {
        let scores = scores(logWeights: context.logWeights, candidates: context.candidates, bank: bank)
        guard let (k, score) = SelectionStrategies.argmax(context, scores: scores, rng: &rng) else { return nil }
        let eig = bank.eig(logWeights: context.logWeights, candidates: [context.candidates[k]])[0]
        return Selection(prompt: context.candidates[k], score: score, eig: eig)
    }
}
