import Common
import Engine
import Foundation

/// What an exactly specified drift model allows on a zoo: the fine-tunes expected right when
/// every fine-tune gets a fixed number of answers to random prompts, under oracle worlds (the
/// candidates fine-tuned on each fine-tune's own domain text at its true strength). Written by
/// `attrib zoo ceiling` (`ZooCeiling`) as `Results/floor/ZOO-ceiling.json`; an experiment's summary
/// shows it beside each configuration's correct attributions.
public struct OracleCeiling: Codable, Sendable, Equatable {
    public var zoo: String
    /// Fine-tunes in the zoo (the `None` ones counted right for free).
    public var total: Int
    /// Answers per fine-tune, ascending.
    public var counts: [Int]
    /// Expected right at each count, per observation model (`oracle`, `pristine`, ...).
    public var expected_right: [String: [Double]]

    public init(zoo: String, total: Int, counts: [Int], expected_right: [String: [Double]]) {
        self.zoo = zoo
        self.total = total
        self.counts = counts
        self.expected_right = expected_right
    }

    /// The ceiling file of the zoo a spec names (`Experiments/zoos/NAME.json` →
    /// `Results/floor/NAME-ceiling.json`), or nil when there is none or it cannot be read.
    public static func load(forZoo zoo: String, results: URL = URL(fileURLWithPath: Repository.path("Results"))) -> OracleCeiling? {
        let name = URL(fileURLWithPath: zoo).deletingPathExtension().lastPathComponent
        let url = results.appendingPathComponent("floor").appendingPathComponent("\(name)-ceiling.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(OracleCeiling.self, from: data)
    }

    /// Expected right under oracle worlds with `budget` answers per fine-tune: the value at the
    /// largest count not above it (a run stops early, so the budget is an upper bound on its
    /// answers), with that count; nil when every count is above the budget.
    public func oracle(atBudget budget: Int) -> (count: Int, expectedRight: Double)? {
        guard let values = expected_right["oracle"], values.count == counts.count,
              let k = counts.lastIndex(where: { $0 <= budget }) else { return nil }
        return (counts[k], values[k])
    }
}
