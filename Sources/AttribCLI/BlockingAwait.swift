import Dispatch

/// Runs async work to completion from a synchronous command's `run()`.
///
/// The commands are plain `ParsableCommand`s: an `AsyncParsableCommand` subcommand under a
/// top-level `main.swift` was dispatched to the synchronous default `run()` (which prints
/// help). The calling thread (the main thread) waits; the work runs on the concurrency pool.
func blockingAwait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
