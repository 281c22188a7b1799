import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock (flock(2)) on a lock file, held until this value is released or
/// the process exits: the kernel drops it even after SIGKILL, so a killed process never leaves
/// it locked. The holder writes its process id into the file, so a refusal can name it.
public final class FileLock: @unchecked Sendable {
    private let descriptor: Int32
    public let path: String

    /// Why the lock was not taken.
    public enum Failure: Error, Equatable {
        /// Another process holds it (its id, when it wrote one).
        case held(by: Int32?)
        /// The lock file cannot be opened.
        case unopenable(reason: String)
    }

    /// Takes the lock on `path` or fails at once (never waits).
    public init(path: String) throws(Failure) {
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unopenable(reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let holder = n > 0 ? Int32(String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) : nil
            throw .held(by: holder)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        descriptor = fd
        self.path = path
    }

    deinit {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
