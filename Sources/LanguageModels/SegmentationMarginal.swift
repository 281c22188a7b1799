/// Every token whose piece starts a byte string, for walking all segmentations of a text.
public struct PieceIndex: Sendable {
    private let tokensByPiece: [[UInt8]: [Int]]
    /// Longest piece in bytes.
    public let maxPieceLength: Int
    /// Tokens whose piece is not valid UTF-8 on its own (lone bytes of multi-byte characters):
    /// sampled alone, each reaches the API's caller as one U+FFFD.
    public let invalidTokens: [Int]

    public init(tokenizer: any Tokenizer) {
        var map: [[UInt8]: [Int]] = [:]
        var longest = 0
        var invalid: [Int] = []
        for token in 0..<tokenizer.vocabularySize where token != tokenizer.endOfTextToken {
            let piece = tokenizer.piece(of: token)
            guard !piece.isEmpty else { continue }
            map[piece, default: []].append(token)
            longest = max(longest, piece.count)
            if String(validating: piece, as: UTF8.self) == nil { invalid.append(token) }
        }
        tokensByPiece = map
        maxPieceLength = longest
        invalidTokens = invalid
    }

    /// The UTF-8 bytes of `text` and the byte offsets where a U+FFFD starts.
    public static func bytes(of text: String) -> (bytes: [UInt8], replacements: Set<Int>) {
        var replacements = Set<Int>()
        var offset = 0
        for scalar in text.unicodeScalars {
            if scalar == "\u{FFFD}" { replacements.insert(offset) }
            offset += UTF8.width(scalar)
        }
        return (Array(text.utf8), replacements)
    }

    /// The fewest tokens whose pieces spell `bytes`, a U+FFFD at an offset in `replacements`
    /// counting as one lone-byte token; nil when no path spells it. A lower bound on how many
    /// tokens a model sampled to produce the text, whatever path the tokenizer would choose.
    public func shortestPathLength(_ bytes: [UInt8], replacements: Set<Int> = []) -> Int? {
        var best = [Int](repeating: Int.max, count: bytes.count + 1)
        best[0] = 0
        for position in 0..<bytes.count where best[position] < Int.max {
            let next = best[position] + 1
            for (_, length) in matches(bytes, at: position) { best[position + length] = min(best[position + length], next) }
            if replacements.contains(position), !invalidTokens.isEmpty, position + 3 <= bytes.count {
                best[position + 3] = min(best[position + 3], next)
            }
        }
        return best[bytes.count] == Int.max ? nil : best[bytes.count]
    }

    /// `shortestPathLength` of a response text, its U+FFFD characters as lone-byte tokens.
    public func shortestPathLength(of text: String) -> Int? {
        let (bytes, replacements) = Self.bytes(of: text)
        return shortestPathLength(bytes, replacements: replacements)
    }

    /// (token, piece length) of every token whose piece is a prefix of `bytes[start...]`.
    public func matches(_ bytes: [UInt8], at start: Int) -> [(token: Int, length: Int)] {
        var out: [(Int, Int)] = []
        let end = min(bytes.count, start + maxPieceLength)
        guard start < end else { return out }
        for stop in (start + 1)...end {
            if let tokens = tokensByPiece[Array(bytes[start..<stop])] {
                for t in tokens { out.append((t, stop - start)) }
            }
        }
        return out
    }
}

extension LanguageModel {
    /// `marginalLogProbabilities(promptTokens:continuation:limit:index:beam:primary:companion:mixers:)`
    /// for this model alone, with a fresh cache; `mixers` see the token's decoded log-probability.
    public func marginalLogProbabilities(
        promptTokens: [Int], continuation: [UInt8], replacements: Set<Int> = [], settings: DecodingSettings, index: PieceIndex,
        beam: Int, mixers: [(_ decoded: Double, _ token: Int) -> Double]
    ) -> [Double]? {
        LanguageModels.marginalLogProbabilities(
            promptTokens: promptTokens, continuation: continuation, replacements: replacements,
            limit: settings.newTokenLimit(promptTokenCount: promptTokens.count),
            index: index, beam: beam, primary: DecodedStepCache(model: self, settings: settings), companion: nil,
            mixers: mixers.map { mixer in { decoded, _, token, _ in mixer(decoded, token) } })
    }
}

/// Natural-log probability that an API returns exactly `continuation` (as bytes) after
/// `promptTokens`, summed over the token paths whose pieces spell it, not just the path the
/// tokenizer would choose: at temperature 3 a model often samples a non-canonical path
/// (" th" + "e" where the tokenizer writes " the"), and scoring only the canonical path
/// favours whichever model likes long merges.
///
/// A forward pass over byte positions; paths that share the model's context window and
/// token count are merged exactly (their futures are identical), and at each position only
/// the `beam` most likely merged paths are extended, so the result is a lower bound that
/// tightens as `beam` grows. Paths with more than `limit` tokens are impossible; a path
/// shorter than it ends with the end-of-text term.
///
/// A U+FFFD at a byte offset in `replacements` is what the caller sees of one sampled token
/// whose piece is not valid UTF-8 alone: its probability is the sum over all such tokens
/// (`PieceIndex.invalidTokens`), and the path continues with the likeliest of them as its
/// context (the others' futures differ only through that one context token).
///
/// `primary` gives each token's decoded log-probability; `companion` (a model with the same
/// tokenizer, for example a drift model) its own, or nil. `mixers` turn the two into the
/// log-probability an observation model gives the token (for example a drift mixture), given
/// also the token before it in context (the prompt's last token for the first; -1 when there
/// is none); the
/// result has one value per mixer, each its own sum over paths (pruning ranks paths by the
/// first). Returns nil when no path within the limit spells the text.
public func marginalLogProbabilities(
    promptTokens: [Int], continuation: [UInt8], replacements: Set<Int> = [], limit: Int, index: PieceIndex, beam: Int,
    primary: DecodedStepCache, companion: DecodedStepCache?,
    mixers: [(_ decoded: Double, _ companion: Double, _ token: Int, _ previous: Int) -> Double]
) -> [Double]? {
    let walk = SegmentationWalk(promptTokens: promptTokens, continuation: continuation, replacements: replacements, limit: limit,
                                index: index, beam: beam, primary: primary, companion: companion, mixerCount: mixers.count)
    // A model that cannot answer stops the run with the reason, as its one-at-a-time calls do.
    do { return try marginalLogProbabilities(walks: [walk], primary: primary, companion: companion, mixers: mixers)[0] } catch {
        fatalError("\(error)")
    }
}

/// `marginalLogProbabilities` of many texts at once (each walk its own prompt, text and
/// limit; one model, one set of mixers), in lockstep by byte position: at each position the
/// tokens every walk's paths read are fetched in one batch (`DecodedStepCache.prefetch`), so
/// a model on a worker answers one request per position for all the texts, with only those
/// tokens' log-probabilities, never whole vocabularies. The same sums as one walk at a time.
public func marginalLogProbabilities(
    walks: [SegmentationWalk], primary: DecodedStepCache, companion: DecodedStepCache?,
    mixers: [(_ decoded: Double, _ companion: Double, _ token: Int, _ previous: Int) -> Double]
) throws -> [[Double]?] {
    var walks = walks
    while true {
        var queries: [TokenQuery] = []
        for k in walks.indices where !walks[k].isFinished { queries += walks[k].queries() }
        guard walks.contains(where: { !$0.isFinished }) else { break }
        try primary.prefetch(queries)
        try companion?.prefetch(queries)
        for k in walks.indices where !walks[k].isFinished { walks[k].advance(primary: primary, companion: companion, mixers: mixers) }
    }
    return walks.map(\.totals)
}

/// A partial segmentation: its tokens (only the context window's tail matters once merged)
/// and its log-probability under each mixer.
struct SegmentPath {
    var tokens: [Int]
    var scores: [Double]
}

/// The paths ending at one byte position, in insertion order, indexed by key.
struct Frontier {
    var paths: [SegmentPath] = []
    var index: [PathKey: Int] = [:]
    mutating func add(_ path: SegmentPath, key: PathKey) {
        index[key] = paths.count
        paths.append(path)
    }
}

/// Paths with the same key have identical futures: the same context tail and token count.
struct PathKey: Hashable {
    var tail: [Int]
    var count: Int
}

/// log(exp(a) + exp(b)) without overflow.
@inline(__always) func logAddExp(_ a: Double, _ b: Double) -> Double {
    let m = max(a, b)
    guard m > -.infinity else { return -.infinity }
    return m + cLog(cExp(a - m) + cExp(b - m))
}
