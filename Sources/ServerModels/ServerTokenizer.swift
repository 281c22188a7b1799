import Common
import LanguageModels

/// The tokenizer of a model on an inference server: text is tokenized by the server
/// (`POST /tokenize`, no special tokens added or parsed), so ids are exactly the model's;
/// every token's piece (its bytes, as the server reports them with its log-probabilities)
/// is held here, so decoding is local. Tokenizations are cached per text.
public final class ServerTokenizer: Tokenizer, @unchecked Sendable {
    public let identifier: String
    public let vocabularySize: Int
    public let endOfTextToken: Int
    private let pieces: [[UInt8]]
    private let replicas: ReplicaSet
    private let cache = Locked<[String: [Int]]>([:])

    init(modelName: String, pieces: [[UInt8]], endOfTextToken: Int, replicas: ReplicaSet) {
        var hash = StableHash()
        for piece in pieces {
            hash.combine(UInt64(piece.count))
            hash.combine(piece)
        }
        identifier = "server-\(modelName)-\(pieces.count)-\(hash.hex)"
        vocabularySize = pieces.count
        self.endOfTextToken = endOfTextToken
        self.pieces = pieces
        self.replicas = replicas
    }

    public func encode(_ text: String) -> [Int] {
        if text.isEmpty { return [] }
        if let hit = cache.withLock({ $0[text] }) { return hit }
        let tokens: [Int]
        do {
            tokens = try replicas.post("/tokenize", { _ in TokenizeRequest(content: text, add_special: false) },
                                       as: TokenizeResponse.self).tokens
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
