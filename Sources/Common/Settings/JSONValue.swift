import Foundation

/// Any JSON value, decoded from and encoded to any `Codable` container: how settings are read
/// generically (merged over defaults, patched by specs, checked for unknown keys, fingerprinted).
public enum JSONValue: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case integer(Int64)
    /// An integer above `Int64.max` (a seed).
    case unsigned(UInt64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .integer(i) }
        else if let u = try? c.decode(UInt64.self) { self = .unsigned(u) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let d): try c.encode(d)
        case .integer(let i): try c.encode(i)
        case .unsigned(let u): try c.encode(u)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// `value` as JSON (a non-finite number as the string `inf`, `-inf` or `nan`, as attrib writes it).
    public init(encoding value: some Encodable) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: attribJSONEncoder().encode(value))
    }

    /// This JSON decoded as `T`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try attribJSONDecoder().decode(T.self, from: attribJSONEncoder().encode(self))
    }

    /// Canonical text: keys sorted, numbers as Swift prints them (a fingerprint's input).
    public var canonical: String {
        // A JSON value holds finite numbers only (see `init(encoding:)`): encoding cannot fail.
        String(decoding: try! attribJSONEncoder().encode(self), as: UTF8.self)
    }
}
