import Common
import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock (flock(2)) on `DIR/.lock`, held until this value is released or
/// the process exits (the kernel drops it even after SIGKILL). Two demos sharing one working
/// folder would delete each other's journals and interleave their result files.
final class DirectoryLock {
    private let descriptor: Int32

    /// Takes the lock or throws `AttribError.busy` at once (never waits).
    init(directory: URL) throws {
        let path = directory.appendingPathComponent(".lock").path
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw AttribError.unusable(path: path, reason: "cannot be opened as a lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw AttribError.busy(directory: directory.path)
        }
        descriptor = fd
    }

    deinit {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
