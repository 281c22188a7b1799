/// A small, fast, seedable random number generator (SplitMix64).
///
/// Every random choice in the engine (tie-breaking, random selection, Monte Carlo
/// fixtures) draws from one of these, so a run is reproducible from its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1).
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// An independent generator derived from this seed and a stream label.
    public static func stream(_ seed: UInt64, _ label: UInt64) -> SeededGenerator {
        var g = SeededGenerator(seed: seed ^ (label &* 0xD6E8_FEB8_6659_FD93))
        _ = g.next()
        return g
    }
}
