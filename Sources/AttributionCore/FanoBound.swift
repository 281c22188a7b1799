import Foundation

/// The information-theoretic floor on queries (Fano's inequality).
///
/// With `C` the largest per-query mutual information in nats available in the pool, any
/// strategy that attributes among `hypotheses` equally likely answers with error at most
/// `delta` needs on average at least
///
///     N >= ((1 - delta) * log(hypotheses) - log 2) / C
///
/// queries (natural logs). The bound is loose for small `hypotheses` and returns 0 when the
/// numerator is negative.
public enum FanoBound {
    public static func minimumQueries(hypotheses: Int, errorRate delta: Double, capacityNats c: Double) -> Double {
        precondition(hypotheses >= 1 && delta >= 0 && delta <= 1, "need hypotheses >= 1 and delta in [0, 1]")
        precondition(c > 0, "the per-query capacity must be positive")
        return max(0, ((1 - delta) * log(Double(hypotheses)) - log(2)) / c)
    }
}
