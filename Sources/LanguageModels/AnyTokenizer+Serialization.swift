extension AnyTokenizer {
    private enum Kind: UInt8 {
        case byte = 1, character = 2, word = 3, bpe = 4
    }

    /// Deterministic binary form: a kind byte, then the learned pieces or merges in id order.
    func write(to writer: inout ByteWriter) {
        switch self {
        case .byte:
            writer.write([Kind.byte.rawValue])
        case let .character(tokenizer):
            writer.write([Kind.character.rawValue])
            writer.writeVarint(tokenizer.table.learned.count)
            for piece in tokenizer.table.learned { writer.writeBlob(piece) }
        case let .word(tokenizer):
            writer.write([Kind.word.rawValue])
            writer.writeVarint(tokenizer.table.learned.count)
            for piece in tokenizer.table.learned { writer.writeBlob(piece) }
        case let .bpe(tokenizer):
            writer.write([Kind.bpe.rawValue])
            writer.writeVarint(tokenizer.merges.count)
            for merge in tokenizer.merges {
                writer.writeVarint(Int(merge.left))
                writer.writeVarint(Int(merge.right))
            }
        }
    }

    static func read(from reader: inout ByteReader) throws -> AnyTokenizer {
        let tag = try reader.readBytes(1, field: "tokenizer.kind").first!
        guard let kind = Kind(rawValue: tag) else {
            throw LanguageModelError.corruptModelFile(path: reader.source, field: "tokenizer.kind", reason: "unknown kind \(tag)")
        }
        switch kind {
        case .byte:
            return .byte(ByteTokenizer())
        case .character, .word:
            let count = try reader.readCount(field: "tokenizer.pieceCount", limit: 1 << 21)
            var pieces: [[UInt8]] = []
            pieces.reserveCapacity(count)
            for index in 0..<count {
                let piece = try reader.readBlob(field: "tokenizer.pieces[\(index)]")
                guard piece.count > 1 else {
                    throw LanguageModelError.corruptModelFile(
                        path: reader.source, field: "tokenizer.pieces[\(index)]", reason: "a learned piece must be multi-byte")
                }
                pieces.append(piece)
            }
            if kind == .word { return .word(WordTokenizer(pieces: pieces)) }
            let scalars = try pieces.enumerated().map { index, piece in
                let text = String(decoding: piece, as: UTF8.self)
                guard text.unicodeScalars.count == 1, Array(text.utf8) == piece else {
                    throw LanguageModelError.corruptModelFile(
                        path: reader.source, field: "tokenizer.pieces[\(index)]", reason: "not a single scalar")
                }
                return text.unicodeScalars.first!
            }
            return .character(CharacterTokenizer(characters: scalars))
        case .bpe:
            let count = try reader.readCount(field: "tokenizer.mergeCount", limit: 1 << 21)
            var merges: [BPETokenizer.Merge] = []
            merges.reserveCapacity(count)
            for index in 0..<count {
                let left = try reader.readCount(field: "tokenizer.merges[\(index)].left", limit: 255 + index)
                let right = try reader.readCount(field: "tokenizer.merges[\(index)].right", limit: 255 + index)
                merges.append(BPETokenizer.Merge(left: Int32(left), right: Int32(right)))
            }
            return .bpe(try BPETokenizer(merges: merges))
        }
    }
}
