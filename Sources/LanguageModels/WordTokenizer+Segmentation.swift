/// Segmentation of a pre-tokenizer piece that is not itself in the vocabulary.
///
/// At a high temperature a word model samples word tokens back to back with no space between
/// them ("browser" then "dropped"); the decoded text holds one unknown "word",
/// "browserdropped". Spelling it out character by character would score the model's own text
/// with far more tokens than it sampled. Instead the piece is cut into the fewest tokens:
/// learned pieces (words, whitespace runs, learned characters) where they match, a single
/// character's token (a learned character or an ASCII byte) elsewhere, and the UTF-8 bytes of
/// a character that has no token of its own (one token per byte).
///
/// Cuts fall only on Unicode scalar boundaries (every learned piece is whole scalars). Among
/// segmentations with the fewest tokens the one whose first piece is longest wins, then the
/// same rule for the rest: deterministic, and the identity on in-vocabulary words.
extension WordTokenizer {
    /// Appends to `tokens` the minimum-token segmentation of `bytes[range]`, a piece of valid
    /// UTF-8 that `PreTokenizer.words` produced. Cost: O(n * w) dictionary look-ups for a piece
    /// of n scalars whose longest learned piece spans w scalars.
    func appendSegmentation(of bytes: [UInt8], range: Range<Int>, to tokens: inout [Int]) {
        // Scalar boundaries: offsets[k] is where scalar k starts; offsets.last is range.upperBound.
        var offsets: [Int] = []
        offsets.reserveCapacity(range.count + 1)
        var position = range.lowerBound
        while position < range.upperBound {
            offsets.append(position)
            position = min(position + utf8Width(leadByte: bytes[position]), range.upperBound)
        }
        offsets.append(range.upperBound)
        let count = offsets.count - 1

        // cost[k]: fewest tokens for scalars k..<count; next[k]: end (scalar index) of the first
        // piece of that segmentation; token[k]: its id, or nil for a byte-spelled scalar.
        var cost = [Int](repeating: 0, count: count + 1)
        var next = [Int](repeating: count, count: count + 1)
        var token = [Int?](repeating: nil, count: count + 1)
        for k in stride(from: count - 1, through: 0, by: -1) {
            // The single scalar always works: its own token, else its bytes.
            let single = table.id(of: bytes[offsets[k]..<offsets[k + 1]])
            var bestCost = (single == nil ? offsets[k + 1] - offsets[k] : 1) + cost[k + 1]
            var bestEnd = k + 1
            var bestToken = single
            // Longer pieces, longest first, so a tie keeps the longest first piece.
            var end = count
            while end > k + 1 {
                if offsets[end] - offsets[k] <= longestPieceBytes, 1 + cost[end] < bestCost || (1 + cost[end] == bestCost && end > bestEnd),
                   let id = table.id(of: bytes[offsets[k]..<offsets[end]]) {
                    bestCost = 1 + cost[end]
                    bestEnd = end
                    bestToken = id
                }
                end -= 1
            }
            cost[k] = bestCost
            next[k] = bestEnd
            token[k] = bestToken
        }

        var k = 0
        while k < count {
            if let id = token[k] {
                tokens.append(id)
            } else {
                tokens.append(contentsOf: bytes[offsets[k]..<offsets[k + 1]].lazy.map { Int($0) })
            }
            k = next[k]
        }
    }

    /// Byte length of the longest learned piece (1 when none is learned).
    static func longestLearnedPiece(in table: PieceTable) -> Int {
        table.learned.reduce(1) { max($0, $1.count) }
    }
}
