import Foundation
import Transport

/// The JSON shapes of `mlmac-api.yml`, and their parsing into the public types.
enum MLMACWire {
    struct Input: Encodable { var input: String }

    struct QueryBody: Decodable {
        struct Result: Decodable {
            var generated_text: String?
            var error: String?
            var estimated_time: Double?
        }
        var status: String?
        var result: Result?
        var queries: [String: Int]?
    }

    struct StatusBody: Decodable {
        var name: String?
        var created: String?
        var total_queries: Int?
        var queries: [String: Int]?
    }

    static func encodeInput(_ prompt: String) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Encoding a struct of one String cannot fail.
        return Array((try? encoder.encode(Input(input: prompt))) ?? Data())
    }

    static func decodeQuery(_ body: [UInt8]) throws(BadField) -> QueryBody {
        do { return try JSONDecoder().decode(QueryBody.self, from: Data(body)) } catch {
            throw BadField(field: fieldName(error) ?? "body")
        }
    }

    static func decodeStatus(_ body: [UInt8]) throws(BadField) -> MLMACStatus {
        let wire: StatusBody
        do { wire = try JSONDecoder().decode(StatusBody.self, from: Data(body)) } catch {
            throw BadField(field: fieldName(error) ?? "body")
        }
        guard let total = wire.total_queries else { throw BadField(field: "total_queries") }
        let counts = try counts(wire.queries ?? [:])
        return MLMACStatus(name: wire.name, created: wire.created, totalQueries: total,
                           queryCounts: counts)
    }

    /// `{"0": 15}` to `[0: 15]`; a key that is not a model number is a bad `queries` field.
    static func counts(_ raw: [String: Int]) throws(BadField) -> [Int: Int] {
        var result: [Int: Int] = [:]
        for (key, value) in raw {
            guard let model = Int(key), model >= 0, value >= 0 else {
                throw BadField(field: "queries")
            }
            result[model] = value
        }
        return result
    }

    private static func fieldName(_ error: any Error) -> String? {
        switch error as? DecodingError {
        case .typeMismatch(_, let context), .valueNotFound(_, let context),
             .dataCorrupted(let context):
            return context.codingPath.map(\.stringValue).joined(separator: ".").nilIfEmpty
        case .keyNotFound(let key, let context):
            return (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
        default:
            return nil
        }
    }
}

private extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
