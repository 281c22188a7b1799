import Foundation

/// Reads a JSON file of the workflow (a bases file, an experiment spec) into `T`; every
/// failure is a `AttribError` naming the file and the field (`bases.2.name`). With `strict`
/// (the default) and an `Encodable` `T`, a field `T` does not read is refused too, with the
/// nearest one it does.
public func decodeJSONFile<T: Decodable>(_ type: T.Type, path: String, strict: Bool = true) throws -> T {
    let data: Data
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
        throw AttribError.unusable(path: path, reason: "is a folder, not a JSON file")
    }
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
        throw AttribError.unusable(path: path, reason: "cannot be read: \(error.localizedDescription)")
    }
    func field(_ keys: [any CodingKey]) -> String { keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") }
    do {
        let value = try JSONDecoder().decode(T.self, from: data)
        if strict, let encodable = value as? any Encodable, let given = try? JSONDecoder().decode(JSONValue.self, from: data),
           let unknown = given.unknownField(comparedTo: try JSONValue(encoding: encodable), value: value) {
            throw AttribError.invalid(file: path, field: unknown.path,
                                      reason: "is not a field" + (unknown.nearest.map { " (did you mean \($0)?)" } ?? ""))
        }
        return value
    } catch let error as AttribError {
        throw error
    } catch let DecodingError.keyNotFound(key, context) {
        throw AttribError.invalid(file: path, field: field(context.codingPath + [key]), reason: "is missing")
    } catch let DecodingError.typeMismatch(_, context) {
        throw AttribError.invalid(file: path, field: field(context.codingPath), reason: "has the wrong type")
    } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
        throw AttribError.invalid(file: path, field: field(context.codingPath), reason: context.debugDescription)
    } catch {
        throw AttribError.unusable(path: path, reason: "is not valid JSON: \(error)")
    }
}

/// The JSON the workflow writes (reports, caches, cells, `--json`): sorted keys, optionally
/// pretty; a non-finite number (a log score of −∞ when a model gives an answer probability 0)
/// is written as the string "-inf", "inf" or "nan" instead of failing the whole file.
public func attribJSONEncoder(pretty: Bool = false) -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
}

/// Reads what `attribJSONEncoder` wrote.
public func attribJSONDecoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
}
