import Foundation

/// Collects the first error thrown on a worker thread, for rethrowing on the caller's.
final class FailureBox: @unchecked Sendable {
    private var error: (any Error)?
    private let lock = NSLock()

    func record(_ e: any Error) {
        lock.lock(); defer { lock.unlock() }
        if error == nil { error = e }
    }

    var first: (any Error)? {
        lock.lock(); defer { lock.unlock() }
        return error
    }
}
