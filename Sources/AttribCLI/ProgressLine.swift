import Common
import Foundation
import Workflow

/// Progress on standard error: a bar redrawn in place on a terminal, plain lines (every 10%)
/// otherwise, so logs stay readable.
final class ProgressLine: Sendable {
    private let label: String
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let lastDecile = Locked(-1)

    init(_ label: String) { self.label = label }

    func update(_ done: Int, _ total: Int) {
        guard total > 0 else { return }
        lastDecile.withLock { lastDecile in
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
}

/// Prints a job's events on standard error: steps as lines (with the seconds since `start`
/// when given), precompute as a progress bar, answers as lines when `answers`.
struct EventPrinter: Sendable {
    let answers: Bool
    var start: Date?
    let progress = ProgressLine("precompute")

    init(answers: Bool, start: Date? = nil) {
        self.answers = answers
        self.start = start
    }

    var print: @Sendable (JobEvent) -> Void {
        { [self] event in
            switch event {
            case .step(let line):
                note(start.map { String(format: "[%5.1f s] ", Date().timeIntervalSince($0)) } .map { $0 + line } ?? line)
            case .precompute(let done, let total): progress.update(done, total)
            case .answer(let answer): if answers { note(answer.line) }
            }
        }
    }
}

/// A line on standard error.
func note(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
