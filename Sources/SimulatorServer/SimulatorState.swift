import Common

/// The simulator's mutable state: per-token per-model query counts, when each model was
/// first asked (for simulated loading), recent request times (rate limit), and the fault
/// generator. One actor, so counts are exact under concurrent requests.
actor SimulatorState {
    /// What to do with one `POST /query`, decided before the model runs.
    enum Admission: Equatable {
        case rateLimited(retryAfterSeconds: Int)
        case serverError
        case loading(remainingSeconds: Double)
        /// Answer with this sample number; `fault` says how to spoil the answer, if at all.
        case answer(sample: UInt64, fault: AnswerFault)
    }

    enum AnswerFault: Equatable { case none, drop, malformed }

    private let knobs: FaultKnobs
    /// Seconds on a monotonic clock: when rate limits and loading are measured.
    private let now: @Sendable () -> Double
    private var faults: SeededGenerator
    private var counts: [String: [Int: Int]] = [:]
    private var samples: [SampleKey: UInt64] = [:]
    private var firstAsked: [Int: Double] = [:]
    private var recent: [String: [Double]] = [:]

    private struct SampleKey: Hashable { var user: String, model: Int, prompt: String }

    init(knobs: FaultKnobs, now: @escaping @Sendable () -> Double) {
        self.knobs = knobs
        self.now = now
        faults = SeededGenerator(seed: knobs.seed)
    }

    func admit(user: String, model: Int, prompt: String) -> Admission {
        let now = self.now()
        if let limit = knobs.rateLimitPerSecond {
            let window = recent[user, default: []].filter { now - $0 < 1 }
            if window.count >= limit {
                recent[user] = window
                return .rateLimited(retryAfterSeconds: 1)
            }
            recent[user] = window + [now]
        }
        // Always three draws, so the fault pattern depends only on the request order.
        let errorDraw = faults.nextUnit(), dropDraw = faults.nextUnit(), badDraw = faults.nextUnit()
        if errorDraw < knobs.errorRate { return .serverError }
        let first = firstAsked[model] ?? now
        firstAsked[model] = first
        let loaded = now - first
        if loaded < knobs.loadingSeconds { return .loading(remainingSeconds: knobs.loadingSeconds - loaded) }
        let sample = samples[SampleKey(user: user, model: model, prompt: prompt), default: 0]
        let fault: AnswerFault = dropDraw < knobs.dropRate ? .drop
            : badDraw < knobs.malformedRate ? .malformed : .none
        return .answer(sample: sample, fault: fault)
    }

    /// Counts one answered query; returns the caller's counts after it.
    func count(user: String, model: Int, prompt: String) -> [Int: Int] {
        counts[user, default: [:]][model, default: 0] += 1
        samples[SampleKey(user: user, model: model, prompt: prompt), default: 0] += 1
        return counts[user] ?? [:]
    }

    /// The caller's counts per model (models never answered are absent).
    func counts(user: String) -> [Int: Int] { counts[user] ?? [:] }

    /// Queries between admission and their answer now, and the most there ever were at once.
    private var inFlight = 0
    private(set) var peakInFlight = 0

    /// A query starts being answered (after admission, before the response delay).
    func began() {
        inFlight += 1
        peakInFlight = max(peakInFlight, inFlight)
    }

    /// That query's answer is ready.
    func ended() { inFlight -= 1 }

    /// All counts, by user name then model.
    func allCounts() -> [String: [Int: Int]] { counts }

    /// How many times each (model, prompt) was answered for `user`.
    func promptCounts(user: String) -> [Int: [String: Int]] {
        var result: [Int: [String: Int]] = [:]
        for (key, count) in samples where key.user == user { result[key.model, default: [:]][key.prompt] = Int(count) }
        return result
    }
}
