/// Whatever answers the queries of a run: a live API (MLMAC, later OpenAI-compatible), the
/// in-process simulator, a replayed log, or any of them behind the query journal.
///
/// Fine-tuned models are numbered by their public id. Implementations keep at most one query
/// per model in flight correct; the engine never sends two at once to one model.
public protocol Oracle: Sendable {
    /// The answer of fine-tuned model `model` to `prompt`: one query (paid, where the source
    /// counts queries).
    func ask(model: Int, prompt: String) async throws -> OracleAnswer
    /// The source's own count of queries per model (MLMAC's `GET /status`), or nil when it
    /// keeps none. Not itself a query.
    func queryCounts() async throws -> [Int: Int]?
}

/// One answer of an oracle.
public struct OracleAnswer: Sendable, Equatable, Codable {
    /// The text exactly as the source returned it (MLMAC: normally the prompt plus the continuation).
    public var generatedText: String
    /// The text after the prompt: what the engine scores.
    public var continuation: String
    /// Whether `generatedText` started with the prompt, byte for byte.
    public var promptEchoed: Bool
    /// The source's count of queries to this model after this one, when it reports one.
    public var serverCount: Int?
    /// Requests that may have reached the source to get this answer (1 unless retried).
    public var attempts: Int
    /// True when the answer came from a journal and nothing was sent.
    public var replayed: Bool

    public init(generatedText: String, continuation: String, promptEchoed: Bool, serverCount: Int? = nil,
                attempts: Int = 1, replayed: Bool = false) {
        self.generatedText = generatedText
        self.continuation = continuation
        self.promptEchoed = promptEchoed
        self.serverCount = serverCount
        self.attempts = attempts
        self.replayed = replayed
    }

    /// An answer whose text is `prompt + continuation`, as the MLMAC API returns it.
    public init(prompt: String, continuation: String, serverCount: Int? = nil) {
        self.init(generatedText: prompt + continuation, continuation: continuation, promptEchoed: true, serverCount: serverCount)
    }
}

/// An oracle failure that knows how many requests may have reached the source (and so may
/// have been counted) before it gave up; the journal records them.
public protocol OracleFailure: Error {
    var attempts: Int { get }
}
