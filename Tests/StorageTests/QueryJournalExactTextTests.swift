import Foundation
import Storage
import Testing

@Suite struct QueryJournalExactTextTests {
    /// Answers sampled at temperature 3 contain NUL and other control characters; SQLite's
    /// text accessors stop at NUL, so a replay would silently differ from the paid answer.
    @Test func textsWithNULAndControlCharactersReplayExactly() async throws {
        let path = try temporaryDirectory().appendingPathComponent("journal.sqlite").path
        let prompt = "a\u{0}b prompt "
        let continuation = ",\u{FFFD}\n,k5.\u{0}\u{FFFD}\u{0E}R \u{0}"
        let key = QueryKey(runID: "r", model: 2, sequence: 1, prompt: prompt)
        do {
            let journal = try QueryJournal(path: path)
            try await journal.recordIntent(key, serverCountBefore: 0)
            try await journal.recordCompletion(key, response: JournalResponse(
                generatedText: prompt + continuation, continuation: continuation, promptEchoed: true,
                serverCountAfter: 1, attempts: 1))
        }
        let entry = try #require(try await QueryJournal(path: path).entry(for: key))
        #expect(entry.key.prompt == prompt)
        #expect(entry.response?.continuation == continuation)
        #expect(entry.response?.generatedText == prompt + continuation)
    }
}
