/// FNV-1a, 64-bit: the one hash of the project that is stable across runs and platforms
/// (unlike `Hasher`), for fingerprints, identifiers, corpus splits and derived seeds.
public struct StableHash: Sendable {
    /// The FNV-1a 64 offset basis, where a hash starts by default.
    public static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// The current hash value.
    public private(set) var value: UInt64

    /// A hash at the offset basis, or continuing from `value` (a hash chained on another).
    public init(value: UInt64 = StableHash.offsetBasis) { self.value = value }

    public mutating func combine(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* Self.prime
    }

    /// The bytes as they are, with no length prefix (plain FNV-1a of a byte string).
    public mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { combine(byte) }
    }

    /// The word's 8 bytes, least significant first.
    public mutating func combine(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { combine(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }

    /// The UTF-8 length (as a word), then the UTF-8 bytes: "ab" + "c" differs from "a" + "bc".
    public mutating func combine(_ text: String) {
        combine(UInt64(text.utf8.count))
        combine(text.utf8)
    }

    /// The hash as 16 lowercase hexadecimal digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Plain FNV-1a 64 of the UTF-8 bytes of `text` (the published test vectors).
    public static func fnv1a(_ text: String) -> UInt64 {
        var h = StableHash()
        h.combine(text.utf8)
        return h.value
    }

    /// MurmurHash3's 64-bit finaliser: every input bit affects every output bit.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z ^= z >> 33
        z &*= 0xff51_afd7_ed55_8ccd
        z ^= z >> 33
        z &*= 0xc4ce_b2fe_1a85_ec53
        z ^= z >> 33
        return z
    }
}
