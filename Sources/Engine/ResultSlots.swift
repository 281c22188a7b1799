import Foundation

/// Fixed slots that worker threads fill concurrently; read back once all are done.
public final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    private var slots: [Value?]
    private var done = 0
    private let lock = NSLock()

    public init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// Fills slot `index`, then calls `report` with the number of slots filled so far,
    /// still under the lock, so reports are serialised and counts increase one by one.
    public func set(_ index: Int, _ value: Value, report: ((Int) -> Void)? = nil) {
        lock.lock(); defer { lock.unlock() }
        slots[index] = value
        done += 1
        report?(done)
    }

    /// Every value; each slot must have been filled.
    public func values() -> [Value] {
        lock.lock(); defer { lock.unlock() }
        return slots.map { $0! }
    }
}
