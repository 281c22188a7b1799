import Foundation

/// `body(i)` for every `i` in `0..<count`, on up to `threads` threads at once (worker `w`
/// takes `w`, `w + threads`, ...; nil: one task per index, as many threads as the system
/// gives), results in index order. `report(done)` is called after each result, serialised,
/// with the count so far. Every index runs even when one throws; the error of the lowest
/// failing index is rethrown afterwards, so a failure does not depend on thread timing.
public func parallelMap<T: Sendable>(_ count: Int, threads: Int? = nil, report: (@Sendable (Int) -> Void)? = nil,
                                     _ body: @Sendable (Int) throws -> T) throws -> [T] {
    let slots = ResultSlots<Result<T, any Error>>(count: count)
    let workers = threads.map { max(1, min($0, count)) }
    if let workers {
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: count, by: workers) { slots.set(i, Result { try body(i) }, report: report) }
        }
    } else {
        DispatchQueue.concurrentPerform(iterations: count) { i in slots.set(i, Result { try body(i) }, report: report) }
    }
    return try count == 0 ? [] : slots.values().map { try $0.get() }
}
