/// Up to six token ids packed into 126 bits (21 bits each), so that n-gram keys hash fast and
/// compare lexicographically: slot 0 is the most significant, unused trailing slots are zero.
struct TokenTuple: Hashable, Comparable, Sendable {
    var high: UInt64
    var low: UInt64

    static let bitsPerToken = 21
    static let slots = 6
    /// Token ids must be below this (2,097,152).
    static let tokenLimit = 1 << 21
    private static let tokenMask: UInt64 = (1 << 21) - 1
    private static let halfMask: UInt64 = (1 << 63) - 1

    static let zero = TokenTuple(high: 0, low: 0)

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Slots `0..<tokens.count` hold `tokens`.
    init(_ tokens: some Collection<Int>) {
        precondition(tokens.count <= Self.slots)
        self = .zero
        for (slot, token) in tokens.enumerated() { set(slot, token) }
    }

    private static func position(_ slot: Int) -> (isHigh: Bool, shift: UInt64) {
        slot < 3 ? (true, UInt64((2 - slot) * 21)) : (false, UInt64((5 - slot) * 21))
    }

    func token(at slot: Int) -> Int {
        let (isHigh, shift) = Self.position(slot)
        return Int(((isHigh ? high : low) >> shift) & Self.tokenMask)
    }

    mutating func set(_ slot: Int, _ token: Int) {
        precondition(token >= 0 && token < Self.tokenLimit, "token id \(token) too large for n-gram keys")
        let (isHigh, shift) = Self.position(slot)
        let cleared = ~(Self.tokenMask << shift)
        if isHigh {
            high = (high & cleared) | (UInt64(token) << shift)
        } else {
            low = (low & cleared) | (UInt64(token) << shift)
        }
    }

    /// Drops slot 0 and moves every other slot one to the left; the last slot becomes 0.
    func droppingFirst() -> TokenTuple {
        TokenTuple(high: ((high << 21) | (low >> 42)) & Self.halfMask, low: (low << 21) & Self.halfMask)
    }

    /// Keeps slots `0..<count`, zeroing the rest.
    func prefix(_ count: Int) -> TokenTuple {
        if count >= 3 {
            let dropped = UInt64((6 - count) * 21)
            return TokenTuple(high: high, low: dropped >= 63 ? 0 : low & ~((1 << dropped) - 1))
        }
        let dropped = UInt64((3 - count) * 21)
        return TokenTuple(high: dropped >= 63 ? 0 : high & ~((1 << dropped) - 1), low: 0)
    }

    static func < (lhs: TokenTuple, rhs: TokenTuple) -> Bool {
        lhs.high != rhs.high ? lhs.high < rhs.high : lhs.low < rhs.low
    }
}
