/// Turns text into token ids and back.
///
/// Every tokenizer of this module is byte-level at heart: each token stands for a fixed byte
/// string (its *piece*), and `decode(encode(s))` reproduces the UTF-8 bytes of `s` exactly.
/// The end-of-text token has an empty piece: it is never produced by `encode` and decodes
/// to nothing.
public protocol Tokenizer: Sendable {
    /// A stable name for this exact vocabulary (kind, size and a content hash): two tokenizers
    /// with the same identifier tokenize every text identically.
    var identifier: String { get }
    /// Number of token ids, end-of-text included; ids are `0..<vocabularySize`.
    var vocabularySize: Int { get }
    /// The id of the end-of-text token (sampling it ends a generation).
    var endOfTextToken: Int { get }
    /// Token ids of `text`, without any end-of-text token.
    func encode(_ text: String) -> [Int]
    /// The bytes a token stands for (empty for end-of-text).
    func piece(of token: Int) -> [UInt8]
}

extension Tokenizer {
    /// The concatenated bytes of `tokens`, end-of-text contributing nothing.
    public func decodeBytes(_ tokens: [Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(tokens.count * 2)
        for token in tokens { bytes.append(contentsOf: piece(of: token)) }
        return bytes
    }

    /// The text of `tokens`. Byte sequences that are not valid UTF-8 (possible after
    /// sampling byte tokens) decode to U+FFFD, as Hugging Face tokenizers do.
    public func decode(_ tokens: [Int]) -> String {
        String(decoding: decodeBytes(tokens), as: UTF8.self)
    }

    /// Encodes many texts; implementations with a per-piece cache override this.
    public func encode(documents: [String]) -> [[Int]] {
        documents.map { encode($0) }
    }
}
