import Transport

/// One answered query: the model's text, the continuation split off the prompt, and the
/// server's running query counts.
public struct MLMACQueryResult: Sendable, Equatable, Codable {
    /// Fine-tuned model number (the `model` query parameter).
    public var model: Int
    public var prompt: String
    /// `result.generated_text` exactly as returned (normally the prompt plus a continuation).
    public var generatedText: String
    /// The text after the prompt when `promptEchoed`; otherwise the whole `generatedText`.
    public var continuation: String
    /// Whether `generatedText` starts with the prompt, byte for byte (UTF-8).
    public var promptEchoed: Bool
    /// The server's running count of this caller's queries per model, after this query.
    public var queryCounts: [Int: Int]
    /// Requests that may have reached the server to get this answer (1 unless retried).
    public var attempts: Int

    public init(model: Int, prompt: String, generatedText: String, queryCounts: [Int: Int],
                attempts: Int) {
        self.model = model
        self.prompt = prompt
        self.generatedText = generatedText
        let split = Self.split(generatedText: generatedText, prompt: prompt)
        continuation = split.continuation
        promptEchoed = split.echoed
        self.queryCounts = queryCounts
        self.attempts = attempts
    }

    /// The continuation, or `APIError.promptNotEchoed` when the prompt was not echoed.
    public func requireEchoedPrompt() throws(APIError) -> String {
        guard promptEchoed else {
            throw .promptNotEchoed(model: model, promptCharacters: prompt.count)
        }
        return continuation
    }

    /// Splits `prompt` off the front of `generatedText`, comparing UTF-8 bytes (no Unicode
    /// normalisation: "exactly"). When it does not match, returns the whole text, false.
    public static func split(generatedText: String, prompt: String) -> (continuation: String, echoed: Bool) {
        let text = Array(generatedText.utf8), head = Array(prompt.utf8)
        guard text.starts(with: head) else { return (generatedText, false) }
        return (String(decoding: text[head.count...], as: UTF8.self), true)
    }
}
