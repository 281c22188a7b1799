import Storage

/// An answer from `JournaledOracle`: the model's text, and whether it was paid for now or
/// replayed from the journal.
public struct JournaledAnswer: Sendable, Equatable {
    public var model: Int
    /// This query's number among the run's queries to `model`, from 0.
    public var sequence: Int
    public var prompt: String
    /// `generated_text` exactly as the server sent it.
    public var generatedText: String
    /// The text after the prompt (the whole text when the prompt was not echoed).
    public var continuation: String
    public var promptEchoed: Bool
    /// True when the answer came from the journal and nothing was sent.
    public var replayed: Bool

    public init(model: Int, sequence: Int, prompt: String, generatedText: String,
                continuation: String, promptEchoed: Bool, replayed: Bool) {
        self.model = model
        self.sequence = sequence
        self.prompt = prompt
        self.generatedText = generatedText
        self.continuation = continuation
        self.promptEchoed = promptEchoed
        self.replayed = replayed
    }
}

/// Why a journaled query failed: the API or the journal. Prints as the underlying sentence.
public enum JournaledQueryError: Error, Sendable, Equatable, CustomStringConvertible {
    case api(MLMACError)
    case journal(JournalError)

    public var description: String {
        switch self {
        case .api(let error): return error.description
        case .journal(let error): return error.description
        }
    }
}
