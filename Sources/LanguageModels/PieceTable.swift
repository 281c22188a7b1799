import Common

/// The vocabulary shared by all tokenizers of this module: ids `0...255` are the single
/// bytes, then the learned pieces in id order, then end-of-text (last id, empty piece).
struct PieceTable: Sendable, Equatable {
    /// Byte string of every id below `endOfTextToken`.
    let pieces: [[UInt8]]
    /// Id of each multi-byte piece.
    let lookup: [[UInt8]: Int]

    /// A table of the 256 single bytes plus `learned` multi-byte pieces, which keep their
    /// order (ids); a repeated piece keeps its first id for lookup.
    init(learned: [[UInt8]]) {
        var pieces = (0...255).map { [UInt8($0)] }
        var lookup: [[UInt8]: Int] = [:]
        for piece in learned {
            precondition(piece.count > 1, "learned pieces are multi-byte")
            if lookup[piece] == nil { lookup[piece] = pieces.count }
            pieces.append(piece)
        }
        self.pieces = pieces
        self.lookup = lookup
    }

    var endOfTextToken: Int { pieces.count }
    var vocabularySize: Int { pieces.count + 1 }
    /// The learned pieces (beyond the 256 bytes), in id order.
    var learned: ArraySlice<[UInt8]> { pieces[256...] }

    func piece(of token: Int) -> [UInt8] {
        precondition(token >= 0 && token <= pieces.count, "token \(token) outside vocabulary of \(vocabularySize)")
        return token == pieces.count ? [] : pieces[token]
    }

    /// Id of a piece: its learned id, or its single byte; nil for an unknown multi-byte piece.
    func id(of piece: ArraySlice<UInt8>) -> Int? {
        if piece.count == 1 { return Int(piece[piece.startIndex]) }
        return lookup[Array(piece)]
    }

    /// A stable content hash, for tokenizer identifiers.
    var contentHash: String {
        var hash = StableHash()
        for piece in learned {
            hash.combine(UInt64(piece.count))
            hash.combine(piece)
        }
        return hash.hex
    }
}
