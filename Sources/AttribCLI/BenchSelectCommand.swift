import ArgumentParser
import AttributionCore
import Common
import Foundation
import Workflow

/// `attrib bench select`: times one full EIG selection step over a random tensor store.
struct BenchSelect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "select",
        abstract: "Time one EIG selection step (every prompt scored, the best chosen).",
        discussion: """
            Builds a random cross-score store of the given size (not timed), then times
            repeated selection steps under a random posterior in which every state is active.
            Prints median and 90th-percentile milliseconds; --json prints one JSON object.
            """)

    @Option(help: "Number of candidate prompts.") var prompts = 1000
    @Option(help: "Number of hypotheses (bases plus None).") var hypotheses = 13
    @Option(help: "Responses sampled per hypothesis and prompt.") var samples = 32
    @Option(help: "Latent drift grid points per hypothesis (1 = no latent parameter).") var grid = 1
    @Option(help: "Timed repetitions.") var runs = 50
    @Option(help: "Untimed warm-up repetitions.") var warmup = 5
    @Option(help: "Random seed for the store and the posterior.") var seed: UInt64 = 1
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func validate() throws {
        guard prompts >= 1 else { throw ValidationError("--prompts must be at least 1.") }
        guard hypotheses >= 2 else { throw ValidationError("--hypotheses must be at least 2 (one base and None).") }
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1.") }
        guard grid >= 1 else { throw ValidationError("--grid must be at least 1.") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1.") }
        guard warmup >= 0 else { throw ValidationError("--warmup cannot be negative.") }
    }

    func run() throws {
        let space = HypothesisSpace(baseNames: (1..<hypotheses).map { "base\($0)" }, noneMass: 1 / Double(hypotheses),
                                    latentGrid: grid == 1 ? [] : (0..<grid).map { 0.05 + 0.9 * Double($0) / Double(grid) })
        var rng = SeededGenerator(seed: seed)
        let buildStart = DispatchTime.now()
        let bank = BenchSelect.randomBank(space: space, prompts: prompts, samples: samples, rng: &rng)
        let buildMs = BenchSelect.milliseconds(since: buildStart)
        let logWeights = LogSpace.normalised((0..<space.stateCount).map { _ in 3 * rng.nextUnit() })
        let context = SelectionContext(logWeights: logWeights, candidates: Array(0..<prompts))
        let strategy = GreedyEIG()
        var chosen = -1
        for _ in 0..<warmup { chosen = strategy.select(context, bank: bank, rng: &rng)?.prompt ?? -1 }
        var times = [Double]()
        for _ in 0..<runs {
            let start = DispatchTime.now()
            chosen = strategy.select(context, bank: bank, rng: &rng)?.prompt ?? -1
            times.append(BenchSelect.milliseconds(since: start))
        }
        times.sort()
        let result = BenchResult(prompts: prompts, hypotheses: hypotheses, samples: samples, grid: grid, runs: runs,
                                 median_ms: BenchSelect.quantile(times, 0.5), p90_ms: BenchSelect.quantile(times, 0.9),
                                 min_ms: times.first!, max_ms: times.last!, build_ms: buildMs, chosen_prompt: chosen)
        if json {
            let encoder = attribJSONEncoder()
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print("EIG selection step: \(prompts) prompts x \(hypotheses) hypotheses x \(samples) samples, grid \(grid)")
            print(String(format: "  median %.3f ms   p90 %.3f ms   min %.3f ms   max %.3f ms   (%d runs; store built in %.0f ms)",
                         result.median_ms, result.p90_ms, result.min_ms, result.max_ms, runs, buildMs))
        }
    }

    struct BenchResult: Encodable {
        let prompts, hypotheses, samples, grid, runs: Int
        let median_ms, p90_ms, min_ms, max_ms, build_ms: Double
        let chosen_prompt: Int
    }

    /// Random tensors in which each state's own samples score best under that state on
    /// average, like real cross-scores (log-likelihoods of 20 or so tokens, in nats).
    static func randomBank(space: HypothesisSpace, prompts: Int, samples: Int, rng: inout SeededGenerator) -> PromptBank {
        let n = space.stateCount
        let tensors = (0..<prompts).map { _ in
            CrossScoreTensor(states: n, samples: samples) { i, _, j in
                -40 * rng.nextUnit() + (i == j ? 5 : 0)
            }
        }
        return PromptBank(space: space, tensors: tensors)
    }

    static func milliseconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
    }

    /// Linear-interpolated quantile of sorted values.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let pos = q * Double(sorted.count - 1)
        let lo = Int(pos.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
    }
}
