import Common

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
        let bucket = CorpusHash.bucket(document, salt: 0, modulo: 100)
        if bucket < 80 { return .train }
        if bucket < 90 { return .finetune }
        return .heldout
    }
}

/// A document's mixed hash under a salt: FNV-1a 64 of its UTF-8 bytes, mixed with the salt
/// by MurmurHash3's finaliser (`StableHash.mix`).
enum CorpusHash {
    /// Mixed hash of `text` under `salt` (salt 0 decides splits; others order samples).
    static func hash(_ text: String, salt: UInt64) -> UInt64 {
        StableHash.mix(StableHash.fnv1a(text) ^ StableHash.mix(salt &+ 0x9e37_79b9_7f4a_7c15))
    }

    static func bucket(_ text: String, salt: UInt64, modulo: UInt64) -> Int {
        Int(hash(text, salt: salt) % modulo)
    }
}
