import Common
import Foundation

/// The lock of a demo's or experiment's working folder (`DIR/.lock`, a `Common.FileLock`).
/// Two demos sharing one working folder would delete each other's journals and interleave
/// their result files.
final class DirectoryLock {
    private let lock: FileLock

    /// Takes the lock or throws `AttribError.busy` at once (never waits).
    init(directory: URL) throws {
        let path = directory.appendingPathComponent(".lock").path
        do {
            lock = try FileLock(path: path)
        } catch .held {
            throw AttribError.busy(directory: directory.path)
        } catch .unopenable(let reason) {
            throw AttribError.unusable(path: path, reason: "cannot be opened as a lock file: \(reason)")
        }
    }
}
