import Common

/// The MLMAC client as an `Oracle`: an answer carries the server's count for its model, and
/// `queryCounts()` is `GET /status` (not counted).
extension MLMACClient: Oracle {
    public func ask(model: Int, prompt: String) async throws -> OracleAnswer {
        let result = try await query(model: model, prompt: prompt)
        return OracleAnswer(generatedText: result.generatedText, continuation: result.continuation, promptEchoed: result.promptEchoed,
                            serverCount: result.queryCounts[model], attempts: result.attempts)
    }

    public func queryCounts() async throws -> [Int: Int]? {
        try await status().queryCounts
    }
}
