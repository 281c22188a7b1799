/// One token per frequent word, whitespace run or punctuation character (pieces of
/// `PreTokenizer.words`). An out-of-vocabulary piece is cut into the fewest in-vocabulary
/// pieces (words glued together by sampling come apart again), falling back to learned
/// characters, then UTF-8 bytes, only where no learned piece covers it
/// (`WordTokenizer+Segmentation.swift`).
public struct WordTokenizer: Tokenizer, Equatable {
    let table: PieceTable
    /// Byte length of the longest learned piece: no segmentation piece is longer.
    let longestPieceBytes: Int

    /// A tokenizer with exactly these multi-byte pieces (in id order).
    public init(pieces: [[UInt8]]) {
        table = PieceTable(learned: pieces)
        longestPieceBytes = Self.longestLearnedPiece(in: table)
    }

    /// Learns a vocabulary of `vocabularySize` ids (bytes and end-of-text included): first the
    /// non-ASCII characters seen at least `minCount` times, then the most frequent multi-byte
    /// pieces. Ties are broken by byte order, so training is deterministic.
    public init(training documents: [String], vocabularySize: Int, minCount: Int = 2) {
        var pieceCounts: [[UInt8]: Int] = [:]
        var scalarCounts: [[UInt8]: Int] = [:]
        for document in documents {
            let bytes = Array(document.utf8)
            for range in PreTokenizer.words.split(document) where range.count > 1 {
                pieceCounts[Array(bytes[range]), default: 0] += 1
            }
            for scalar in document.unicodeScalars where !scalar.isASCII {
                scalarCounts[Array(String(scalar).utf8), default: 0] += 1
            }
        }
        let budget = max(0, vocabularySize - 257)
        func ranked(_ counts: [[UInt8]: Int]) -> [[UInt8]] {
            counts.filter { $0.value >= minCount }
                .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key) }
                .map(\.key)
        }
        let characters = ranked(scalarCounts).prefix(budget / 4)
        let known = Set(characters)
        let words = ranked(pieceCounts).filter { !known.contains($0) }.prefix(budget - characters.count)
        self.init(pieces: Array(characters) + Array(words))
    }

    /// The learned pieces in id order.
    public var pieces: [[UInt8]] { Array(table.learned) }

    public var identifier: String { "word\(vocabularySize)-\(table.contentHash)" }
    public var vocabularySize: Int { table.vocabularySize }
    public var endOfTextToken: Int { table.endOfTextToken }

    public func encode(_ text: String) -> [Int] {
        let bytes = Array(text.utf8)
        var tokens: [Int] = []
        tokens.reserveCapacity(bytes.count / 3)
        for range in PreTokenizer.words.split(text) {
            let piece = bytes[range]
            if let id = table.id(of: piece) {
                tokens.append(id)
            } else {
                appendSegmentation(of: bytes, range: range, to: &tokens)
            }
        }
        return tokens
    }

    public func piece(of token: Int) -> [UInt8] { table.piece(of: token) }
}

/// Length of the UTF-8 sequence a lead byte starts (1 for continuation bytes, defensively).
func utf8Width(leadByte byte: UInt8) -> Int {
    switch byte {
    case 0xF0...: 4
    case 0xE0...: 3
    case 0xC0...: 2
    default: 1
    }
}
