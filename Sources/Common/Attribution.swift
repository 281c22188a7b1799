/// An attribution of a fine-tuned model: the base it came from, by name, or `None` (fine-tuned
/// from no listed candidate). Written everywhere (reports, cells, answer keys, submissions) as
/// the base's name or the word `None`.
public enum Attribution: Hashable, Sendable, CustomStringConvertible {
    case base(String)
    case none

    /// How `None` is written.
    public static let noneName = "None"

    /// `name` read as written: `None` (or nothing) is `.none`, anything else a base.
    public init(name: String) {
        self = name.isEmpty || name == Self.noneName ? .none : .base(name)
    }

    /// A base's name, or nil for `None`.
    public init(base: String?) {
        self = base.map(Attribution.base) ?? .none
    }

    /// The base's name, nil for `None`.
    public var base: String? {
        if case .base(let name) = self { return name }
        return nil
    }

    /// As written: the base's name or `None`.
    public var name: String { base ?? Self.noneName }
    public var description: String { name }
}

extension Attribution: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(name: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }
}

extension Attribution: ExpressibleByStringLiteral {
    /// A literal reads as written: `"None"` is `.none`.
    public init(stringLiteral name: String) { self.init(name: name) }
}
