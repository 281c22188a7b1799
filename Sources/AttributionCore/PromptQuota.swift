/// Which prompts each model may still be asked, when the answers come from a log: a model may
/// be asked a prompt as many times as its log holds it, and, replaying in log order, only its
/// next logged prompt. Prompts are indices into the bank.
public struct PromptQuota: Sendable, Equatable {
    /// Per model id: the prompts of its log in log order (an index repeats when the prompt was logged again).
    public var logged: [Int: [Int]]
    /// Whether only the next logged prompt may be asked (a replay in the log's own order).
    public var inLogOrder: Bool

    public init(logged: [Int: [Int]], inLogOrder: Bool = false) {
        self.logged = logged
        self.inLogOrder = inLogOrder
    }

    /// The logged prompts of `model` not yet used by `asked` (a multiset difference), in log order.
    public func remaining(model: Int, asked: [Int]) -> [Int] {
        var used: [Int: Int] = [:]
        for p in asked { used[p, default: 0] += 1 }
        var out: [Int] = []
        for p in logged[model] ?? [] {
            if let n = used[p], n > 0 { used[p] = n - 1 } else { out.append(p) }
        }
        return out
    }

    /// Every prompt `model` may still be asked, each once (in order of first remaining
    /// appearance), whatever the order of the replay: what the EIG floor looks at.
    public func open(model: Int, asked: [Int]) -> [Int] {
        var seen = Set<Int>()
        return remaining(model: model, asked: asked).filter { seen.insert($0).inserted }
    }

    /// The prompts a strategy may choose from now: the next remaining one in log order, or
    /// every open prompt.
    public func choosable(model: Int, asked: [Int]) -> [Int] {
        inLogOrder ? Array(remaining(model: model, asked: asked).prefix(1)) : open(model: model, asked: asked)
    }
}
