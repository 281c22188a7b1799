import Foundation

/// The model worker's JSON protocol, version 2 (`worker/protocol.md`): what attrib sends and
/// reads. Token ids are the model's own; every context is preceded by the model's start
/// token on the worker's side; log-probabilities are natural logs.
enum WorkerWire {
    static let protocolVersion = 2

    struct Models: Decodable {
        var protocol_: Int
        var models: [Model]
        enum CodingKeys: String, CodingKey { case protocol_ = "protocol", models }
        struct Model: Decodable {
            var name: String
            var fingerprint: String
            var vocab_size: Int
            var end_of_text: Int
            var start_token: Int
            var context_window: Int
            var device: String
            var dtype: String
        }
    }

    struct Decoding: Encodable {
        var temperature: Double
        var top_k: Int?
        var top_p: Double?
    }

    struct PiecesRequest: Encodable { var `protocol` = WorkerWire.protocolVersion; var model: String }
    struct PiecesAnswer: Decodable { var pieces: [String] }

    struct TokenizeRequest: Encodable { var `protocol` = WorkerWire.protocolVersion; var model: String; var texts: [String] }
    struct TokenizeAnswer: Decodable { var tokens: [[Int]] }

    struct ScoreRequest: Encodable {
        var `protocol` = WorkerWire.protocolVersion
        var model: String
        var decoding: Decoding
        var requests: [Item]
        struct Item: Encodable { var context: [Int]; var continuation: [Int]; var limit: Int }
    }
    struct ScoreAnswer: Decodable {
        var scores: [Score]
        struct Score: Decodable {
            var raw: [Double]
            var decoded: [Double]
            var end_of_text: EndOfText?
        }
        struct EndOfText: Decodable { var raw: Double; var decoded: Double }
    }

    struct SampleRequest: Encodable {
        var `protocol` = WorkerWire.protocolVersion
        var model: String
        var decoding: Decoding
        var requests: [Item]
        struct Item: Encodable { var prompt: [Int]; var seed: UInt64; var limit: Int }
    }
    struct SampleAnswer: Decodable {
        var generations: [Generation]
        struct Generation: Decodable { var tokens: [Int]; var ended: Bool }
    }

    struct DistributionsRequest: Encodable {
        var `protocol` = WorkerWire.protocolVersion
        var model: String
        var contexts: [[Int]]
        var encoding = "f32-base64"
    }
    struct DistributionsAnswer: Decodable {
        /// Per context, the distribution as base64 of little-endian float32.
        var log_probs_f32: [String]

        /// The rows as natural-log probabilities; nil when a row is not base64 of whole floats.
        func rows() -> [[Double]]? {
            var out: [[Double]] = []
            out.reserveCapacity(log_probs_f32.count)
            for text in log_probs_f32 {
                guard let data = Data(base64Encoded: text), data.count % 4 == 0 else { return nil }
                out.append(data.withUnsafeBytes { raw in
                    (0..<(data.count / 4)).map { Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))) }
                })
            }
            return out
        }
    }

    struct TokenLogProbsRequest: Encodable {
        var `protocol` = WorkerWire.protocolVersion
        var model: String
        var decoding: Decoding
        var requests: [Item]
        struct Item: Encodable { var context: [Int]; var tokens: [Int] }
    }
    struct TokenLogProbsAnswer: Decodable {
        var log_probs: [Entry]
        struct Entry: Decodable { var raw: [Double]; var decoded: [Double] }
    }

    struct NextTokensRequest: Encodable {
        var `protocol` = WorkerWire.protocolVersion
        var model: String
        var decoding: Decoding
        var requests: [Item]
        struct Item: Encodable { var context: [Int]; var seed: UInt64 }
    }
    struct NextTokensAnswer: Decodable { var tokens: [Int] }

    struct UnloadRequest: Encodable { var `protocol` = WorkerWire.protocolVersion; var model: String }
    struct UnloadAnswer: Decodable { var unloaded: String }

    struct FineTuneRequest: Encodable {
        var `protocol` = WorkerWire.protocolVersion
        var model: String
        var name: String
        var texts: [String]
        var method: String
        var steps: Int
        var learning_rate: Double
        var rank: Int
        var batch: Int
        var window: Int
        var seed: UInt64
    }
    struct FineTuneAnswer: Decodable {
        var model: Models.Model
        var losses: [Double]?
    }
}
