import Foundation

/// The body of `POST /v1/completions` as this module sends it: the OpenAI completions fields
/// plus the llama.cpp server's extensions (`n_probs` counts top log-probabilities,
/// `post_sampling_probs`, `samplers`, `cache_prompt`). The prompt is token ids, so the
/// server evaluates exactly the path asked for. Neutral values switch off every sampler
/// that MLMAC's decoding does not have (repetition penalties, top-k 40, min-p, ...).
struct CompletionRequest: Encodable {
    var model: String
    var prompt: [Int]
    var max_tokens = 1
    var temperature: Double
    /// Top log-probabilities per generated token (the sampled token's own always comes back).
    var n_probs: Int
    /// True: probabilities after the sampler chain (tempered); false: of the raw logits.
    var post_sampling_probs = false
    var samplers = ["temperature"]
    var top_k = 0
    var top_p = 1.0
    var min_p = 0.0
    var typical_p = 1.0
    var repeat_penalty = 1.0
    var presence_penalty = 0.0
    var frequency_penalty = 0.0
    var seed: UInt32?
    /// OpenAI's form: token id (as a string) to additive logit bias.
    var logit_bias: [String: Double]?
    /// Off: a reused prompt cache shifted log-probabilities by up to 0.5 nats against a fresh
    /// evaluation (measured on SmolLM2 and Gemma-3); every request evaluates its whole prompt.
    var cache_prompt = false
    var stream = false
    /// Native `/completion` only: new tokens, and the generated ids in the answer.
    var n_predict: Int? = nil
    var return_tokens: Bool? = nil
}

/// The parts of a native `/completion` answer this module reads: the generated ids (also
/// for a token that is not valid UTF-8 alone, which `/v1/completions` reports without
/// log-probabilities) and why generation stopped (`eos`: an end-of-generation token).
struct NativeCompletionResponse: Decodable {
    var tokens: [Int]?
    var stop_type: String?
}

/// The parts of a `/v1/completions` answer this module reads.
struct CompletionResponse: Decodable {
    struct Choice: Decodable {
        var text: String
        var logprobs: Logprobs?
        var finish_reason: String?
    }
    struct Logprobs: Decodable { var content: [TokenProbability] }
    struct TokenProbability: Decodable {
        var id: Int
        var bytes: [UInt8]?
        var logprob: Double?
        var prob: Double?
        var top_logprobs: [Alternative]?
        var top_probs: [Alternative]?
    }
    struct Alternative: Decodable {
        var id: Int
        var bytes: [UInt8]?
        var logprob: Double?
        var prob: Double?
        /// Natural-log probability, from whichever of `logprob` / `prob` the server sent.
        var logProbability: Double? { logprob ?? prob.map { Foundation.log($0) } }
    }
    var choices: [Choice]
}

struct TokenizeRequest: Encodable {
    var content: String
    var add_special: Bool
    var parse_special = false
}

struct TokenizeResponse: Decodable { var tokens: [Int] }

struct ModelsResponse: Decodable {
    struct Model: Decodable {
        struct Meta: Decodable { var n_vocab: Int? }
        var id: String
        var meta: Meta?
    }
    var data: [Model]
}

struct PropsResponse: Decodable {
    var bos_token: String?
    var eos_token: String?
}
