/// Faults the simulator injects, for tests and drills. Rates are probabilities per
/// `POST /query` request in [0, 1], drawn from one generator seeded with `seed` (three
/// draws per request, so the fault pattern depends only on the order of requests).
public struct FaultKnobs: Sendable, Equatable {
    /// Each model answers 503 "currently loading" for this many seconds after its first query.
    public var loadingSeconds: Double
    /// At most this many `POST /query` per second per token; more get 429 with
    /// `Retry-After`. `nil`: no limit.
    public var rateLimitPerSecond: Int?
    /// Probability of an HTTP 500 (not counted).
    public var errorRate: Double
    /// Probability that the connection is dropped after the query was counted: the worst
    /// case for a client, which paid but got no answer.
    public var dropRate: Double
    /// Probability of a 200 whose JSON body is cut short (counted).
    public var malformedRate: Double
    /// Seconds to wait before answering each `POST /query`.
    public var responseDelay: Double
    public var seed: UInt64

    public init(loadingSeconds: Double = 0, rateLimitPerSecond: Int? = nil,
                errorRate: Double = 0, dropRate: Double = 0, malformedRate: Double = 0,
                responseDelay: Double = 0, seed: UInt64 = 0) {
        self.loadingSeconds = loadingSeconds
        self.rateLimitPerSecond = rateLimitPerSecond
        self.errorRate = errorRate
        self.dropRate = dropRate
        self.malformedRate = malformedRate
        self.responseDelay = responseDelay
        self.seed = seed
    }

    /// No faults at all.
    public static let none = FaultKnobs()
}
