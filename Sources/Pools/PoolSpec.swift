import Common
import Corpora
import Engine
import Foundation

/// A pool specification (`Experiments/pools/*.json`): generators with relative shares,
/// composed into one pool of `size` distinct prompts (issue 29):
///
///     {"name": "mixed-256", "seed": 29, "size": 256,
///      "generators": [{"kind": "openings", "share": 4, "corpora": ["gcide", "devil"], "minWords": 1, "maxWords": 30},
///                     {"kind": "memorization", "share": 1, "corpora": ["licenses"], "minWords": 8, "maxWords": 20},
///                     {"kind": "boundary", "share": 1}, {"kind": "repetitions", "share": 1, "corpora": ["fortunes"]},
///                     {"kind": "characters", "share": 1}, {"kind": "special-tokens", "share": 1}]}
///
/// Each generator gets `size * share / total share` prompts (the first takes the rounding),
/// drawn from one generator seeded by `seed`, repeats removed across generators; a kind with
/// too few distinct prompts leaves its shortfall to the first generator.
public struct PoolSpec: Decodable, Sendable, Equatable {
    public var name: String
    public var seed: UInt64
    public var size: Int
    public var generators: [Entry]

    /// One generator's entry; fields a kind does not read must be absent.
    public struct Entry: Decodable, Sendable, Equatable {
        public var kind: String
        public var share: Double
        public var corpora: [String]?
        public var minWords: Int?
        public var maxWords: Int?
    }

    /// Longest prompt a generator gives, in UTF-8 bytes.
    public static let maximumPromptBytes = 400
    /// Pool sizes a spec may ask for.
    public static let sizes = 2...4096
    /// The kinds, and whether each reads `corpora` and word counts.
    public static let kinds: [String: (corpora: Bool, words: Bool)] = [
        "openings": (true, true), "memorization": (true, true), "repetitions": (true, false),
        "boundary": (false, false), "characters": (false, false), "special-tokens": (false, false),
    ]

    /// Reads and checks a pool specification; a problem names the file and the field.
    public static func load(_ url: URL) throws -> PoolSpec {
        let spec: PoolSpec
        do {
            spec = try JSONDecoder().decode(PoolSpec.self, from: Data(contentsOf: url))
        } catch {
            throw PoolSpecError(file: url.path, field: "(file)", reason: "is not a pool specification (\(error))")
        }
        do { try spec.validate() } catch var error as PoolSpecError {
            error.file = url.path
            throw error
        }
        return spec
    }

    public func validate() throws {
        guard Self.sizes.contains(size) else { throw PoolSpecError(field: "size", reason: "must be in \(Self.sizes), got \(size)") }
        guard !generators.isEmpty else { throw PoolSpecError(field: "generators", reason: "must name at least one generator") }
        for (i, g) in generators.enumerated() {
            let at = "generators[\(i)]"
            guard let reads = Self.kinds[g.kind] else {
                throw PoolSpecError(field: "\(at).kind", reason: "\(g.kind) is none of \(Self.kinds.keys.sorted().joined(separator: ", "))")
            }
            guard g.share > 0, g.share.isFinite else { throw PoolSpecError(field: "\(at).share", reason: "must be positive, got \(g.share)") }
            if reads.corpora {
                guard let c = g.corpora, !c.isEmpty else { throw PoolSpecError(field: "\(at).corpora", reason: "\(g.kind) needs corpora") }
                let known = Set(CorpusCatalog.sources.map(\.name))
                if let bad = c.first(where: { !known.contains($0) }) {
                    throw PoolSpecError(field: "\(at).corpora", reason: "\(bad) is not an installable corpus (\(known.sorted().joined(separator: ", ")))")
                }
            } else if g.corpora != nil {
                throw PoolSpecError(field: "\(at).corpora", reason: "\(g.kind) reads no corpora")
            }
            if reads.words {
                let low = g.minWords ?? 1, high = g.maxWords ?? 30
                guard 1 <= low, low <= high, high <= 200 else {
                    throw PoolSpecError(field: "\(at).minWords", reason: "need 1 <= minWords <= maxWords <= 200, got \(low) and \(high)")
                }
            } else if g.minWords != nil || g.maxWords != nil {
                throw PoolSpecError(field: "\(at).minWords", reason: "\(g.kind) reads no word counts")
            }
        }
    }

    /// The generator of entry `g`.
    static func generator(_ g: Entry) -> any PoolGenerator {
        switch g.kind {
        case "openings": OpeningsGenerator(corpora: g.corpora!, minWords: g.minWords ?? 1, maxWords: g.maxWords ?? 30)
        case "memorization": OpeningsGenerator(kind: "memorization", corpora: g.corpora!, split: .train, minWords: g.minWords ?? 8, maxWords: g.maxWords ?? 20)
        case "repetitions": RepetitionGenerator(corpora: g.corpora!)
        case "boundary": BoundaryGenerator()
        case "characters": CharacterGenerator()
        default: SpecialTokenGenerator()
        }
    }

    /// Every corpus the generators read.
    public var corpora: Set<String> { Set(generators.flatMap { $0.corpora ?? [] }) }

    /// The pool: `size` distinct prompts (fewer only when the generators run out), each
    /// generator's in a block, in spec order. The same spec and corpora give the same pool.
    public func make(corpora: (String) throws -> Corpus) throws -> PromptPool {
        var rng = SeededGenerator(seed: seed)
        let total = generators.map(\.share).reduce(0, +)
        var quotas = generators.map { Int((Double(size) * $0.share / total).rounded(.down)) }
        quotas[0] += size - quotas.reduce(0, +)
        var prompts = [String](), seen = Set<String>()
        func take(_ g: Entry, _ count: Int) throws {
            guard count > 0 else { return }
            var added = 0
            for p in try Self.generator(g).prompts(count: count * 3, corpora: corpora, using: &rng) where added < count {
                if seen.insert(p).inserted { prompts.append(p); added += 1 }
            }
        }
        for (g, quota) in zip(generators, quotas) { try take(g, quota) }
        if prompts.count < size { try take(generators[0], size - prompts.count) }
        guard prompts.count >= Self.sizes.lowerBound else { throw PoolSpecError(field: "generators", reason: "gave \(prompts.count) distinct prompts") }
        return PromptPool(prompts: prompts)
    }

    /// A hash of the spec's content (pool files are cached under it).
    public var contentHash: String {
        var h = StableHash()
        h.combine("attrib-pool-v1 \(name) \(seed) \(size)")
        for g in generators {
            h.combine("\(g.kind) \(g.share) \((g.corpora ?? []).joined(separator: ",")) \(g.minWords ?? 0) \(g.maxWords ?? 0)")
        }
        return h.hex
    }
}

/// A pool specification that cannot be used: the file, the field, the reason.
public struct PoolSpecError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var field: String
    public var reason: String
    public init(file: String = "", field: String, reason: String) {
        self.file = file
        self.field = field
        self.reason = reason
    }
    public var description: String { "Pool spec \(file.isEmpty ? "(given)" : file): field '\(field)': \(reason)" }
}
