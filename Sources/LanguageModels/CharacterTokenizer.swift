/// One token per Unicode scalar for the scalars seen in training (the most frequent ones, up
/// to a cap), with UTF-8 byte fallback for any other scalar. ASCII scalars are the byte tokens
/// themselves, so on ASCII text this coincides with `ByteTokenizer`.
public struct CharacterTokenizer: Tokenizer, Equatable {
    let table: PieceTable
    /// Id of each learned (non-ASCII) scalar.
    let scalarIDs: [UInt32: Int]

    /// A tokenizer for exactly these non-ASCII scalars (in id order).
    public init(characters: [Unicode.Scalar]) {
        var seen = Set<UInt32>()
        let learned = characters.filter { !$0.isASCII && seen.insert($0.value).inserted }
        table = PieceTable(learned: learned.map { Array(String($0).utf8) })
        var ids: [UInt32: Int] = [:]
        for (offset, scalar) in learned.enumerated() { ids[scalar.value] = 256 + offset }
        scalarIDs = ids
    }

    /// Learns the `maxCharacters` most frequent non-ASCII scalars of `documents`
    /// (ties broken by scalar value; scalars seen fewer than `minCount` times are left to bytes).
    public init(training documents: [String], maxCharacters: Int, minCount: Int = 1) {
        var counts: [UInt32: Int] = [:]
        for document in documents {
            for scalar in document.unicodeScalars where !scalar.isASCII { counts[scalar.value, default: 0] += 1 }
        }
        let chosen = counts.filter { $0.value >= minCount }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(max(0, maxCharacters))
            .compactMap { Unicode.Scalar($0.key) }
        self.init(characters: Array(chosen))
    }

    /// The learned scalars in id order.
    public var characters: [Unicode.Scalar] {
        table.learned.map { String(decoding: $0, as: UTF8.self).unicodeScalars.first! }
    }

    public var identifier: String { "char\(vocabularySize)-\(table.contentHash)" }
    public var vocabularySize: Int { table.vocabularySize }
    public var endOfTextToken: Int { table.endOfTextToken }

    public func encode(_ text: String) -> [Int] {
        var tokens: [Int] = []
        tokens.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                tokens.append(Int(scalar.value))
            } else if let id = scalarIDs[scalar.value] {
                tokens.append(id)
            } else {
                tokens.append(contentsOf: String(scalar).utf8.lazy.map { Int($0) })
            }
        }
        return tokens
    }

    public func piece(of token: Int) -> [UInt8] { table.piece(of: token) }
}
