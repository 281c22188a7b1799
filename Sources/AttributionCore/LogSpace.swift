import Foundation

/// Numerically safe helpers for values in log-space (natural log).
public enum LogSpace {
    /// `log(sum(exp(values)))`, computed without overflow or underflow.
    /// Returns `-infinity` for an empty input or when every value is `-infinity`.
    public static func logSumExp(_ values: [Double]) -> Double {
        logSumExp(values[...])
    }

    /// `log(sum(exp(values)))` over a slice.
    public static func logSumExp(_ values: ArraySlice<Double>) -> Double {
        guard let m = values.max(), m > -Double.infinity else { return -Double.infinity }
        if m == Double.infinity { return Double.infinity }
        var sum = 0.0
        for v in values { sum += exp(v - m) }
        return m + log(sum)
    }

    /// Shifts `values` so that `logSumExp(result) == 0` (a normalised log-distribution).
    public static func normalised(_ values: [Double]) -> [Double] {
        let z = logSumExp(values)
        precondition(z.isFinite, "cannot normalise a log-distribution with total \(z)")
        return values.map { $0 - z }
    }

    /// Probabilities `exp(v)` of a normalised log-distribution.
    public static func probabilities(_ logValues: [Double]) -> [Double] {
        normalised(logValues).map { exp($0) }
    }

    /// Shannon entropy in nats of a probability vector (terms with p = 0 contribute 0).
    public static func entropy(_ probabilities: [Double]) -> Double {
        var h = 0.0
        for p in probabilities where p > 0 { h -= p * log(p) }
        return h
    }
}
