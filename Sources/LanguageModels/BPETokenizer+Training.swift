extension BPETokenizer {
    /// Learns merges from `documents` until the vocabulary (bytes, merges and end-of-text)
    /// has `vocabularySize` ids, or no adjacent pair is left.
    ///
    /// Each step joins the most frequent adjacent pair, counted over GPT-2 pre-tokens weighted
    /// by frequency; ties go to the smaller (left, right) id pair, so training is deterministic.
    /// Pair counts are updated incrementally and the maximum is kept in a lazy heap.
    public init(training documents: [String], vocabularySize: Int) throws {
        guard vocabularySize >= 257 else {
            throw LanguageModelError.invalidParameter(
                name: "vocabularySize", value: "\(vocabularySize)", reason: "must be at least 257 (bytes and end-of-text)")
        }
        var pieceCounts: [ArraySlice<UInt8>: Int] = [:]
        for document in documents {
            let bytes = Array(document.utf8)
            for range in PreTokenizer.gpt2.split(document) where range.count > 1 {
                pieceCounts[bytes[range], default: 0] += 1
            }
        }
        let sortedPieces = pieceCounts.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        var words = sortedPieces.map { $0.key.map { Int32($0) } }
        let frequency = sortedPieces.map(\.value)

        var pairCounts: [UInt64: Int] = [:]
        var pairWords: [UInt64: [Int32]] = [:]
        for (index, word) in words.enumerated() {
            for k in 0..<(word.count - 1) {
                let key = bpePairKey(word[k], word[k + 1])
                pairCounts[key, default: 0] += frequency[index]
                pairWords[key, default: []].append(Int32(index))
            }
        }
        var heap = PairHeap()
        for (key, count) in pairCounts { heap.push(count: count, pair: key) }

        var merges: [Merge] = []
        var stamp = [Int](repeating: -1, count: words.count)
        let wanted = vocabularySize - 257
        while merges.count < wanted, let (count, key) = heap.pop() {
            guard pairCounts[key] == count else {
                if let current = pairCounts[key], current > 0 { heap.push(count: current, pair: key) }
                continue
            }
            let left = Int32(truncatingIfNeeded: key >> 32)
            let right = Int32(truncatingIfNeeded: key & 0xFFFF_FFFF)
            let joined = Int32(256 + merges.count)
            merges.append(Merge(left: left, right: right))
            var deltas: [UInt64: Int] = [:]
            for wordIndex in pairWords[key] ?? [] where stamp[Int(wordIndex)] != merges.count {
                stamp[Int(wordIndex)] = merges.count
                let word = words[Int(wordIndex)]
                var output: [Int32] = []
                output.reserveCapacity(word.count)
                var k = 0
                while k < word.count {
                    if k + 1 < word.count, word[k] == left, word[k + 1] == right {
                        output.append(joined)
                        k += 2
                    } else {
                        output.append(word[k])
                        k += 1
                    }
                }
                guard output.count != word.count else { continue }
                let weight = frequency[Int(wordIndex)]
                for k in 0..<(word.count - 1) { deltas[bpePairKey(word[k], word[k + 1]), default: 0] -= weight }
                for k in 0..<max(0, output.count - 1) {
                    let pair = bpePairKey(output[k], output[k + 1])
                    deltas[pair, default: 0] += weight
                    if output[k] == joined || output[k + 1] == joined { pairWords[pair, default: []].append(wordIndex) }
                }
                words[Int(wordIndex)] = output
            }
            for (pair, delta) in deltas where delta != 0 {
                let updated = (pairCounts[pair] ?? 0) + delta
                if updated <= 0 {
                    pairCounts[pair] = nil
                    pairWords[pair] = nil
                } else {
                    pairCounts[pair] = updated
                    if delta > 0 { heap.push(count: updated, pair: pair) }
                }
            }
            pairCounts[key] = nil
            pairWords[key] = nil
        }
        try self.init(merges: merges)
    }
}

/// A binary max-heap of (count, pair), larger count first, then smaller pair key.
struct PairHeap {
    private var counts: [Int] = []
    private var pairs: [UInt64] = []

    private func above(_ i: Int, _ j: Int) -> Bool {
        counts[i] != counts[j] ? counts[i] > counts[j] : pairs[i] < pairs[j]
    }

    private mutating func swapAt(_ i: Int, _ j: Int) {
        counts.swapAt(i, j)
        pairs.swapAt(i, j)
    }

    mutating func push(count: Int, pair: UInt64) {
        counts.append(count)
        pairs.append(pair)
        var child = counts.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard above(child, parent) else { break }
            swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (Int, UInt64)? {
        guard let top = counts.first else { return nil }
        let pair = pairs[0]
        swapAt(0, counts.count - 1)
        counts.removeLast()
        pairs.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var best = parent
            if left < counts.count, above(left, best) { best = left }
            if right < counts.count, above(right, best) { best = right }
            guard best != parent else { break }
            swapAt(parent, best)
            parent = best
        }
        return (top, pair)
    }
}

private func bpePairKey(_ left: Int32, _ right: Int32) -> UInt64 { BPETokenizer.pairKey(left, right) }
