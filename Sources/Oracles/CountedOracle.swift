/// A text API that answers prompts for numbered fine-tuned models and counts each query.
///
/// `MLMACClient` is the live implementation; `JournaledOracle` wraps one so that no
/// answered query is ever paid for twice.
public protocol CountedOracle: Sendable {
    /// Asks model `model` to continue `prompt`. One counted query (more if retried).
    func query(model: Int, prompt: String) async throws(MLMACError) -> MLMACQueryResult
    /// The server's counts; not itself counted.
    func status() async throws(MLMACError) -> MLMACStatus
}
