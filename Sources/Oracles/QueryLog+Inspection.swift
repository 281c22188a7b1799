/// What `attrib log inspect` reports of a log, per set and model.
public struct LogInspection: Sendable, Equatable {
    /// Counts of one model in one set (the `--json` object, exactly).
    public struct Counts: Codable, Sendable, Equatable {
        public var records = 0
        /// Records whose prompt is not one the set declares (MLMAC's `prompts.csv`).
        public var unmatched = 0
        /// Records whose continuation has no non-whitespace character.
        public var empty_continuations = 0
    }

    /// Per set, per model id (as text): the counts.
    public var sets: [String: [String: Counts]]
    /// Per set, per model id: continuation lengths in characters, ascending.
    public var lengths: [String: [Int: [Int]]]

    public init(_ log: QueryLog) {
        var sets: [String: [String: Counts]] = [:], lengths: [String: [Int: [Int]]] = [:]
        for set in log.sets { sets[set] = [:] }
        for r in log.records {
            var c = sets[r.set]?["\(r.model)"] ?? Counts()
            c.records += 1
            if !log.isMatched(r) { c.unmatched += 1 }
            if r.response.allSatisfy(\.isWhitespace) { c.empty_continuations += 1 }
            sets[r.set, default: [:]]["\(r.model)"] = c
            lengths[r.set, default: [:]][r.model, default: []].append(r.response.count)
        }
        self.sets = sets
        self.lengths = lengths.mapValues { $0.mapValues { $0.sorted() } }
    }

    /// The `--json` object: `{"sets": {set: {model id: counts}}}`.
    public struct JSON: Codable, Sendable, Equatable {
        public var sets: [String: [String: Counts]]
    }

    public var json: JSON { JSON(sets: sets) }

    /// The `q`-quantile (0...1) of sorted values, by the nearest rank; 0 for none.
    public static func quantile(_ sorted: [Int], _ q: Double) -> Int {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}
