import Foundation

/// One journaled query: intended (journaled, maybe sent, no answer stored) or completed.
public struct JournalEntry: Sendable, Equatable {
    public enum State: String, Sendable { case intended, completed }

    public var key: QueryKey
    public var state: State
    /// When the intent was first recorded.
    public var intendedAt: Date
    public var completedAt: Date?
    /// The answer; present exactly when `state == .completed`.
    public var response: JournalResponse?
    /// The server's count of queries to this model when the intent was recorded, if known.
    public var serverCountBefore: Int?
    /// Times a send was started for this key (more than 1 after a crash or failed call).
    public var sends: Int
    /// Requests that may have reached the server, over all sends (client retries included).
    public var attempts: Int
    /// Queries the server counted for this key without our having an answer, found by
    /// reconciling with `GET /status` after a restart.
    public var lostAttempts: Int

    /// Queries the server counted for this key: its count after the answer minus its count
    /// at intent. Nil while either is unknown.
    public var serverCounted: Int? {
        guard let before = serverCountBefore, let after = response?.serverCountAfter else { return nil }
        return after - before
    }
}

/// The answer to a journaled query, stored before the engine may use it.
public struct JournalResponse: Sendable, Equatable, Codable {
    /// `generated_text` exactly as the server sent it.
    public var generatedText: String
    /// The text after the prompt (the whole text when the prompt was not echoed).
    public var continuation: String
    public var promptEchoed: Bool
    /// The server's running count for this model in the answer (`queries[model]`).
    public var serverCountAfter: Int?
    /// Requests the client sent to get this answer (1 unless it retried).
    public var attempts: Int

    public init(generatedText: String, continuation: String, promptEchoed: Bool,
                serverCountAfter: Int?, attempts: Int) {
        self.generatedText = generatedText
        self.continuation = continuation
        self.promptEchoed = promptEchoed
        self.serverCountAfter = serverCountAfter
        self.attempts = attempts
    }
}
