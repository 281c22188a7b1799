import Common
import Foundation
import LanguageModels

/// A causal language model on OpenAI-compatible inference servers that take token-id prompts
/// and report per-token log-probabilities with token ids (llama.cpp's `llama-server`):
/// `POST /v1/completions`, `/tokenize`, `GET /v1/models`, `/props`, behind a `ReplicaSet`.
///
/// What each answer needs, and how it is asked (every request evaluates the context as token
/// ids, so a path the tokenizer would not choose is evaluated as it is):
/// - raw `log p(x | context)` of one token: one greedy request with `x` forced by a logit bias
///   (the bias acts on sampling only; the reported probability is of the raw logits);
/// - the temperature normaliser `log Z_T = log sum_w p(w)^(1/T)`: the top token's raw
///   log-probability and its probability after the temperature sampler
///   (`post_sampling_probs`) give `log Z_T = log p(t) / T - log q_T(t)` exactly, so no
///   truncated top-k list and no tail guess enters the decoded scores;
/// - a sampled token: one request at the run's temperature, seeded, other samplers off;
/// - the whole distribution (only the start-of-text background and the vocabulary's pieces):
///   one request for every token's log-probability and bytes.
/// Answers are cached per context. The model's "start of text" is its BOS token when its
/// tokenizer adds one, else its end-of-text token (the document separator it was trained with).
public struct ServerLanguageModel: StepwiseLanguageModel {
    public let replicas: ReplicaSet
    /// Changes whenever the served model does (name, vocabulary and start distribution).
    public let identity: String
    let vocabulary: ServerTokenizer
    /// Put before every context: the BOS token, when the server's tokenizer adds one.
    let prefix: [Int]
    let startContext: [Int]
    let startLogProbabilities: [Double]
    private let memo = Memo()

    public var tokenizer: any Tokenizer { vocabulary }
    public var contextWindow: Int? { nil }

    /// Connects to `replicas` (which must all serve the same model) and reads the vocabulary.
    public static func connect(_ replicas: ReplicaSet, name: String) throws(ServerModelError) -> ServerLanguageModel {
        let first = replicas.endpoints[0].url
        var vocabularySize: Int? = nil
        for k in replicas.endpoints.indices {
            let models = try replicas.get("/v1/models", as: ModelsResponse.self, replica: k)
            guard let n = models.data.first?.meta?.n_vocab, n > 0 else {
                throw ServerModelError(url: replicas.endpoints[k].url, reason: "GET /v1/models reports no n_vocab (is it a llama.cpp server?)")
            }
            if let known = vocabularySize, known != n {
                throw ServerModelError(url: replicas.endpoints[k].url, reason: "serves a vocabulary of \(n) tokens, but \(first) serves \(known): replicas must serve the same model")
            }
            vocabularySize = n
        }
        let props = try replicas.get("/props", as: PropsResponse.self)
        func tokenize(_ text: String, special: Bool) throws(ServerModelError) -> [Int] {
            try replicas.post("/tokenize", { _ in TokenizeRequest(content: text, add_special: special, parse_special: special) },
                              as: TokenizeResponse.self).tokens
        }
        let plain = try tokenize("a", special: false)
        let withSpecial = try tokenize("a", special: true)
        let prefix = withSpecial.count > plain.count && Array(withSpecial.suffix(plain.count)) == plain ? Array(withSpecial.prefix(1)) : []
        guard let eosText = props.eos_token, let eos = try tokenize(eosText, special: true).first else {
            throw ServerModelError(url: first, reason: "GET /props names no end-of-text token")
        }
        let start = prefix.isEmpty ? [eos] : prefix
        let full = try fullDistribution(replicas, prompt: start, vocabularySize: vocabularySize!, endOfText: eos)
        let tokenizer = ServerTokenizer(kind: "server", modelName: name, pieces: full.pieces, endOfTextToken: eos) { text throws(ServerModelError) in
            try replicas.post("/tokenize", { _ in TokenizeRequest(content: text, add_special: false) }, as: TokenizeResponse.self).tokens
        }
        var hash = StableHash()
        hash.combine(tokenizer.identifier)
        for lp in full.logProbabilities { hash.combine(lp.bitPattern) }
        return ServerLanguageModel(replicas: replicas, identity: "server:\(name):\(hash.hex)", vocabulary: tokenizer,
                                   prefix: prefix, startContext: start, startLogProbabilities: full.logProbabilities)
    }

    private init(replicas: ReplicaSet, identity: String, vocabulary: ServerTokenizer, prefix: [Int],
                 startContext: [Int], startLogProbabilities: [Double]) {
        self.replicas = replicas
        self.identity = identity
        self.vocabulary = vocabulary
        self.prefix = prefix
        self.startContext = startContext
        self.startLogProbabilities = startLogProbabilities
    }

    /// The token ids the server evaluates for `context`.
    public func prompt(_ context: [Int]) -> [Int] { context.isEmpty ? startContext : prefix + context }

    /// The whole distribution after `context`: one large answer, memoised per context.
    public func nextTokenLogProbabilities(context: [Int]) -> [Double] {
        if context.isEmpty { return startLogProbabilities }
        if let known = memo.distributions.withLock({ $0[context] }) { return known }
        return orStop { () throws(ServerModelError) in
            let full = try Self.fullDistribution(replicas, prompt: prompt(context), vocabularySize: vocabulary.vocabularySize,
                                                 endOfText: vocabulary.endOfTextToken).logProbabilities
            memo.distributions.withLock { $0[context] = full }
            return full
        }
    }

    public func logProbabilities(of tokens: [Int], after context: [Int]) -> [Double] {
        let full: [Double]? = context.isEmpty ? startLogProbabilities : memo.distributions.withLock { $0[context] }
        return tokens.map { token in
            if let full { return full[token] }
            if let known = memo.raw.withLock({ $0[context + [token]] }) { return known }
            return orStop { () throws(ServerModelError) in try forced(token, after: context) }
        }
    }

    public func logNormaliser(after context: [Int], temperature: Double) -> Double {
        let key = NormaliserKey(context: context, temperature: temperature)
        if let known = memo.normalisers.withLock({ $0[key] }) { return known }
        return orStop { () throws(ServerModelError) in
            var request = request(context, temperature: temperature)
            request.post_sampling_probs = true
            // The server reports nothing when its draw is a token that is not valid UTF-8
            // alone; the tempered probabilities do not depend on the draw, so draw again.
            var top: CompletionResponse.Alternative? = nil
            for seed in UInt32(1)...32 where top == nil {
                request.seed = seed
                top = try Self.reportedToken(replicas, request)?.top_probs?.first
            }
            guard let top, let tempered = top.logProbability else {
                throw ServerModelError(url: replicas.endpoints[0].url, reason: "no post-sampling probabilities in 32 answers")
            }
            let raw = logProbabilities(of: [top.id], after: context)[0]
            let normaliser = raw / temperature - tempered
            memo.normalisers.withLock { $0[key] = normaliser }
            return normaliser
        }
    }

    public func sampleToken(after context: [Int], settings: DecodingSettings, seed: UInt64) -> Int {
        precondition(settings.topK == nil && settings.topP == nil, "server models sample without top-k or top-p")
        return orStop { () throws(ServerModelError) in
            var request = request(context, temperature: settings.temperature)
            request.seed = UInt32(truncatingIfNeeded: seed) & 0x7fff_ffff
            request.n_probs = 0
            request.n_predict = 1
            request.return_tokens = true
            let answer = try Self.post(replicas, "/completion", request, as: NativeCompletionResponse.self)
            if let token = answer.tokens?.first { return token }
            guard answer.stop_type == "eos" else {
                throw ServerModelError(url: replicas.endpoints[0].url, reason: "/completion returned no token and did not stop at end of text")
            }
            return vocabulary.endOfTextToken
        }
    }

    /// Raw log-probability of `token` after `context` (also memoises the top token's).
    private func forced(_ token: Int, after context: [Int]) throws(ServerModelError) -> Double {
        var request = request(context, temperature: 0)
        request.logit_bias = [String(token): 100]
        guard let answer = try Self.reportedToken(replicas, request) else {
            // A token that is not valid UTF-8 alone comes back without log-probabilities:
            // read the whole distribution of this context instead (rare: lone bytes).
            return nextTokenLogProbabilities(context: context)[token]
        }
        guard answer.id == token, let lp = answer.logprob else {
            throw ServerModelError(url: replicas.endpoints[0].url, reason: "a logit bias did not force token \(token) (got \(answer.id))")
        }
        memo.raw.withLock { table in
            table[context + [token]] = lp
            for alt in answer.top_logprobs ?? [] { if let v = alt.logProbability { table[context + [alt.id]] = v } }
        }
        return lp
    }

    private func request(_ context: [Int], temperature: Double) -> CompletionRequest {
        CompletionRequest(model: replicas.endpoints[0].model, prompt: prompt(context), temperature: temperature, n_probs: 1)
    }

    /// The one generated token's report; nil when the server left it out (a token that is
    /// not valid UTF-8 alone).
    private static func reportedToken(_ replicas: ReplicaSet, _ request: CompletionRequest) throws(ServerModelError) -> CompletionResponse.TokenProbability? {
        try post(replicas, "/v1/completions", request, as: CompletionResponse.self).choices.first?.logprobs?.content.first
    }

    /// `request` to `path` on one replica, with that replica's model name.
    private static func post<Answer: Decodable>(_ replicas: ReplicaSet, _ path: String, _ request: CompletionRequest,
                                                as: Answer.Type) throws(ServerModelError) -> Answer {
        try replicas.post(path, { endpoint in
            var r = request
            r.model = endpoint.model
            return r
        }, as: Answer.self)
    }

    private static func onlyToken(_ replicas: ReplicaSet, _ request: CompletionRequest) throws(ServerModelError) -> CompletionResponse.TokenProbability {
        guard let token = try reportedToken(replicas, request) else {
            throw ServerModelError(url: replicas.endpoints[0].url, reason: "the completion carries no token log-probabilities")
        }
        return token
    }

    /// Every token's raw log-probability and piece after `prompt`.
    /// The draw is forced to `endOfText` (the bias acts on sampling only), because the server
    /// reports nothing for a drawn token that is not valid UTF-8 alone.
    static func fullDistribution(_ replicas: ReplicaSet, prompt: [Int], vocabularySize: Int, endOfText: Int) throws(ServerModelError) -> (logProbabilities: [Double], pieces: [[UInt8]]) {
        var request = CompletionRequest(model: replicas.endpoints[0].model, prompt: prompt, temperature: 0, n_probs: vocabularySize)
        request.logit_bias = [String(endOfText): 100]
        let token = try onlyToken(replicas, request)
        var logProbabilities = [Double](repeating: -.infinity, count: vocabularySize)
        var pieces = [[UInt8]](repeating: [], count: vocabularySize)
        var seen = 0
        for alt in token.top_logprobs ?? [] where alt.id >= 0 && alt.id < vocabularySize {
            logProbabilities[alt.id] = alt.logProbability ?? -.infinity
            pieces[alt.id] = alt.bytes ?? []
            seen += 1
        }
        guard seen == vocabularySize else {
            throw ServerModelError(url: replicas.endpoints[0].url, reason: "asked for all \(vocabularySize) log-probabilities, got \(seen)")
        }
        return (logProbabilities, pieces)
    }

    /// Runs a server exchange for a protocol requirement that cannot throw: a server that
    /// stays away past the replica set's patience ends the process with the reason.
    private func orStop<T>(_ body: () throws(ServerModelError) -> T) -> T {
        do { return try body() } catch { fatalError("\(error)") }
    }
}

struct NormaliserKey: Hashable {
    let context: [Int]
    let temperature: Double
}

/// Answers already had, shared by every copy of one model.
final class Memo: Sendable {
    let raw = Locked<[[Int]: Double]>([:])
    /// Whole distributions read (rare: contexts where a lone-byte token was scored).
    let distributions = Locked<[[Int]: [Double]]>([:])
    let normalisers = Locked<[NormaliserKey: Double]>([:])
}
