/// The three disjoint parts of every corpus.
///
/// A document's part depends only on its cleaned text: a stable 64-bit FNV-1a hash of its
/// UTF-8 bytes, passed through a 64-bit avalanche finaliser (so the low digits are well
/// mixed), modulo 100. Buckets 0..<80 are `train`, 80..<90 `finetune`, 90..<100
/// `heldout`. Identical documents therefore always land in the same part, and the split
/// is the same on every machine and every run (Swift's `Hasher` is seeded per process and
/// is not used).
public enum CorpusSplit: String, Sendable, Hashable, CaseIterable, Codable {
    /// Text for training base models (80 %).
    case train
    /// Domain text for fine-tunes (10 %).
    case finetune
    /// Held out for prompt pools; never used for training (10 %).
    case heldout

    /// Share of documents (in expectation) in each part, in percent.
    public var percent: Int {
        switch self {
        case .train: 80
        case .finetune: 10
        case .heldout: 10
        }
    }

    /// The part `document` belongs to.
    public static func of(_ document: String) -> CorpusSplit {
        let bucket = StableHash.bucket(document, salt: 0, modulo: 100)
        if bucket < 80 { return .train }
        if bucket < 90 { return .finetune }
        return .heldout
    }
}

/// Stable, platform-independent hashing (FNV-1a 64 with a finaliser).
enum StableHash {
    static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

    /// Plain 64-bit FNV-1a of the UTF-8 bytes of `text`.
    static func fnv1a64(_ text: String, seed: UInt64 = fnvOffset) -> UInt64 {
        var h = seed
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h &*= fnvPrime
        }
        return h
    }

    /// MurmurHash3's 64-bit finaliser: every input bit affects every output bit.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z ^= z >> 33
        z &*= 0xff51_afd7_ed55_8ccd
        z ^= z >> 33
        z &*= 0xc4ce_b2fe_1a85_ec53
        z ^= z >> 33
        return z
    }

    /// Mixed hash of `text` under `salt` (salt 0 decides splits; others order samples).
    static func hash(_ text: String, salt: UInt64) -> UInt64 {
        mix(fnv1a64(text) ^ mix(salt &+ 0x9e37_79b9_7f4a_7c15))
    }

    static func bucket(_ text: String, salt: UInt64, modulo: UInt64) -> Int {
        Int(hash(text, salt: salt) % modulo)
    }
}
