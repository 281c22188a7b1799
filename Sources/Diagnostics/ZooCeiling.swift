import Common
import Engine
import Experiments
import Foundation
import Simulation

/// `attrib zoo ceiling`: what each observation model allows on a zoo the demo has built. For
/// every fine-tune with a listed base, `ZooExplain` scores `answers` answers per pool prompt and
/// estimates how often the true base wins after each count of `counts` random answers (drawn
/// with replacement); summed over the fine-tunes, with the `None` ones counted right for free,
/// that is the expected right at that many answers per fine-tune. Under `oracle` worlds it is
/// the ceiling that `attrib experiment` summaries show (`OracleCeiling`, written beside the
/// table as `ZOO-ceiling.json`).
///
/// With a `floor` (the pairwise floor's best prompts: `floorBestPrompts`), a fine-tune's answers come
/// only from the prompts the floor names as the most informative against its competitors, as
/// many answers in all as from the whole pool: whether choosing prompts rescues what the
/// observation model loses. No ceiling file is written then (a ceiling is for random prompts).
public struct ZooCeiling: Sendable {
    /// The observation models compared.
    public enum Model: String, CaseIterable, Codable, Sendable {
        /// The pristine candidates a run uses, with the bases file's drift models.
        case pristine
        /// The candidates plus copies fine-tuned on held-out text of the true domain at the true strength.
        case genre
        /// The true base replaced by the fine-tune itself, every other candidate fine-tuned on
        /// the fine-tune's own domain text at its true strength.
        case oracle

        public var description: String {
            switch self {
            case .pristine: "the pristine candidates a run uses (with the bases file's drift models)"
            case .genre: "the candidates plus copies fine-tuned on held-out text of the true domain at the true strength (the genre known)"
            case .oracle: "oracle worlds: the true base replaced by the fine-tune itself, every other candidate fine-tuned on the fine-tune's own domain text as it was (an n-gram fine-tune's strength, a neural one's recipe: the documents and the recipe known)"
            }
        }
    }

    public var work: URL
    public var zoo: String
    public var models: [Model] = [.pristine, .oracle]
    /// Answers sampled per pool prompt, the set the counts are drawn from.
    public var answers = 4
    /// The answer counts of the ceiling file: the ceiling experiment summaries read needs them all.
    public static let defaultCounts = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 30, 100]
    /// Answers per fine-tune at which the truth's win rate is estimated, ascending.
    public var counts = defaultCounts
    /// Total answers split over the listed fine-tunes as well as possible (`bestSplit`); nil:
    /// 5 per fine-tune of the zoo.
    public var budget: Int?
    /// The JSON of `attrib zoo floor --json`: each fine-tune asked only its best prompts there
    /// (`floorBestPrompts`); nil: the whole pool.
    public var floor: String?
    /// The prompt pool file (nil: the demo's `default-pool.jsonl` in `work`). Only the default
    /// pool's oracle ceiling is the zoo's ceiling file (`Result.makesTheCeilingFile`).
    public var pool: URL?
    public var draws = 2000
    public var settings: EngineSettings

    public init(work: URL, zoo: String, settings: EngineSettings) {
        self.work = work
        self.zoo = zoo
        self.settings = settings
    }

    /// One listed fine-tune: its truth-win rate at each count, per observation model.
    public struct Row: Codable, Sendable, Equatable {
        public var id: Int
        public var name: String
        public var base: String
        public var domain: String
        public var strength: Double
        /// Prompts asked (nil: the whole pool).
        public var prompts: [Int]?
        public var rates: [String: [Double]]
    }

    public struct Result: Codable, Sendable, Equatable {
        public var zoo: String
        public var total: Int
        public var poolSize: Int
        public var answersPerPrompt: Int
        public var counts: [Int]
        public var models: [Model]
        public var rows: [Row]
        public var budget: Int
        /// Expected right (of `total`) with `budget` answers split as well as possible, per model.
        public var bestSplit: [String: Double]
        /// Expected right (of `total`) at each count, per model.
        public var ceiling: OracleCeiling
        public var bestPrompts: Bool
        /// The pool's file name when it is not the demo's default pool (nil: the default).
        public var pool: String?

        /// Whether `ceiling` may be the zoo's ceiling file, which experiment summaries read: from
        /// random prompts, with the oracle model, at every default count (a narrower run never
        /// replaces it).
        public var makesTheCeilingFile: Bool {
            !bestPrompts && pool == nil && models.contains(.oracle) && Set(ZooCeiling.defaultCounts).isSubset(of: counts)
        }
    }

    /// Runs every (fine-tune, model) pair; `progress(done, total, line)` after each fine-tune.
    public func execute(progress: (Int, Int, String) -> Void = { _, _, _ in }) throws -> Result {
        let manifest = try ZooManifest.load(directory: work.appendingPathComponent("zoo-\(zoo)"))
        let listed = manifest.answerKey.filter { $0.base != nil }
        let unlisted = manifest.answerKey.count - listed.count
        let budget = self.budget ?? 5 * manifest.answerKey.count
        guard let smallest = counts.first, budget >= smallest * listed.count else {
            throw AttribError.option(flag: "--budget",
                                        reason: "\(budget) answers cannot give each of the \(listed.count) listed fine-tunes even \(counts.first ?? 0)")
        }
        let poolFile = pool ?? ZooExplain.defaultPool(work: work)
        let poolSize = try PromptPool.load(path: poolFile.path).count
        let bestPrompts = try floor.map { try Self.floorBestPrompts(path: $0, poolSize: poolSize, fineTunes: manifest.answerKey.count) }
        var rows = [Row]()
        for (k, entry) in listed.enumerated() {
            var rates = [String: [Double]]()
            let prompts = bestPrompts?[entry.id]
            for model in models {
                var explain = ZooExplain(work: work, zoo: zoo, model: entry.id, settings: settings)
                explain.resample = counts
                explain.draws = draws
                explain.pool = poolFile
                explain.prompts = prompts
                // As many answers in all from the chosen prompts as from the whole pool.
                explain.answers = prompts.map { max(1, answers * poolSize / $0.count) } ?? answers
                switch model {
                case .pristine: break
                case .genre: explain.fineTunedStrengths = [entry.strength]; explain.fineTuneDomain = entry.domain
                case .oracle: explain.oracleWorlds = true
                }
                rates[model.rawValue] = try explain.execute().resampled.map(\.truthWins)
            }
            let name = manifest.fineTunes[entry.id].model.name
            rows.append(Row(id: entry.id, name: name, base: entry.base!, domain: entry.domain, strength: entry.strength,
                            prompts: prompts, rates: rates))
            progress(k + 1, listed.count, "\(entry.id) \(name): " + models.map {
                String(format: "%@ %.2f", $0.rawValue, rates[$0.rawValue]!.last!)
            }.joined(separator: ", ") + " at \(counts.last!) answers")
        }
        var expected = [String: [Double]](), split = [String: Double]()
        for model in models {
            let curves = rows.map { $0.rates[model.rawValue]! }
            expected[model.rawValue] = Self.expectedRight(curves, unlisted: unlisted, counts: counts.count)
            split[model.rawValue] = Double(unlisted) + Self.bestSplit(curves, counts: counts, budget: budget)
        }
        return Result(zoo: zoo, total: manifest.answerKey.count, poolSize: poolSize, answersPerPrompt: answers, counts: counts, models: models, rows: rows,
                      budget: budget, bestSplit: split,
                      ceiling: OracleCeiling(zoo: zoo, total: manifest.answerKey.count, counts: counts, expected_right: expected),
                      bestPrompts: bestPrompts != nil, pool: pool.map(\.lastPathComponent))
    }

    /// The largest sum of win rates when every fine-tune takes one of `counts` answers (its
    /// curve's value there) and all of them at most `budget` in all: an exact dynamic programme
    /// over those points. NaN when even the smallest count each is over the budget.
    public static func bestSplit(_ curves: [[Double]], counts: [Int], budget: Int) -> Double {
        var best: [Int: Double] = [0: 0]
        for curve in curves {
            var next = [Int: Double]()
            for (spent, value) in best {
                for (i, n) in counts.enumerated() where spent + n <= budget {
                    next[spent + n] = max(next[spent + n] ?? -.infinity, value + curve[i])
                }
            }
            best = next
        }
        return best.values.max() ?? .nan
    }

    /// Per public id, the distinct best prompts of the `fine-tuned` worlds in the JSON of
    /// `attrib zoo floor --json` (fine-tunes without a same-tokenizer competitor are absent).
    /// The floor must be of a pool of `poolSize` prompts and a zoo of `fineTunes` fine-tunes:
    /// otherwise its prompts and ids would point at other prompts and other fine-tunes.
    public static func floorBestPrompts(path: String, poolSize: Int, fineTunes: Int) throws -> [Int: [Int]] {
        struct Report: Decodable { var floor: ZooFigures.FloorTable }
        let table = try decodeJSONFile(Report.self, path: path).floor
        guard table.prompts == poolSize else {
            throw AttribError.invalid(file: path, field: "floor.prompts", reason: "is \(table.prompts), but the demo's pool has \(poolSize) prompts")
        }
        var prompts = [Int: [Int]]()
        for (i, row) in table.rows.enumerated() {
            guard (0..<fineTunes).contains(row.id) else {
                throw AttribError.invalid(file: path, field: "floor.rows.\(i).id", reason: "\(row.id) is not a public id in 0..<\(fineTunes)")
            }
            var chosen = [Int]()
            for (j, bound) in row.bounds.enumerated() where bound.variant == "fine-tuned" && !chosen.contains(bound.bestPrompt) {
                guard (0..<poolSize).contains(bound.bestPrompt) else {
                    throw AttribError.invalid(file: path, field: "floor.rows.\(i).bounds.\(j).bestPrompt",
                                                reason: "\(bound.bestPrompt) is not a prompt index in 0..<\(poolSize)")
                }
                chosen.append(bound.bestPrompt)
            }
            if !chosen.isEmpty { prompts[row.id] = chosen }
        }
        return prompts
    }

    /// Expected right (of the zoo) at each count: the `None` fine-tunes counted right, plus the
    /// listed ones' win rates summed, rounded to the precision the rates carry (2,000 draws each).
    public static func expectedRight(_ curves: [[Double]], unlisted: Int, counts: Int) -> [Double] {
        (0..<counts).map { i in ((Double(unlisted) + curves.reduce(0) { $0 + $1[i] }) * 1000).rounded() / 1000 }
    }
}
