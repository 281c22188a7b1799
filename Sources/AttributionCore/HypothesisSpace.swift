import Common
import Foundation

/// The hypotheses for one fine-tuned model: K candidate bases plus `None`, each possibly
/// carrying a latent parameter on a grid (for example the strength of fine-tuning drift).
///
/// The posterior lives on *states*, the (hypothesis, grid value) pairs. State `i` belongs to
/// hypothesis `i / gridCount` and grid point `i % gridCount`. `None` is the last hypothesis
/// (index `baseNames.count`) when `includesNone` is true. Reporting and stopping use the
/// marginal over hypotheses.
public struct HypothesisSpace: Equatable, Sendable {
    /// Names of the candidate bases, in hypothesis order.
    public let baseNames: [String]
    /// Whether the `None` hypothesis (a fine-tune of no listed base) is included.
    public let includesNone: Bool
    /// Values of the latent parameter; empty when the hypotheses carry none.
    public let latentGrid: [Double]
    /// Log prior over hypotheses (natural log, normalised).
    public let logPriorHypotheses: [Double]
    /// Log prior over grid points (natural log, normalised), shared by every hypothesis.
    public let logPriorGrid: [Double]

    /// - Parameters:
    ///   - baseNames: the K candidate bases.
    ///   - noneMass: prior probability of `None` (0 drops the hypothesis); the bases share the rest uniformly.
    ///   - latentGrid: latent parameter values (default empty: no latent parameter).
    ///   - gridPrior: prior weights over the grid (default uniform); need not be normalised.
    public init(baseNames: [String], noneMass: Double = 0.1, latentGrid: [Double] = [], gridPrior: [Double]? = nil) {
        precondition(!baseNames.isEmpty, "a hypothesis space needs at least one base")
        precondition(noneMass >= 0 && noneMass < 1, "the None prior mass must be in [0, 1)")
        self.baseNames = baseNames
        self.includesNone = noneMass > 0
        self.latentGrid = latentGrid
        let points = max(1, latentGrid.count)
        let k = Double(baseNames.count)
        var prior = Array(repeating: log((1 - noneMass) / k), count: baseNames.count)
        if noneMass > 0 { prior.append(log(noneMass)) }
        self.logPriorHypotheses = prior
        let weights = gridPrior ?? Array(repeating: 1, count: points)
        precondition(weights.count == points && weights.allSatisfy { $0 > 0 }, "grid prior must be positive, one weight per grid point")
        let total = weights.reduce(0, +)
        self.logPriorGrid = weights.map { log($0 / total) }
    }

    /// Number of hypotheses, K plus one when `None` is included.
    public var hypothesisCount: Int { logPriorHypotheses.count }
    /// Number of latent grid points per hypothesis.
    public var gridCount: Int { logPriorGrid.count }
    /// Number of (hypothesis, grid point) states.
    public var stateCount: Int { hypothesisCount * gridCount }
    /// Index of the `None` hypothesis, if included.
    public var noneIndex: Int? { includesNone ? baseNames.count : nil }

    /// Hypothesis of state `i`.
    public func hypothesis(ofState i: Int) -> Int { i / gridCount }
    /// Grid point of state `i`.
    public func gridPoint(ofState i: Int) -> Int { i % gridCount }
    /// State of hypothesis `h` at grid point `g`.
    public func state(hypothesis h: Int, gridPoint g: Int) -> Int { h * gridCount + g }
    /// The latent parameter value of state `i`, or nil when the space has no latent parameter.
    public func latentValue(ofState i: Int) -> Double? { latentGrid.isEmpty ? nil : latentGrid[gridPoint(ofState: i)] }
    /// Hypothesis index of every state, in state order.
    public var hypothesisOfState: [Int] { (0..<stateCount).map { hypothesis(ofState: $0) } }

    /// Display name of hypothesis `h` (`"None"` for the None hypothesis).
    public func name(ofHypothesis h: Int) -> String { attribution(ofHypothesis: h).name }
    /// What hypothesis `h` attributes a model to: a base, or `None`.
    public func attribution(ofHypothesis h: Int) -> Attribution { h < baseNames.count ? .base(baseNames[h]) : .none }

    /// Every hypothesis's display name, in hypothesis order.
    public var hypothesisNames: [String] { (0..<hypothesisCount).map(name(ofHypothesis:)) }

    /// The joint log prior over states (natural log, normalised).
    public var logPriorStates: [Double] {
        var out = [Double]()
        out.reserveCapacity(stateCount)
        for h in 0..<hypothesisCount { for g in 0..<gridCount { out.append(logPriorHypotheses[h] + logPriorGrid[g]) } }
        return out
    }
}
