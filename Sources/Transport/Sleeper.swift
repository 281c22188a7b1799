/// Waits for a number of seconds. Injected into the HTTP clients (their `RetryingExchange`)
/// so tests need not sleep.
public protocol Sleeper: Sendable {
    /// Suspends for `seconds` (may be fractional). Throws `CancellationError` when cancelled.
    func sleep(seconds: Double) async throws
}

/// The real sleeper: `Task.sleep`.
public struct TaskSleeper: Sleeper {
    public init() {}

    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}
