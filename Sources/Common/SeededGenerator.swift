/// A seeded, fast pseudo-random number generator (SplitMix64, Steele, Lea & Flood 2014): the
/// one generator of the project.
///
/// Value type: copying it forks the stream. Every random choice (training, sampling,
/// tie-breaks, simulated answers, backoff jitter) takes one explicitly, so a seed fully
/// determines a run.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
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
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A generator for an independent sub-stream, derived from this state and a label
    /// (for example a model name), without advancing `self`.
    public func derived(_ label: String) -> SeededGenerator {
        var hash = StableHash()
        hash.combine(state)
        hash.combine(label)
        return SeededGenerator(seed: hash.value)
    }

    /// An independent generator derived from `seed` and a numeric stream label (for example a
    /// hypothesis state), already advanced once.
    public static func stream(_ seed: UInt64, _ label: UInt64) -> SeededGenerator {
        var g = SeededGenerator(seed: seed ^ (label &* 0xD6E8_FEB8_6659_FD93))
        _ = g.next()
        return g
    }
}
