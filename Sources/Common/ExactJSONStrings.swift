import Foundation

/// The string fields at the top level of a JSON object, character for character.
///
/// Foundation's `JSONSerialization` on Linux drops a string's leading U+FEFF when the JSON
/// holds it raw rather than escaped (`"\u{FEFF}ab"` reads as `"ab"`), so a prompt that starts
/// with a byte-order mark (a tokenizer-boundary probe of `Pools`) would silently become another
/// prompt. Parsers that read an object's structure with `JSONSerialization` (for its error
/// sentences and loose types) read the strings they keep through this: `JSONDecoder` keeps
/// every character.
public enum ExactJSONStrings {
    /// The top-level fields of `data` whose values are strings; empty when `data` is not a
    /// JSON object.
    public static func strings(in data: Data) -> [String: String] {
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: data) else { return [:] }
        return object.compactMapValues { if case .string(let text) = $0 { text } else { nil } }
    }

    /// `object` (parsed from `data` by `JSONSerialization`) with each top-level string field
    /// replaced by its exact reading.
    public static func exact(_ object: [String: Any], from data: Data) -> [String: Any] {
        var out = object
        for (key, value) in strings(in: data) where object[key] is String { out[key] = value }
        return out
    }
}
