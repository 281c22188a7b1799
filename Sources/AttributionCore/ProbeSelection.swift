import Common

/// A fixed probe set chosen offline, as published fingerprinting tools send one: the `count`
/// prompts with the largest EIG under the prior (the same for every model, whatever its
/// answers), asked in that order, each once. When every probe has been asked the strategy has
/// no candidate left and the model stops. A baseline for adaptive selection: it uses the
/// tensors to choose its probes, but never the answers.
public struct ProbeSelection: SelectionStrategy {
    public var count: Int
    public init(count: Int = 8) { self.count = count }
    public var name: String { "probes" }

    /// The probe set of `bank`: its `count` best prompts by prior EIG, best first (ties by index).
    public func probes(_ bank: PromptBank) -> [Int] {
        let gains = bank.eig(logWeights: bank.space.logPriorStates)
        return gains.indices.sorted { gains[$0] != gains[$1] ? gains[$0] > gains[$1] : $0 < $1 }.prefix(count).map { $0 }
    }

    public func select(_ context: SelectionContext, bank: PromptBank, rng: inout SeededGenerator) -> Selection? {
        let open = Set(context.candidates)
        guard let p = probes(bank).first(where: open.contains) else { return nil }
        return Selection(prompt: p, score: 0, eig: nil)
    }
}
