/// A byte-level byte-pair-encoding tokenizer (GPT-2 style pre-tokenization): ids 0...255 are
/// bytes, id `256 + r` is the r-th learned merge, and end-of-text is last. Every text encodes
/// (bytes are always available), so `decode(encode(s))` reproduces `s` byte for byte.
public struct BPETokenizer: Tokenizer, Equatable {
    /// The merges in learning order: merge r joins tokens `merges[r].0` and `merges[r].1`
    /// into token `256 + r`.
    public let merges: [Merge]
    let table: PieceTable
    /// Rank of each mergeable pair, keyed by `pairKey`.
    let ranks: [UInt64: Int32]

    /// One learned merge: the left and right token ids it joins.
    public struct Merge: Sendable, Hashable {
        public var left: Int32
        public var right: Int32
        public init(left: Int32, right: Int32) {
            self.left = left
            self.right = right
        }
    }

    /// A tokenizer for these merges. Each merge may only refer to bytes and earlier merges.
    public init(merges: [Merge]) throws {
        var pieces: [[UInt8]] = (0...255).map { [UInt8($0)] }
        var ranks: [UInt64: Int32] = [:]
        for (rank, merge) in merges.enumerated() {
            let limit = Int32(256 + rank)
            guard merge.left >= 0, merge.left < limit, merge.right >= 0, merge.right < limit else {
                throw LanguageModelError.invalidParameter(
                    name: "merges[\(rank)]", value: "(\(merge.left), \(merge.right))",
                    reason: "a merge may only join bytes and earlier merges")
            }
            pieces.append(pieces[Int(merge.left)] + pieces[Int(merge.right)])
            let key = Self.pairKey(merge.left, merge.right)
            if ranks[key] == nil { ranks[key] = Int32(rank) }
        }
        self.merges = merges
        self.table = PieceTable(learned: Array(pieces[256...]))
        self.ranks = ranks
    }

    public static func == (lhs: BPETokenizer, rhs: BPETokenizer) -> Bool { lhs.merges == rhs.merges }

    static func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    public var identifier: String { "bpe\(vocabularySize)-\(table.contentHash)" }
    public var vocabularySize: Int { table.vocabularySize }
    public var endOfTextToken: Int { table.endOfTextToken }

    public func encode(_ text: String) -> [Int] {
        var cache: [ArraySlice<UInt8>: [Int32]] = [:]
        var tokens: [Int] = []
        encode(text, into: &tokens, cache: &cache)
        return tokens
    }

    public func encode(documents: [String]) -> [[Int]] {
        var cache: [ArraySlice<UInt8>: [Int32]] = [:]
        return documents.map { document in
            var tokens: [Int] = []
            encode(document, into: &tokens, cache: &cache)
            return tokens
        }
    }

    private func encode(_ text: String, into tokens: inout [Int], cache: inout [ArraySlice<UInt8>: [Int32]]) {
        let bytes = Array(text.utf8)
        tokens.reserveCapacity(tokens.count + bytes.count / 3)
        for range in PreTokenizer.gpt2.split(text) {
            let piece = bytes[range]
            if let known = cache[piece] {
                tokens.append(contentsOf: known.lazy.map { Int($0) })
                continue
            }
            let symbols = encodePiece(piece)
            if cache.count < 200_000 { cache[piece] = symbols }
            tokens.append(contentsOf: symbols.lazy.map { Int($0) })
        }
    }

    /// Applies the merges to one pre-token: repeatedly join every occurrence of the adjacent
    /// pair with the lowest rank, which reproduces the segmentation seen in training.
    func encodePiece(_ piece: ArraySlice<UInt8>) -> [Int32] {
        var symbols = piece.map { Int32($0) }
        while symbols.count > 1 {
            var bestRank = Int32.max
            for k in 0..<(symbols.count - 1) {
                if let rank = ranks[Self.pairKey(symbols[k], symbols[k + 1])], rank < bestRank { bestRank = rank }
            }
            guard bestRank != Int32.max else { break }
            let merge = merges[Int(bestRank)]
            let joined = Int32(256) + bestRank
            var output: [Int32] = []
            output.reserveCapacity(symbols.count)
            var k = 0
            while k < symbols.count {
                if k + 1 < symbols.count, symbols[k] == merge.left, symbols[k + 1] == merge.right {
                    output.append(joined)
                    k += 2
                } else {
                    output.append(symbols[k])
                    k += 1
                }
            }
            symbols = output
        }
        return symbols
    }

    public func piece(of token: Int) -> [UInt8] { table.piece(of: token) }
}
