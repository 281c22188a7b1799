/// One text's forward pass over its byte positions (`marginalLogProbabilities`), a step at a
/// time, so that many texts can walk in lockstep and a model served in batches is asked for
/// each position's tokens in one request: `queries()` names the (context, tokens) the next
/// step reads, `advance` takes that step. After the last byte, one more step adds the
/// end-of-text term; then `isFinished` and `totals` (natural logs, one per mixer; nil when no
/// path within the limit spells the text).
public struct SegmentationWalk: Sendable {
    let promptTokens: [Int]
    let continuation: [UInt8]
    let replacements: Set<Int>
    let limit: Int
    let index: PieceIndex
    let beam: Int
    let window: Int?
    let unbounded: Bool
    let endOfText: Int
    /// The byte position of the next step; `continuation.count`: the end-of-text step.
    private(set) var position = 0
    private var frontier: [Frontier]
    /// The paths the next step extends (pruned to the beam by `queries()`).
    private var kept: [SegmentPath] = []
    private var pruned = false
    public private(set) var isFinished = false
    public private(set) var totals: [Double]?

    static let replacementLength = 3  // U+FFFD in UTF-8

    public init(promptTokens: [Int], continuation: [UInt8], replacements: Set<Int> = [], limit: Int, index: PieceIndex, beam: Int,
                primary: DecodedStepCache, companion: DecodedStepCache?, mixerCount: Int) {
        precondition(beam >= 1 && mixerCount >= 1)
        self.promptTokens = promptTokens
        self.continuation = continuation
        self.replacements = replacements
        self.limit = limit
        self.index = index
        self.beam = beam
        window = [primary.model.contextWindow, companion?.model.contextWindow].compactMap { $0 }.max()
        unbounded = primary.model.contextWindow == nil || (companion != nil && companion!.model.contextWindow == nil)
        endOfText = primary.model.tokenizer.endOfTextToken
        frontier = [Frontier](repeating: Frontier(), count: continuation.count + 1)
        frontier[0].add(SegmentPath(tokens: [], scores: [Double](repeating: 0, count: mixerCount)), key: key([]))
    }

    func key(_ tokens: [Int]) -> PathKey {
        PathKey(tail: unbounded ? tokens : Array(tokens.suffix(window ?? 0)), count: tokens.count)
    }

    private var replacementHere: Bool {
        replacements.contains(position) && !index.invalidTokens.isEmpty && position + Self.replacementLength <= continuation.count
    }

    /// The contexts the next step reads and the tokens it reads there.
    public mutating func queries() -> [TokenQuery] {
        if position == continuation.count {
            return frontier[position].paths.filter { $0.tokens.count < limit }
                .map { TokenQuery(context: promptTokens + $0.tokens, tokens: [endOfText]) }
        }
        if !pruned {
            // Best first; ties keep insertion order (the sort is stable over enumerated paths).
            kept = frontier[position].paths.enumerated()
                .sorted { $0.element.scores[0] > $1.element.scores[0] || ($0.element.scores[0] == $1.element.scores[0] && $0.offset < $1.offset) }
                .prefix(beam).map(\.element)
            frontier[position] = Frontier()
            pruned = true
        }
        let matches = index.matches(continuation, at: position)
        guard !matches.isEmpty || replacementHere else { return [] }
        let tokens = matches.map(\.token) + (replacementHere ? index.invalidTokens : [])
        return kept.filter { $0.tokens.count < limit }.map { TokenQuery(context: promptTokens + $0.tokens, tokens: tokens) }
    }

    /// Takes the next step, reading the steps of `queries()`'s contexts.
    public mutating func advance(primary: DecodedStepCache, companion: DecodedStepCache?,
                                 mixers: [(_ decoded: Double, _ companion: Double, _ token: Int, _ previous: Int) -> Double]) {
        if position == continuation.count {
            finish(primary: primary, companion: companion, mixers: mixers)
            return
        }
        if !pruned { _ = queries() }
        let matches = index.matches(continuation, at: position)
        let replacement = replacementHere
        if !matches.isEmpty || replacement {
            for path in kept where path.tokens.count < limit {
                extend(path, matches: matches, replacement: replacement, primary: primary, companion: companion, mixers: mixers)
            }
        }
        kept = []
        pruned = false
        position += 1
    }

    private mutating func extend(_ path: SegmentPath, matches: [(token: Int, length: Int)], replacement: Bool,
                                 primary: DecodedStepCache, companion: DecodedStepCache?,
                                 mixers: [(_ decoded: Double, _ companion: Double, _ token: Int, _ previous: Int) -> Double]) {
        let context = promptTokens + path.tokens
        let previous = context.last ?? -1
        let step = primary.step(context: context)
        let other = companion?.step(context: context)
        if replacement {
            // One branch for "some invalid token": each mixer's log of the summed probability.
            var next = path
            var representative = index.invalidTokens[0]
            for token in index.invalidTokens where step.decoded(token) > step.decoded(representative) { representative = token }
            for i in mixers.indices {
                next.scores[i] += logSumExp(index.invalidTokens.map { mixers[i](step.decoded($0), other?.decoded($0) ?? -.infinity, $0, previous) })
            }
            next.tokens.append(representative)
            if next.scores[0] > -.infinity { add(next, at: position + Self.replacementLength) }
        }
        for (token, length) in matches {
            let decoded = step.decoded(token)
            guard decoded > -.infinity else { continue }
            let second = other?.decoded(token) ?? -.infinity
            var next = path
            next.tokens.append(token)
            for i in mixers.indices { next.scores[i] += mixers[i](decoded, second, token, previous) }
            add(next, at: position + length)
        }
    }

    private mutating func add(_ next: SegmentPath, at end: Int) {
        let k = key(next.tokens)
        if let i = frontier[end].index[k] {
            for j in frontier[end].paths[i].scores.indices {
                frontier[end].paths[i].scores[j] = logAddExp(frontier[end].paths[i].scores[j], next.scores[j])
            }
        } else {
            frontier[end].add(next, key: k)
        }
    }

    private mutating func finish(primary: DecodedStepCache, companion: DecodedStepCache?,
                                 mixers: [(_ decoded: Double, _ companion: Double, _ token: Int, _ previous: Int) -> Double]) {
        var totals: [Double]?
        for path in frontier[continuation.count].paths where path.tokens.count <= limit {
            var scores = path.scores
            if path.tokens.count < limit {
                let context = promptTokens + path.tokens
                let decoded = primary.step(context: context).decoded(endOfText)
                let second = companion?.step(context: context).decoded(endOfText) ?? -.infinity
                for i in mixers.indices { scores[i] += mixers[i](decoded, second, endOfText, context.last ?? -1) }
            }
            if totals == nil {
                totals = scores
            } else {
                for i in scores.indices { totals![i] = logAddExp(totals![i], scores[i]) }
            }
        }
        self.totals = totals
        frontier = []
        isFinished = true
    }
}
