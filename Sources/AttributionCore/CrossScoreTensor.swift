/// For one candidate prompt: S responses sampled from each state's generative model and
/// their log-likelihoods (natural log, under the observation model) under every state.
///
/// Layout: `values[(i * samples + s) * states + j]` is the log-likelihood under state `j`
/// of the `s`-th response sampled from state `i`. This is the (K+1) x S x (K+1) tensor of
/// ARCHITECTURE.md (with latent grids, states replace hypotheses). It does not depend on
/// the posterior, so it is computed once per prompt and reused for every EIG evaluation.
public struct CrossScoreTensor: Equatable, Sendable {
    public let states: Int
    public let samples: Int
    public private(set) var values: [Float]

    public init(states: Int, samples: Int, values: [Float]) {
        precondition(states > 0 && samples > 0, "a cross-score tensor needs at least one state and one sample")
        precondition(values.count == states * samples * states,
                     "a \(states) x \(samples) x \(states) tensor needs \(states * samples * states) values, got \(values.count)")
        self.states = states
        self.samples = samples
        self.values = values
    }

    /// Builds a tensor by calling `score(i, s, j)` for every entry.
    public init(states: Int, samples: Int, score: (_ from: Int, _ sample: Int, _ under: Int) -> Double) {
        var v = [Float]()
        v.reserveCapacity(states * samples * states)
        for i in 0..<states { for s in 0..<samples { for j in 0..<states { v.append(Float(score(i, s, j))) } } }
        self.init(states: states, samples: samples, values: v)
    }

    /// Log-likelihood under state `j` of sample `s` drawn from state `i`.
    public subscript(from i: Int, sample s: Int, under j: Int) -> Float {
        values[(i * samples + s) * states + j]
    }
}
