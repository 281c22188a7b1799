import AttributionCore
import Common
import Engine
import Storage

/// Builds the prompt bank of a run through the response-distribution store: tensors already
/// stored under their fingerprint are read, the others computed (in parallel) and written
/// one by one as they complete, so an interrupted precompute resumes where it stopped.
public struct Precompute: Sendable {
    public let builder: TensorBuilder
    public let store: ResponseStore?
    public let threads: Int
    /// Applied to every tensor as the bank is built (stored tensors stay uncapped, so a
    /// changed cap reuses them).
    public let cap: LikelihoodCap

    public init(builder: TensorBuilder, store: ResponseStore?, threads: Int = 2, cap: LikelihoodCap = .none) {
        self.builder = builder
        self.store = store
        self.threads = max(1, threads)
        self.cap = cap
    }

    /// Counts of a precompute: tensors read from the store and computed now.
    public struct Outcome: Sendable {
        public var bank: PromptBank
        public var cached: Int
        public var computed: Int
    }

    /// The bank of `pool`. `progress(done, total)` is called as tensors become available.
    public func bank(for pool: PromptPool, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Outcome {
        var tensors = [CrossScoreTensor?](repeating: nil, count: pool.count)
        let fingerprints = pool.prompts.map { builder.fingerprint(prompt: $0) }
        let n = builder.space.stateCount
        for k in pool.prompts.indices {
            if let stored = try store?.tensor(fingerprint: fingerprints[k]), stored.states == n, stored.samples == builder.samples {
                tensors[k] = CrossScoreTensor(states: stored.states, samples: stored.samples, values: stored.values)
            }
        }
        let missing = pool.prompts.indices.filter { tensors[$0] == nil }
        let cached = pool.count - missing.count
        progress?(cached, pool.count)
        let store = self.store
        let failure = Locked<(any Error)?>(nil)
        let computed = builder.tensors(prompts: missing.map { pool.prompts[$0] }, threads: threads) { k, tensor in
            do {
                try store?.put(fingerprint: fingerprints[missing[k]], prompt: pool.prompts[missing[k]],
                               tensor: StoredTensor(states: tensor.states, samples: tensor.samples, values: tensor.values))
            } catch { failure.withLock { $0 = $0 ?? error } }
        } progress: { done in progress?(cached + done, pool.count) }
        if let error = failure.value { throw error }
        for (k, t) in zip(missing, computed) { tensors[k] = t }
        return Outcome(bank: PromptBank(space: builder.space, tensors: tensors.map { cap.apply($0!) }, costs: pool.costs),
                       cached: cached, computed: missing.count)
    }
}
