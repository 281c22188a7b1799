/// Counts of every n-gram of one order in a training text, sorted by n-gram: the sufficient
/// statistic from which an `NGramLanguageModel` derives all its lower orders.
///
/// Each document is followed by end-of-text and preceded by `order - 1` end-of-text tokens of
/// padding, so every predicted position (real tokens and the final end-of-text) has a full
/// history and every lower-order n-gram has a left neighbour.
public struct NGramCounts: Sendable, Equatable {
    /// The n of the n-grams (1...6).
    public let order: Int
    /// Distinct n-grams, ascending.
    let keys: [TokenTuple]
    /// Occurrences of each n-gram (positive).
    let counts: [Int64]

    init(order: Int, keys: [TokenTuple], counts: [Int64]) {
        self.order = order
        self.keys = keys
        self.counts = counts
    }

    /// Counts the n-grams of `documents` (token ids, without end-of-text).
    init(documents: [[Int]], order: Int, endOfText: Int) {
        var all: [TokenTuple] = []
        all.reserveCapacity(documents.reduce(0) { $0 + $1.count + 1 })
        for document in documents {
            var window = TokenTuple(repeatElement(endOfText, count: order - 1))
            for token in document {
                window.set(order - 1, token)
                all.append(window)
                window = window.droppingFirst()
            }
            window.set(order - 1, endOfText)
            all.append(window)
        }
        all.sort()
        self = Self.runLengths(sorted: all, order: order)
    }

    /// Groups equal neighbours of a sorted key list; each occurrence counts 1.
    static func runLengths(sorted: [TokenTuple], order: Int) -> NGramCounts {
        var keys: [TokenTuple] = []
        var counts: [Int64] = []
        for key in sorted {
            if key == keys.last {
                counts[counts.count - 1] += 1
            } else {
                keys.append(key)
                counts.append(1)
            }
        }
        return NGramCounts(order: order, keys: keys, counts: counts)
    }

    /// Number of distinct n-grams.
    public var distinctCount: Int { keys.count }
    /// Number of counted positions (sum of counts), in tokens.
    public var totalCount: Int64 { counts.reduce(0, +) }

    /// Exact counts of the same text at a lower order: every position's shorter n-gram is the
    /// suffix of its longer one, so dropping leading tokens and summing gives the raw counts.
    public func reduced(toOrder target: Int) -> NGramCounts {
        precondition(target >= 1 && target <= order)
        guard target < order else { return self }
        var pairs = zip(keys, counts).map { key, count in
            var shortened = key
            for _ in 0..<(order - target) { shortened = shortened.droppingFirst() }
            return (shortened, count)
        }
        pairs.sort { $0.0 < $1.0 }
        var keys: [TokenTuple] = []
        var counts: [Int64] = []
        for (key, count) in pairs {
            if key == keys.last { counts[counts.count - 1] += count } else {
                keys.append(key)
                counts.append(count)
            }
        }
        return NGramCounts(order: target, keys: keys, counts: counts)
    }

    /// `self` scaled by `weight` plus `other` scaled by `otherWeight`, merged by key. A weight
    /// of exactly 1 keeps counts as they are; other scaled counts are rounded stochastically
    /// (unbiased) with `generator`, visiting keys in ascending order so the result depends only
    /// on the inputs and the seed. A count rounded to 0 is dropped.
    func merged<Generator: RandomNumberGenerator>(
        weight: Double, with other: NGramCounts, otherWeight: Double, using generator: inout Generator
    ) -> NGramCounts {
        precondition(other.order == order)
        func scaled(_ count: Int64, _ factor: Double) -> Int64 {
            if factor == 1 { return count }
            if factor == 0 { return 0 }
            let exact = Double(count) * factor
            let whole = exact.rounded(.down)
            let draw = Double(generator.next() >> 11) * 0x1.0p-53
            return Int64(whole) + (draw < exact - whole ? 1 : 0)
        }
        var keys: [TokenTuple] = []
        var counts: [Int64] = []
        keys.reserveCapacity(self.keys.count + other.keys.count)
        counts.reserveCapacity(self.keys.count + other.keys.count)
        func emit(_ key: TokenTuple, _ count: Int64) {
            guard count > 0 else { return }
            keys.append(key)
            counts.append(count)
        }
        var i = 0
        var j = 0
        while i < self.keys.count || j < other.keys.count {
            if j == other.keys.count || (i < self.keys.count && self.keys[i] < other.keys[j]) {
                emit(self.keys[i], scaled(self.counts[i], weight))
                i += 1
            } else if i == self.keys.count || other.keys[j] < self.keys[i] {
                emit(other.keys[j], scaled(other.counts[j], otherWeight))
                j += 1
            } else {
                emit(self.keys[i], scaled(self.counts[i], weight) + scaled(other.counts[j], otherWeight))
                i += 1
                j += 1
            }
        }
        return NGramCounts(order: order, keys: keys, counts: counts)
    }
}
