import Foundation

/// A value behind a lock: the one way state is shared between threads outside an actor.
public final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()

    public init(_ value: Value) { stored = value }

    /// Runs `body` on the value under the lock; `body` may change it.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock(); defer { lock.unlock() }
        return try body(&stored)
    }

    /// A copy of the value now.
    public var value: Value { withLock { $0 } }
}

/// Fixed slots that worker threads fill concurrently; read back once all are done.
public final class ResultSlots<Value: Sendable>: Sendable {
    private let state: Locked<(slots: [Value?], done: Int)>

    public init(count: Int) { state = Locked((Array(repeating: nil, count: count), 0)) }

    /// Fills slot `index`, then calls `report` with the number of slots filled so far,
    /// still under the lock, so reports are serialised and counts increase one by one.
    public func set(_ index: Int, _ value: Value, report: ((Int) -> Void)? = nil) {
        state.withLock {
            $0.slots[index] = value
            $0.done += 1
            report?($0.done)
        }
    }

    /// Every value; each slot must have been filled.
    public func values() -> [Value] {
        state.withLock { $0.slots.map { $0! } }
    }
}
