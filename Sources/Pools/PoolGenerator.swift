import Common
import Corpora

/// One kind of candidate prompt (issue 29): openings of held-out text, memorization probes,
/// tokenizer-boundary probes, repetitions, single characters, special-token strings. A
/// generator is deterministic for its generator state; `PoolSpec` composes several into one
/// pool and removes repeats.
public protocol PoolGenerator: Sendable {
    /// Its `kind` in a pool specification.
    var kind: String { get }
    /// Up to `count` prompts (fewer when the kind has no more distinct ones), each at most
    /// `PoolSpec.maximumPromptBytes` bytes. Repeats are allowed; the spec removes them.
    func prompts(count: Int, corpora: (String) throws -> Corpus, using rng: inout SeededGenerator) throws -> [String]
}

extension PoolGenerator {
    /// `count` draws of `make` (nil: nothing this time), at most `count * 20` tries.
    func drawn(_ count: Int, using rng: inout SeededGenerator, _ make: (inout SeededGenerator) -> String?) -> [String] {
        var out = [String]()
        var tries = 0
        while out.count < count && tries < count * 20 {
            tries += 1
            if let p = make(&rng), !p.isEmpty, p.utf8.count <= PoolSpec.maximumPromptBytes { out.append(p) }
        }
        return out
    }
}

/// A uniform integer in `range` from the generator.
func uniform(_ range: ClosedRange<Int>, _ rng: inout SeededGenerator) -> Int {
    range.lowerBound + Int(rng.next() % UInt64(range.count))
}

/// Openings of documents: the first `minWords...maxWords` words of a random document of
/// `split` of one of `corpora` (in turn), with the space after the last word half of the time
/// (it changes the next token). The built-in pool is this kind at 1 to 4 words of the `None`
/// references' held-out text; MLMAC's length rule counts the prompt, so a long opening buys a
/// short answer. Held-out text by default: no zoo model trains on it. With `split` train it
/// is a memorization probe (`kind` memorization): text a candidate was trained on, or for
/// real models public text (licences, scripture, manuals).
public struct OpeningsGenerator: PoolGenerator {
    public var kind: String
    public var corpora: [String]
    public var split: CorpusSplit
    public var minWords: Int
    public var maxWords: Int

    public init(kind: String = "openings", corpora: [String], split: CorpusSplit = .heldout, minWords: Int = 1, maxWords: Int = 30) {
        precondition(!corpora.isEmpty && 1 <= minWords && minWords <= maxWords, "openings need corpora and 1 <= minWords <= maxWords")
        self.kind = kind
        self.corpora = corpora
        self.split = split
        self.minWords = minWords
        self.maxWords = maxWords
    }

    public func prompts(count: Int, corpora load: (String) throws -> Corpus, using rng: inout SeededGenerator) throws -> [String] {
        let documents = try corpora.map { name -> [String] in
            let docs = try load(name).documents(in: split)
            guard !docs.isEmpty else { throw PoolSpecError(field: "corpora", reason: "\(name) has no \(split.rawValue) text") }
            return docs
        }
        var turn = 0
        return drawn(count, using: &rng) { rng in
            let docs = documents[turn % documents.count]
            turn += 1
            let words = docs[Int(rng.next() % UInt64(docs.count))].split(whereSeparator: \.isWhitespace)
            guard words.count >= minWords else { return nil }
            var prompt = words.prefix(uniform(minWords...min(maxWords, words.count), &rng)).joined(separator: " ")
            if rng.next() % 2 == 0 { prompt += " " }
            return prompt
        }
    }
}
