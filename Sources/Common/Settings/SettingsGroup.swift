import Foundation

/// A group of settings of one concern (`ObservationSettings`, `StoppingSettings`,
/// `SchedulingSettings`, `CalibrationSettings`): a value type whose `init()` holds the defaults
/// and whose synthesized `Codable` names each setting by its property (camelCase in settings
/// files, snake_case in experiment specs). Reading, patching and fingerprinting are generic:
/// adding a setting touches its type, its doc and its test.
public protocol SettingsGroup: Codable, Equatable, Sendable {
    /// The defaults.
    init()
    /// The command line's help for each setting, by key: one line a user reads.
    static var helpTexts: [String: String] { get }
    /// Every problem with these values, as (key, reason): the key names the property; the
    /// reason finishes a sentence ("must be at least 1").
    func problems() -> [(key: String, reason: String)]
}

extension SettingsGroup {
    /// Every key of the group, in declaration order.
    public static var keys: [String] { Mirror(reflecting: Self()).children.compactMap(\.label) }

    /// The keys whose settings are optional: absent from a settings file means nil.
    public static var optionalKeys: Set<String> {
        Set(Mirror(reflecting: Self()).children.compactMap { child in
            Mirror(reflecting: child.value).displayStyle == .optional ? child.label : nil
        })
    }

    /// The group as a JSON object (optional settings that are nil are absent).
    public var jsonObject: [String: JSONValue] {
        // Encoding a value of plain fields cannot fail.
        guard case .object(let o) = try! JSONValue(encoding: self) else { preconditionFailure("a settings group encodes as an object") }
        return o
    }

    /// The group read from `object`'s keys over `base`: a key present replaces the base's value
    /// (`null` makes an optional setting nil), a key absent keeps it.
    public static func reading(_ object: [String: JSONValue], over base: Self) throws -> Self {
        var merged = base.jsonObject
        for key in keys { if let v = object[key] { merged[key] = v } }
        merged = merged.filter { $0.value != .null }
        return try JSONValue.object(merged).decode(Self.self)
    }
}

/// A setting that is wrong, named the way its source names it (a flag, a spec field, a key of
/// a settings file).
public struct SettingsError: Error, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
    public var description: String { "\(field) \(reason)" }
}
