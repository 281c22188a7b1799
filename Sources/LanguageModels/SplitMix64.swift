/// A seeded, fast pseudo-random number generator (SplitMix64, Steele, Lea & Flood 2014).
///
/// Value type: copying it forks the stream. Every random choice in this module takes one
/// explicitly, so a seed fully determines training, fine-tuning and sampling.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    /// The internal 64-bit state; advancing adds the golden-ratio increment.
    public private(set) var state: UInt64

    /// A generator whose stream is determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A generator for an independent sub-stream, derived from this seed and a label
    /// (for example a model name), without advancing `self`.
    public func derived(_ label: String) -> SplitMix64 {
        var hash = StableHash()
        hash.combine(state)
        hash.combine(label)
        return SplitMix64(seed: hash.value)
    }
}

/// FNV-1a, 64-bit: a hash that is stable across runs and platforms (unlike `Hasher`),
/// used for identifiers and derived seeds.
public struct StableHash: Sendable {
    /// The current hash value.
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    public mutating func combine(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    public mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { combine(byte) }
    }

    public mutating func combine(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { combine(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }

    public mutating func combine(_ text: String) {
        combine(UInt64(text.utf8.count))
        combine(text.utf8)
    }

    /// The hash as 16 lowercase hexadecimal digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
