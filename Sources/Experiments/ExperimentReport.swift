import Engine
import AttributionCore
import Common
import Foundation

/// The tables of an experiment, made from its cell files: `results.csv` (one row per cell
/// and fine-tune) and `summary.md` (per configuration over the seeds, ranked by the MLMAC
/// rules). Also what `attrib experiment merge` writes after joining shards.
public struct ExperimentReport: Sendable {
    public var spec: ExperimentSpec
    public var cells: [Experiment.CellResult]

    /// Reads the cell files in `directory/cells` of the spec's cells (files of cells the spec no
    /// longer has are left out).
    public static func load(spec: ExperimentSpec, directory: URL) throws -> ExperimentReport {
        let cellDirectory = directory.appendingPathComponent("cells")
        let wanted = Set(spec.cells.map { "\($0.id).json" })
        let names = (try? FileManager.default.contentsOfDirectory(atPath: cellDirectory.path)) ?? []
        let cells = try names.filter { wanted.contains($0) }.sorted().map { name in
            let url = cellDirectory.appendingPathComponent(name)
            do { return try attribJSONDecoder().decode(Experiment.CellResult.self, from: Data(contentsOf: url)) } catch {
                throw AttribError.unusable(path: url.path, reason: "is not a cell result: \(error)")
            }
        }
        return ExperimentReport(spec: spec, cells: cells)
    }

    /// One row per (cell, fine-tuned model).
    public var csv: String {
        var lines = ["strategy,threshold,budget,global_budget,decoding,variant,seed,model,truth,attribution,correct,queries,confidence,stop_reason,beta,answer_cap,commit"]
        for c in cells.sorted(by: { order($0.cell) < order($1.cell) }) {
            for r in c.rows {
                lines.append([c.cell.strategy.rawValue, "\(c.cell.threshold)", "\(c.cell.budget)", c.cell.globalBudget.map(String.init) ?? "",
                              c.cell.decoding.rawValue, c.cell.variant ?? "", "\(c.cell.seed)", "\(r.model)",
                              Self.quote(r.truth.name), Self.quote(r.attribution.name), r.correct ? "1" : "0", "\(r.queries)",
                              String(format: "%.4f", r.confidence), Self.quote(r.stopReason?.description ?? "running"), "\(c.settings.observation.beta)",
                              c.settings.observation.answerCap.map { "\($0)" } ?? "", c.commit ?? ""].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func order(_ cell: ExperimentSpec.Cell) -> Int { spec.cells.firstIndex(of: cell) ?? Int.max }

    static func quote(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// A configuration of the grid: every cell with these but the seed.
    public struct Configuration: Sendable, Hashable {
        public var strategy: String
        public var threshold: Double
        public var budget: Int
        public var decoding: String
        public var globalBudget: Int?
        /// The variant's name; "" when the spec has none.
        public var variant: String
    }

    /// Per configuration over its seeds: correct and queries (means, worst, 95% interval).
    public struct Line: Sendable {
        public var configuration: Configuration
        public var seeds: Int
        public var correct: Double
        public var worstCorrect: Int
        /// Half-width of the 95% interval of the mean correct (Student t over the seeds).
        public var correctInterval: Double
        public var queries: Double
        public var worstQueries: Int
        public var total: Int
        public var fano: Double
        /// Fine-tunes stopped by the posterior threshold, over all seeds, and how many of
        /// them were right: the honesty of the stated confidence.
        public var thresholdStops: Int
        public var thresholdStopsRight: Int
    }

    public var lines: [Line] {
        var groups: [Configuration: [Experiment.CellResult]] = [:]
        for c in cells {
            groups[Configuration(strategy: c.cell.strategy.rawValue, threshold: c.cell.threshold, budget: c.cell.budget,
                                 decoding: c.cell.decoding.rawValue, globalBudget: c.cell.globalBudget,
                                 variant: c.cell.variant ?? ""), default: []].append(c)
        }
        return groups.map { configuration, cs in
            let correct = cs.map { Double($0.correct) }
            let stops = cs.flatMap(\.rows).filter { $0.stopReason?.isConfident == true }
            return Line(configuration: configuration, seeds: cs.count, correct: Self.mean(correct),
                        worstCorrect: cs.map(\.correct).min()!, correctInterval: Self.halfWidth95(correct),
                        queries: Self.mean(cs.map { Double($0.queries) }), worstQueries: cs.map(\.queries).max()!,
                        total: cs[0].rows.count, fano: Self.mean(cs.map(\.fanoQueriesPerModel)),
                        thresholdStops: stops.count, thresholdStopsRight: stops.filter(\.correct).count)
        }.sorted { a, b in
            // The MLMAC rules: most correct, then fewest queries.
            a.correct != b.correct ? a.correct > b.correct : a.queries < b.queries
        }
    }

    static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }

    /// Half-width of the 95% confidence interval of the mean: t(0.975, n-1) s / sqrt(n); 0 for one value.
    static func halfWidth95(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let m = mean(x)
        let s = (x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count - 1)).squareRoot()
        let t: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
                           2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045]
        return (x.count - 2 < t.count ? t[x.count - 2] : 1.96) * s / Double(x.count).squareRoot()
    }

    /// Queries at matched accuracy, per seed: the best accuracy `baseline` reaches over the
    /// grid's configurations, the fewest queries with which it reaches it, and the fewest with
    /// which `strategy` reaches it (nil when it never does).
    /// Decodings and variants are different worlds: matched only within `decoding` and `variant`.
    public func matchedAccuracy(strategy: StrategyKind, baseline: StrategyKind = .random, decoding: ExperimentSpec.Decoding = .zoo,
                                variant: String? = nil)
        -> [(seed: UInt64, target: Int, baselineQueries: Int, strategyQueries: Int?)] {
        spec.seeds.compactMap { seed in
            let mine = cells.filter { $0.cell.seed == seed && $0.cell.decoding == decoding && $0.cell.variant == variant }
            let base = mine.filter { $0.cell.strategy == baseline }
            guard let target = base.map(\.correct).max() else { return nil }
            let bq = base.filter { $0.correct >= target }.map(\.queries).min()!
            let sq = mine.filter { $0.cell.strategy == strategy && $0.correct >= target }.map(\.queries).min()
            return (seed, target, bq, sq)
        }
    }

    /// The summary: the ranked table (with the zoo's oracle ceiling when `ceiling` is given),
    /// then the real round-1 leaderboard (labelled as real results on real models) when
    /// `leaderboard` is readable.
    public func markdown(leaderboard: URL?, ceiling: OracleCeiling? = nil) -> String {
        var out = ["# \(spec.name)", "",
                   "Generated by `attrib experiment Experiments/\(spec.name).json` (cells in `cells/`, one row per fine-tune in `results.csv`). Zoo `\(spec.zoo)`; response seeds \(spec.seeds.map(String.init).joined(separator: ", ")). Ranked by the MLMAC rules: mean correct, then mean queries. The interval is the 95% interval of the mean over the seeds; the Fano floor is the fewest queries per model any method needs at the threshold's error rate; threshold stops right counts, over the seeds, the fine-tunes stopped by the posterior threshold and how many of them were right." + (ceiling == nil ? "" : " The oracle ceiling is the fine-tunes expected right with the budget's answers to random prompts per fine-tune under oracle worlds (`Results/floor/`, `attrib zoo ceiling`; at the largest measured count not above the budget, in brackets)."), "",
                   "| rank | strategy | threshold | budget | global budget | decoding | variant | seeds | correct (of \(cells.first?.rows.count ?? 0)) | 95% interval | worst | queries | worst queries | queries per model | Fano floor per model | threshold stops right |" + (ceiling == nil ? "" : " oracle ceiling |"),
                   "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|" + (ceiling == nil ? "" : "---|")]
        for (k, l) in lines.enumerated() {
            out.append(String(format: "| %d | %@ | %g | %d | %@ | %@ | %@ | %d | %.2f | ± %.2f | %d | %.1f | %d | %.2f | %.2f | %d of %d |", k + 1, l.configuration.strategy,
                              l.configuration.threshold, l.configuration.budget, l.configuration.globalBudget.map(String.init) ?? "–",
                              l.configuration.decoding, l.configuration.variant.isEmpty ? "–" : l.configuration.variant, l.seeds, l.correct, l.correctInterval, l.worstCorrect,
                              l.queries, l.worstQueries, l.queries / Double(max(1, l.total)), l.fano, l.thresholdStopsRight, l.thresholdStops)
                       + (ceiling.map { c in c.oracle(atBudget: l.configuration.budget).map { String(format: " %.2f (%d) |", $0.expectedRight, $0.count) } ?? " – |" } ?? ""))
        }
        out += pairedVariants
        if spec.strategies.contains(.random) {
            for variant in spec.variants.map({ $0.map { Optional($0.name) } }) ?? [nil] {
            for decoding in spec.decodings ?? [.zoo] {
            for strategy in spec.strategies where strategy != .random {
                let rows = matchedAccuracy(strategy: strategy, decoding: decoding, variant: variant)
                guard !rows.isEmpty else { continue }
                let parts = [decoding == .zoo ? nil : "decoding \(decoding.rawValue)", variant.map { "variant \($0)" }].compactMap { $0 }
                let under = parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
                out += ["", "Queries at matched accuracy\(under), \(strategy.rawValue) against random: per seed, random's best accuracy over the grid and the fewest queries with which each reaches it.", "",
                        "| seed | random's best correct | random's queries | \(strategy.rawValue)'s queries | ratio |", "|---|---|---|---|---|"]
                var ratios: [Double] = []
                for r in rows {
                    let ratio = r.strategyQueries.map { Double($0) / Double(max(1, r.baselineQueries)) }
                    if let ratio { ratios.append(ratio) }
                    out.append("| \(r.seed) | \(r.target) | \(r.baselineQueries) | \(r.strategyQueries.map(String.init) ?? "never reached") | \(ratio.map { String(format: "%.2f", $0) } ?? "–") |")
                }
                out.append("")
                out.append(String(format: "Mean ratio %.2f over the %d of %d seeds where %@ reaches random's best.", Self.mean(ratios), ratios.count,
                                  rows.count, strategy.rawValue))
            }
            }
            }
        }
        if let leaderboard, let text = try? String(contentsOf: leaderboard, encoding: .utf8) {
            out += ["", "For orientation only: the real round-1 leaderboard (real fine-tunes of real models, 12 of them; not comparable one to one with a simulated zoo).", ""]
            // team,correct_of_12,queries,approach: the approach is unquoted and holds commas.
            let rows = text.split(separator: "\n").map { $0.split(separator: ",", maxSplits: 3).map(String.init) }
            if let header = rows.first {
                out.append("| " + header.joined(separator: " | ") + " |")
                out.append("|" + String(repeating: "---|", count: header.count))
                for r in rows.dropFirst() { out.append("| " + r.joined(separator: " | ") + " |") }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Every variant after the first against the first, per configuration, on the seeds both
    /// ran (paired): the mean difference in correct attributions and in queries, with the 95%
    /// interval of the mean difference. Empty with fewer than two variants.
    var pairedVariants: [String] {
        guard let variants = spec.variants, variants.count > 1 else { return [] }
        let reference = variants[0].name
        var byKey: [String: Experiment.CellResult] = [:]
        for c in cells { byKey[c.cell.id] = c }
        var out = ["", "Variants against `\(reference)` on the same response seeds (paired): the mean per-seed difference in correct attributions and in queries, with the 95% interval of the mean difference.", "",
                   "| variant | strategy | threshold | budget | global budget | decoding | seeds | correct difference | 95% interval | queries difference |",
                   "|---|---|---|---|---|---|---|---|---|---|"]
        for v in variants.dropFirst() {
            for cell in spec.cells where cell.variant == v.name && cell.seed == spec.seeds[0] {
                var dc: [Double] = [], dq: [Double] = []
                for seed in spec.seeds {
                    var mine = cell, theirs = cell
                    mine.seed = seed
                    theirs.seed = seed
                    theirs.variant = reference
                    guard let a = byKey[mine.id], let b = byKey[theirs.id] else { continue }
                    dc.append(Double(a.correct - b.correct))
                    dq.append(Double(a.queries - b.queries))
                }
                guard !dc.isEmpty else { continue }
                out.append(String(format: "| %@ | %@ | %g | %d | %@ | %@ | %d | %+.2f | ± %.2f | %+.1f |", v.name, cell.strategy.rawValue, cell.threshold,
                                  cell.budget, cell.globalBudget.map(String.init) ?? "–", cell.decoding.rawValue, dc.count,
                                  Self.mean(dc), Self.halfWidth95(dc), Self.mean(dq)))
            }
        }
        return out
    }

    /// Writes `results.csv` and `summary.md` into `directory`.
    public func write(to directory: URL, leaderboard: URL?, ceiling: OracleCeiling? = nil) throws {
        try atomicWrite(Data(csv.utf8), to: directory.appendingPathComponent("results.csv"))
        try atomicWrite(Data(markdown(leaderboard: leaderboard, ceiling: ceiling).utf8), to: directory.appendingPathComponent("summary.md"))
    }
}
