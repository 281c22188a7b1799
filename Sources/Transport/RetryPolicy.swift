import Common
import Foundation

/// How hard an HTTP client (its `RetryingExchange`) tries before it gives up, per request.
/// All times in seconds.
///
/// Transient failures (HTTP 500-599 other than a loading 503, timeouts, connection resets,
/// malformed JSON) are retried `maxTransientRetries` times with "equal jitter" exponential
/// backoff: the n-th wait is `d/2 + U(0, d/2)` with `d = min(maxBackoff, baseBackoff * 2^(n-1))`.
/// A loading 503 of the MLMAC API waits its `estimated_time` (clamped to
/// `minLoadingWait...maxSingleWait`) until `maxLoadingWait` seconds have been spent waiting.
/// A 429 waits `Retry-After` (clamped to `maxSingleWait`) or the backoff, at most
/// `maxRateLimitRetries` times.
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after transient failures (5xx, no response, malformed body), counted together.
    public var maxTransientRetries: Int
    /// Retries after 429s.
    public var maxRateLimitRetries: Int
    /// Seconds spent waiting for a loading model, in all, before giving up.
    public var maxLoadingWait: Double
    /// Seconds of the shortest wait for a loading model.
    public var minLoadingWait: Double
    /// Seconds of the longest single wait a server may ask for (`Retry-After`, `estimated_time`).
    public var maxSingleWait: Double
    /// Seconds of the first backoff's ceiling `d` (it doubles per failure).
    public var baseBackoff: Double
    /// Seconds of the largest backoff ceiling `d`.
    public var maxBackoff: Double
    /// Seed of the jitter generator.
    public var jitterSeed: UInt64

    public init(
        maxTransientRetries: Int = 5, maxRateLimitRetries: Int = 20,
        maxLoadingWait: Double = 900, minLoadingWait: Double = 1, maxSingleWait: Double = 120,
        baseBackoff: Double = 0.5, maxBackoff: Double = 30, jitterSeed: UInt64 = 0
    ) {
        self.maxTransientRetries = maxTransientRetries
        self.maxRateLimitRetries = maxRateLimitRetries
        self.maxLoadingWait = maxLoadingWait
        self.minLoadingWait = minLoadingWait
        self.maxSingleWait = maxSingleWait
        self.baseBackoff = baseBackoff
        self.maxBackoff = maxBackoff
        self.jitterSeed = jitterSeed
    }

    /// The wait before retry number `failure` (1-based), in seconds.
    func backoff(failure: Int, using generator: inout SeededGenerator) -> Double {
        let exponent = Double(max(0, min(failure - 1, 30)))
        let ceiling = min(maxBackoff, baseBackoff * Double(1 << Int(exponent)))
        return ceiling / 2 + generator.nextUnit() * ceiling / 2
    }

    /// A `Retry-After` header value (delay-seconds) as seconds, clamped; nil if absent or
    /// not a number (HTTP-dates are treated as absent).
    func retryAfter(_ header: String?) -> Double? {
        guard let header, let seconds = Double(header.trimmingCharacters(in: .whitespaces)),
              seconds >= 0 else { return nil }
        return min(seconds, maxSingleWait)
    }
}
