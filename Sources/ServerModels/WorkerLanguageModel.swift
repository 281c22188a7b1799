import Common
import Foundation
import LanguageModels

/// A candidate base served by attrib's model worker (`worker/`, `attrib worker`): PyTorch and
/// Hugging Face transformers behind the worker's JSON protocol, one or more workers (one per
/// GPU, per core group or per machine) behind a `ReplicaSet`. A `BatchLanguageModel` whose
/// every batch is one request; one-at-a-time calls (`nextTokenLogProbabilities`) are batches
/// of one. The tokenizer is the model's own (`WorkerTokenizer`).
public struct WorkerLanguageModel: BatchServedLanguageModel {
    public let name: String
    /// Names the model's weights and vocabulary (the worker's fingerprint): what the tensor
    /// store and the calibration cache key on.
    public let identity: String
    public let replicas: ReplicaSet
    private let workerTokenizer: ServerTokenizer
    public let contextWindow: Int?
    /// How `tuned(toward:strength:seed:)` fine-tunes this model on its worker.
    public var fineTuning = WorkerFineTuning()
    /// Made by `tuned` (the workers hold it for this run; `release()` unloads it).
    public internal(set) var isFineTune = false

    public var tokenizer: any Tokenizer { workerTokenizer }

    /// Connects to the model `name` on the workers of `replicas`: checks the protocol version
    /// and that the worker serves the model, and reads its vocabulary's pieces.
    public static func connect(_ replicas: ReplicaSet, name: String) throws(ServerModelError) -> WorkerLanguageModel {
        let url = replicas.endpoints[0].url
        let description = try replicas.get("/v1/models", as: WorkerWire.Models.self)
        guard description.protocol_ == WorkerWire.protocolVersion else {
            throw ServerModelError(url: url, reason: "the worker speaks protocol \(description.protocol_), this attrib \(WorkerWire.protocolVersion)")
        }
        guard let model = description.models.first(where: { $0.name == name }) else {
            throw ServerModelError(url: url, reason: "the worker does not serve \(name) (it serves \(description.models.map(\.name).joined(separator: ", ")))")
        }
        let hex = try replicas.post("/v1/pieces", { _ in WorkerWire.PiecesRequest(model: name) }, as: WorkerWire.PiecesAnswer.self).pieces
        guard hex.count == model.vocab_size else {
            throw ServerModelError(url: url, reason: "\(name) has \(model.vocab_size) ids but \(hex.count) pieces")
        }
        let pieces = try hex.map { h throws(ServerModelError) -> [UInt8] in
            guard let bytes = Self.bytes(hex: h) else { throw ServerModelError(url: url, reason: "piece \"\(h)\" of \(name) is not hex") }
            return bytes
        }
        let tokenizer = ServerTokenizer(kind: "worker", modelName: name, pieces: pieces, endOfTextToken: model.end_of_text) { text throws(ServerModelError) in
            try replicas.post("/v1/tokenize", { _ in WorkerWire.TokenizeRequest(model: name, texts: [text]) }, as: WorkerWire.TokenizeAnswer.self).tokens[0]
        }
        // The worker puts the start token before every context: one position of the window.
        return WorkerLanguageModel(name: name, identity: "worker:\(name):\(model.fingerprint)", replicas: replicas,
                                   workerTokenizer: tokenizer, contextWindow: model.context_window - 1)
    }

    static func bytes(hex: String) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }

    private static func decoding(_ settings: DecodingSettings) -> WorkerWire.Decoding {
        WorkerWire.Decoding(temperature: settings.temperature, top_k: settings.topK, top_p: settings.topP)
    }

    public func nextTokenLogProbabilities(context: [Int]) -> [Double] {
        orStop { () throws(ServerModelError) in try distributions(contexts: [context])[0] }
    }

    /// One batch for all the continuations (what the EIG tensors and the answers' canonical
    /// scoring ask for), instead of a request per position.
    public func scoreContinuations(promptTokens: [Int], continuations: [[Int]], settings: DecodingSettings) -> [ContinuationScore] {
        orStop { () throws(ServerModelError) in
            try scoreBatch(continuations.map { ScoringRequest(context: promptTokens, continuation: $0) }, settings: settings)
        }
    }

    public func scoreBatch(_ requests: [ScoringRequest], settings: DecodingSettings) throws(ServerModelError) -> [ContinuationScore] {
        guard !requests.isEmpty else { return [] }
        let limits = requests.map { settings.newTokenLimit(promptTokenCount: $0.context.count) }
        // Each request as the pieces that fit the window (one, unless the continuation itself
        // is longer than the window: an answer of another tokenizer read in bytes).
        let pieces = zip(requests, limits).map { windowPieces($0, limit: $1) }
        let body = WorkerWire.ScoreRequest(model: name, decoding: Self.decoding(settings), requests: pieces.flatMap { $0 })
        let answer = try replicas.post("/v1/score", { _ in body }, as: WorkerWire.ScoreAnswer.self)
        guard answer.scores.count == body.requests.count else {
            throw ServerModelError(url: replicas.endpoints[0].url, reason: "\(answer.scores.count) scores for \(body.requests.count) requests")
        }
        var at = 0
        return zip(requests, zip(pieces, limits)).map { request, pieced in
            let (parts, limit) = pieced
            let scores = answer.scores[at..<(at + parts.count)]
            at += parts.count
            return ContinuationScore(promptTokenCount: request.context.count, tokens: request.continuation,
                                     rawLogProbabilities: scores.flatMap(\.raw), decodedLogProbabilities: scores.flatMap(\.decoded),
                                     newTokenLimit: limit, endOfText: scores.last!.end_of_text.map { .init(raw: $0.raw, decoded: $0.decoded) })
        }
    }

    /// `request` as worker items that each fit the window: its context cut on the left to
    /// leave room for the continuation; a continuation longer than half the window goes in
    /// pieces of half the window, each after the tokens before it (a sliding window), the
    /// end-of-text term asked of the last piece only.
    func windowPieces(_ request: ScoringRequest, limit: Int) -> [WorkerWire.ScoreRequest.Item] {
        guard let window = contextWindow, request.context.count + request.continuation.count > window,
              request.continuation.count > window / 2 else {
            return [.init(context: fitted(request.context, leaving: request.continuation.count), continuation: request.continuation, limit: limit)]
        }
        let step = max(1, window / 2)
        let all = request.context + request.continuation
        return stride(from: 0, to: request.continuation.count, by: step).map { start in
            let piece = Array(request.continuation[start..<min(start + step, request.continuation.count)])
            let last = start + step >= request.continuation.count
            return .init(context: fitted(Array(all[..<(request.context.count + start)]), leaving: piece.count), continuation: piece,
                         limit: last ? limit - start : piece.count)
        }
    }

    /// Responses per `/v1/sample` request: a request draws all its tokens before it answers,
    /// so a long batch (150 texts of 60 tokens from a 262,144-token vocabulary) would outlast
    /// the request timeout; a few at a time keeps each request short.
    static let samplesPerRequest = 16

    public func sampleBatch(_ requests: [SamplingRequest], settings: DecodingSettings) throws(ServerModelError) -> [Generation] {
        var out: [Generation] = []
        for start in stride(from: 0, to: requests.count, by: Self.samplesPerRequest) {
            let part = Array(requests[start..<min(start + Self.samplesPerRequest, requests.count)])
            let body = WorkerWire.SampleRequest(model: name, decoding: Self.decoding(settings), requests: part.map {
                let limit = settings.newTokenLimit(promptTokenCount: $0.prompt.count)
                return .init(prompt: fitted($0.prompt, leaving: limit), seed: $0.seed, limit: limit)
            })
            let answer = try replicas.post("/v1/sample", { _ in body }, as: WorkerWire.SampleAnswer.self)
            out += zip(part, answer.generations).map { request, g in
                Generation(promptTokens: request.prompt, tokens: g.tokens, endedWithEndOfText: g.ended, text: tokenizer.decode(g.tokens))
            }
        }
        return out
    }

    public func distributions(contexts: [[Int]]) throws(ServerModelError) -> [[Double]] {
        guard !contexts.isEmpty else { return [] }
        let answer = try replicas.post("/v1/distributions", { _ in WorkerWire.DistributionsRequest(model: name, contexts: contexts.map { fitted($0) }) },
                                       as: WorkerWire.DistributionsAnswer.self)
        guard let rows = answer.rows(), rows.count == contexts.count else {
            throw ServerModelError(url: replicas.endpoints[0].url, reason: "the distributions for \(contexts.count) contexts are not \(contexts.count) rows of float32")
        }
        return rows
    }

    public func tokenLogProbabilities(_ queries: [TokenQuery], settings: DecodingSettings) throws(ServerModelError) -> [TokenLogProbabilities] {
        guard !queries.isEmpty else { return [] }
        let body = WorkerWire.TokenLogProbsRequest(model: name, decoding: Self.decoding(settings), requests: queries.map {
            .init(context: fitted($0.context), tokens: $0.tokens)
        })
        let answer = try replicas.post("/v1/token-log-probs", { _ in body }, as: WorkerWire.TokenLogProbsAnswer.self)
        guard answer.log_probs.count == queries.count,
              zip(queries, answer.log_probs).allSatisfy({ $0.tokens.count == $1.raw.count && $0.tokens.count == $1.decoded.count }) else {
            throw ServerModelError(url: replicas.endpoints[0].url, reason: "the log-probabilities do not answer the \(queries.count) queries token for token")
        }
        return answer.log_probs.map { TokenLogProbabilities(raw: $0.raw, decoded: $0.decoded) }
    }

    public func drawNextTokens(_ requests: [SamplingRequest], settings: DecodingSettings) throws(ServerModelError) -> [Int] {
        guard !requests.isEmpty else { return [] }
        let body = WorkerWire.NextTokensRequest(model: name, decoding: Self.decoding(settings), requests: requests.map {
            .init(context: fitted($0.prompt), seed: $0.seed)
        })
        let answer = try replicas.post("/v1/next-tokens", { _ in body }, as: WorkerWire.NextTokensAnswer.self)
        guard answer.tokens.count == requests.count, answer.tokens.allSatisfy({ (0..<tokenizer.vocabularySize).contains($0) }) else {
            throw ServerModelError(url: replicas.endpoints[0].url, reason: "the worker drew \(answer.tokens.count) tokens, not \(requests.count) ids of \(name)'s vocabulary")
        }
        return answer.tokens
    }

    /// The last tokens of `context` that fit the model's window with `leaving` more after them:
    /// a transformer sees at most its window, and a context longer than that (a long prompt
    /// under a small model) is cut on the left, as a sliding window reads it. The length rule
    /// still counts the whole prompt.
    func fitted(_ context: [Int], leaving: Int = 0) -> [Int] {
        guard let window = contextWindow, context.count + leaving > window else { return context }
        return Array(context.suffix(max(0, window - leaving)))
    }

    /// Runs a worker exchange for a protocol requirement that cannot throw: a worker that
    /// stays away past the replica set's patience ends the run with the reason.
    private func orStop<T>(_ body: () throws(ServerModelError) -> T) -> T {
        do { return try body() } catch { fatalError("\(error)") }
    }
}
