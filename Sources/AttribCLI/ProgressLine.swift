import Foundation

/// Progress on standard error: a bar redrawn in place on a terminal, plain lines (every 10%)
/// otherwise, so logs stay readable.
final class ProgressLine: @unchecked Sendable {
    private let label: String
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastDecile = -1
    private let lock = NSLock()

    init(_ label: String) { self.label = label }

    func update(_ done: Int, _ total: Int) {
        lock.lock(); defer { lock.unlock() }
        guard total > 0 else { return }
        if isTerminal {
            let width = 30, filled = width * done / total
            let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)".utf8))
            if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            let decile = 10 * done / total
            if decile != lastDecile {
                lastDecile = decile
                FileHandle.standardError.write(Data("\(label): \(done)/\(total)\n".utf8))
            }
        }
    }
}

/// A line on standard error.
func note(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
