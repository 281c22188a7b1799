import Common
import Dispatch

/// Runs async work to completion from a synchronous command's `run()`.
///
/// The commands are plain `ParsableCommand`s: an `AsyncParsableCommand` subcommand under a
/// top-level `main.swift` was dispatched to the synchronous default `run()` (which prints
/// help). The calling thread (the main thread) waits; the work runs on the concurrency pool.
func blockingAwait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = Locked<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        box.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    return try box.value!.get()
}
