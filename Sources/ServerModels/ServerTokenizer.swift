import Common
import LanguageModels

/// The tokenizer of a model in another process (llama.cpp's server, attrib's model worker):
/// text is tokenized there by `tokenize` (no special tokens added or parsed), so ids are
/// exactly the model's; every token's piece (its bytes) is held here, so decoding is local.
/// Tokenizations are cached per text.
public final class ServerTokenizer: Tokenizer, @unchecked Sendable {
    public let identifier: String
    public let vocabularySize: Int
    public let endOfTextToken: Int
    private let pieces: [[UInt8]]
    private let tokenize: @Sendable (String) throws(ServerModelError) -> [Int]
    private let cache = Locked<[String: [Int]]>([:])

    /// - Parameter kind: names where the model runs in the identifier (`server`, `worker`).
    init(kind: String, modelName: String, pieces: [[UInt8]], endOfTextToken: Int,
         tokenize: @escaping @Sendable (String) throws(ServerModelError) -> [Int]) {
        var hash = StableHash()
        for piece in pieces {
            hash.combine(UInt64(piece.count))
            hash.combine(piece)
        }
        identifier = "\(kind)-\(modelName)-\(pieces.count)-\(hash.hex)"
        vocabularySize = pieces.count
        self.endOfTextToken = endOfTextToken
        self.pieces = pieces
        self.tokenize = tokenize
    }

    public func encode(_ text: String) -> [Int] {
        if text.isEmpty { return [] }
        if let hit = cache.withLock({ $0[text] }) { return hit }
        let tokens: [Int]
        do {
            tokens = try tokenize(text)
        } catch {
            // The tokenizer protocol cannot throw: a server that stays away past the replica
            // set's patience ends the run with the reason.
            fatalError("\(error)")
        }
        cache.withLock { $0[text] = tokens }
        return tokens
    }

    public func piece(of token: Int) -> [UInt8] {
        precondition(token >= 0 && token < pieces.count, "token \(token) outside vocabulary of \(pieces.count)")
        return token == endOfTextToken ? [] : pieces[token]
    }
}
