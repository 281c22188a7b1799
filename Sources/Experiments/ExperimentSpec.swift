import AttributionCore
import Common
import Engine
import Foundation
import LanguageModels
import Pools

/// An experiment: a grid of runs over a simulated zoo, every cell a full job (calibrated,
/// precomputed, run over HTTP against the simulator, scored). JSON, documented in
/// `Experiments/README.md`:
///
/// ```json
/// {"name": "round1-like-strategies", "zoo": "Experiments/zoos/round1-like.json",
///  "strategies": ["eig", "random"], "thresholds": [0.8, 0.95], "budgets": [30],
///  "seeds": [1, 2, 3, 4, 5], "settings": {"eig_floor": 0.05}}
/// ```
public struct ExperimentSpec: Codable, Sendable, Equatable {
    /// Names the results folder (`Results/NAME`).
    public var name: String
    /// The zoo specification, relative to the repository root (where `attrib` runs).
    public var zoo: String
    public var strategies: [StrategyKind]
    /// Posterior thresholds at which a model stops.
    public var thresholds: [Double]
    /// Queries per fine-tuned model at most.
    public var budgets: [Int]
    /// Seeds of the simulator's sampling of answers: the repetitions of every configuration.
    public var seeds: [UInt64]
    /// How the fine-tunes decode (the simulator and the candidates alike); nil: the zoo's own.
    public var decodings: [Decoding]?
    /// Queries over all fine-tunes at most (the scheduler spends them where they most reduce
    /// expected errors); nil: none. A list of them is a grid dimension.
    public var global_budgets: [Int]?
    /// The source as a replayed log instead of live answers: nil, the simulator answers every
    /// query (a live run).
    public var replay: ReplaySource?

    /// Replays of simulator logs: for every response seed, `attrib zoo log` of the zoo
    /// (`queries` random pool prompts per fine-tune, JSONL), replayed as `attrib replay` does;
    /// the strategy is the order: `fixed` the log's own, `random` a seeded shuffle, every
    /// other strategy chooses among each model's logged queries.
    public struct ReplaySource: Codable, Sendable, Equatable {
        /// Logged queries per fine-tune.
        public var queries: Int
    }

    /// A decoding of every model of the zoo, the fine-tunes and the candidates alike.
    public enum Decoding: String, Codable, Sendable, CaseIterable {
        /// As the zoo specification says (MLMAC: temperature 3).
        case zoo
        case temperature3 = "temperature-3"
        case temperature1 = "temperature-1"
        /// The most likely token at every step (top-k 1).
        case greedy

        /// `settings` under this decoding (lengths unchanged).
        public func applied(to settings: DecodingSettings) -> DecodingSettings {
            var s = settings
            switch self {
            case .zoo: break
            case .temperature3: s.temperature = 3; s.topK = nil; s.topP = nil
            case .temperature1: s.temperature = 1; s.topK = nil; s.topP = nil
            case .greedy: s.temperature = 1; s.topK = 1; s.topP = nil
            }
            return s
        }
    }
    /// Engine settings every cell shares (each optional; the defaults otherwise).
    public var settings: Overrides?
    /// Named sets of engine settings applied over `settings`, a grid dimension: the variants
    /// of one configuration run on the same response seeds, so they compare paired. nil: one
    /// unnamed variant (`settings` alone).
    public var variants: [Variant]?

    public struct Variant: Codable, Sendable, Equatable {
        /// Names the variant in cell ids, `results.csv` and the summary (letters, digits, `-`, `_`, `.`).
        public var name: String
        public var settings: Overrides
    }

    /// Engine settings by their names in snake_case (`eig_floor`, `calibration_answers`, ...:
    /// every key of `EngineSettings`), read over the defaults; `engine_seed` is the engine's
    /// `seed`, an `eig_floor` of 0 turns the floor off, and `pool_size` (prompts in the built-in
    /// pool) or `pool` (a pool specification's path, `Experiments/pools/`) shapes the world, not
    /// the engine.
    public struct Overrides: Codable, Sendable, Equatable {
        public var values: [String: JSONValue]

        public init(_ values: [String: JSONValue] = [:]) { self.values = values }
        public init(from decoder: any Decoder) throws { values = try [String: JSONValue](from: decoder) }
        public func encode(to encoder: any Encoder) throws { try values.encode(to: encoder) }

        /// Prompts in the built-in pool, when given.
        public var poolSize: Int? { values["pool_size"].flatMap { try? $0.decode(Int.self) } }
        /// The pool specification's path, when given.
        public var poolSpec: String? { values["pool"].flatMap { try? $0.decode(String.self) } }
        /// The keys that shape the world rather than the engine.
        static let worldKeys: Set<String> = ["pool_size", "pool"]

        /// The spec's name of a settings key (`eigFloorAfter` is `eig_floor_after`).
        static func specName(_ key: String) -> String {
            key == "seed" ? "engine_seed" : key.reduce(into: "") { $0 += $1.isUppercase ? "_" + $1.lowercased() : String($1) }
        }

        /// `settings` with these values read over it; errors name `field.KEY`.
        func applied(to settings: EngineSettings, field: String, file: String) throws -> EngineSettings {
            var engine: [String: JSONValue] = [:]
            let names = Dictionary(uniqueKeysWithValues: EngineSettings.keys.map { (Self.specName($0), $0) })
            for (key, value) in values where !Self.worldKeys.contains(key) {
                guard let name = names[key] else {
                    let near = EngineSettings.nearestKey(to: key).map { " (did you mean \(Self.specName($0))?)" } ?? ""
                    throw AttribError.invalid(file: file, field: "\(field).\(key)", reason: "is not a setting\(near)")
                }
                engine[name] = name == "eigFloor" && value == .integer(0) ? .null : value
                do { _ = try settings.patched(by: [name: engine[name]!]) } catch {
                    throw AttribError.invalid(file: file, field: "\(field).\(key)", reason: "has a value of the wrong kind (\(value.canonical))")
                }
            }
            let s = try settings.patched(by: engine)
            if let p = s.problems().first { throw AttribError.invalid(file: file, field: "\(field).\(Self.specName(p.key))", reason: p.reason) }
            return s
        }
    }

    /// The zoo specification's path: `zoo` under the repository when relative (`Common.Repository`).
    public var zooPath: String { zoo.hasPrefix("/") ? zoo : Repository.path(zoo) }

    /// Reads and validates a spec; every error names the file and the field.
    public static func load(path: String) throws -> ExperimentSpec {
        let spec = try decodeJSONFile(ExperimentSpec.self, path: path)
        try spec.validate(file: path)
        return spec
    }

    func validate(file: String) throws {
        func bad(_ field: String, _ reason: String) -> AttribError { .invalid(file: file, field: field, reason: reason) }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw bad("name", "must be letters, digits, '-', '_' or '.' (it names the results folder)")
        }
        guard FileManager.default.fileExists(atPath: zooPath) else { throw bad("zoo", "\(zooPath) does not exist (paths are relative to the repository root)") }
        for (field, count) in [("strategies", strategies.count), ("thresholds", thresholds.count), ("budgets", budgets.count), ("seeds", seeds.count)] where count == 0 {
            throw bad(field, "needs at least one value")
        }
        if let t = thresholds.first(where: { !($0 > 0 && $0 <= 1) }) { throw bad("thresholds", "\(t) is not in (0, 1]") }
        if let b = budgets.first(where: { $0 < 1 }) { throw bad("budgets", "\(b) is not a positive number of queries") }
        if Set(seeds).count != seeds.count { throw bad("seeds", "repeats a seed") }
        if let g = global_budgets, g.isEmpty || g.contains(where: { $0 < 1 }) || Set(g).count != g.count {
            throw bad("global_budgets", "needs distinct positive numbers of queries (or leave it out: none)")
        }
        if let d = decodings, d.isEmpty || Set(d).count != d.count { throw bad("decodings", "needs distinct values (or leave it out: the zoo's own)") }
        if let replay {
            if replay.queries < 1 { throw bad("replay.queries", "must be at least 1") }
            if let d = decodings, d != [.zoo] { throw bad("decodings", "a replayed log was answered under the zoo's decoding: leave decodings out") }
        }
        _ = try settings.map { try $0.applied(to: EngineSettings(), field: "settings", file: file) }
        if let p = settings?.poolSize, !(2...4096).contains(p) { throw bad("settings.pool_size", "must be in 2...4096") }
        if settings?.values["pool"] != nil {
            guard let path = settings?.poolSpec else { throw bad("settings.pool", "must be the path of a pool specification") }
            if settings?.poolSize != nil { throw bad("settings.pool", "names its own size: leave pool_size out") }
            do { _ = try PoolSpec.load(URL(fileURLWithPath: path)) } catch { throw bad("settings.pool", "\(error)") }
        }
        if let variants {
            if variants.isEmpty { throw bad("variants", "needs at least one variant (or leave it out: none)") }
            for (k, v) in variants.enumerated() {
                guard !v.name.isEmpty, v.name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                    throw bad("variants.\(k).name", "must be letters, digits, '-', '_' or '.' (it names cells)")
                }
                if variants[..<k].contains(where: { $0.name == v.name }) { throw bad("variants.\(k).name", "\"\(v.name)\" is listed twice") }
                let base = try settings.map { try $0.applied(to: EngineSettings(), field: "settings", file: file) } ?? EngineSettings()
                _ = try v.settings.applied(to: base, field: "variants.\(k).settings", file: file)
                if v.settings.poolSize != nil { throw bad("variants.\(k).settings.pool_size", "is shared by every cell: set it in settings") }
                if v.settings.values["pool"] != nil { throw bad("variants.\(k).settings.pool", "is shared by every cell: set it in settings") }
            }
        }
    }

    /// One run of the grid.
    public struct Cell: Codable, Sendable, Equatable, Hashable {
        public var strategy: StrategyKind
        public var threshold: Double
        public var budget: Int
        public var seed: UInt64
        public var decoding: Decoding = .zoo
        /// Queries over all fine-tunes at most; nil: none.
        public var globalBudget: Int?
        /// The variant's name (`ExperimentSpec.variants`); nil: none.
        public var variant: String?

        public init(strategy: StrategyKind, threshold: Double, budget: Int, seed: UInt64, decoding: Decoding = .zoo,
                    globalBudget: Int? = nil, variant: String? = nil) {
            self.variant = variant
            self.strategy = strategy
            self.threshold = threshold
            self.budget = budget
            self.seed = seed
            self.decoding = decoding
            self.globalBudget = globalBudget
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            strategy = try c.decode(StrategyKind.self, forKey: .strategy)
            threshold = try c.decode(Double.self, forKey: .threshold)
            budget = try c.decode(Int.self, forKey: .budget)
            seed = try c.decode(UInt64.self, forKey: .seed)
            decoding = try c.decodeIfPresent(Decoding.self, forKey: .decoding) ?? .zoo
            globalBudget = try c.decodeIfPresent(Int.self, forKey: .globalBudget)
            variant = try c.decodeIfPresent(String.self, forKey: .variant)
        }

        /// A stable name, used for the cell's result file (the zoo's own decoding adds nothing).
        public var id: String {
            "\(strategy.rawValue)-t\(threshold)-b\(budget)-s\(seed)" + (decoding == .zoo ? "" : "-\(decoding.rawValue)")
                + (globalBudget.map { "-g\($0)" } ?? "") + (variant.map { "-v\($0)" } ?? "")
        }
    }

    /// Every cell, in a fixed order: variant, decoding, threshold, strategy, budget, global budget, seed.
    public var cells: [Cell] {
        let globals: [Int?] = global_budgets.map { $0.map { Optional($0) } } ?? [nil]
        let names: [String?] = variants.map { $0.map { Optional($0.name) } } ?? [nil]
        return names.flatMap { v in
            (decodings ?? [.zoo]).flatMap { d in
                thresholds.flatMap { t in
                    strategies.flatMap { s in
                        budgets.flatMap { b in
                            globals.flatMap { g in
                                seeds.map { Cell(strategy: s, threshold: t, budget: b, seed: $0, decoding: d, globalBudget: g, variant: v) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The engine settings of `cell`.
    /// The spec must be valid (`load` checks it).
    public func settings(of cell: Cell) -> EngineSettings {
        var s = EngineSettings()
        // A loaded spec was validated: applying its settings cannot fail.
        if let settings { s = try! settings.applied(to: s, field: "settings", file: name) }
        if let n = cell.variant, let v = variants?.first(where: { $0.name == n }) { s = try! v.settings.applied(to: s, field: "variants", file: name) }
        s.scheduling.strategy = cell.strategy
        s.stopping.threshold = cell.threshold
        s.stopping.budgetPerModel = cell.budget
        s.stopping.globalBudget = cell.globalBudget
        return s
    }

    /// Shard `index` (1-based) of `count`: the cells whose position modulo `count` is `index - 1`.
    public func shard(_ index: Int, of count: Int) -> [Cell] {
        cells.enumerated().filter { $0.offset % count == index - 1 }.map(\.element)
    }
}
