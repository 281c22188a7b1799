import Common
import Foundation
import LanguageModels

extension ZooSpec {
    /// Reads and validates a JSON spec. Errors name the file and the JSON field.
    public static func load(contentsOf url: URL, knownCorpora: Set<String>) throws -> ZooSpec {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ZooSpecError(file: url.path, field: "(file)", reason: "cannot be read (\(error.localizedDescription))")
        }
        return try decode(data, file: url.path, knownCorpora: knownCorpora)
    }

    /// Decodes and validates JSON bytes; `file` names the source in errors.
    public static func decode(_ data: Data, file: String, knownCorpora: Set<String>) throws -> ZooSpec {
        // A neural zoo (transformers trained here, `worker/attrib_worker/zoo.py`) is read as a
        // `NeuralZooSpec` by the demo and the experiments; the other zoo commands take n-gram zoos.
        if case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: data), let kind = fields["kind"] {
            guard case .string("neural") = kind else {
                throw ZooSpecError(file: file, field: "kind", reason: "is not a zoo kind (neural is the one kind besides the n-gram zoos, which have none)")
            }
            throw ZooSpecError(file: file, field: "kind", reason: "neural: a neural zoo (transformers built by the worker) runs with attrib demo --zoo and in experiments; this step takes n-gram zoos only")
        }
        let spec: ZooSpec
        do {
            spec = try JSONDecoder().decode(ZooSpec.self, from: data)
        } catch let error as DecodingError {
            throw Self.describe(error, file: file)
        } catch {
            throw ZooSpecError(file: file, field: "(file)", reason: "is not valid JSON (\(error))")
        }
        if let given = try? JSONDecoder().decode(JSONValue.self, from: data),
           let unknown = given.unknownField(comparedTo: try JSONValue(encoding: spec), value: spec) {
            throw ZooSpecError(file: file, field: unknown.path,
                               reason: "is not a field" + (unknown.nearest.map { " (did you mean \($0)?)" } ?? ""))
        }
        try spec.validate(file: file, knownCorpora: knownCorpora)
        return spec
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text.isEmpty ? "(root)" : text
    }

    private static func describe(_ error: DecodingError, file: String) -> ZooSpecError {
        switch error {
        case let .keyNotFound(key, context):
            let parent = path(context.codingPath)
            return ZooSpecError(file: file, field: parent == "(root)" ? key.stringValue : "\(parent).\(key.stringValue)",
                                reason: "is required but missing")
        case let .typeMismatch(type, context):
            return ZooSpecError(file: file, field: path(context.codingPath), reason: "should be of type \(type)")
        case let .valueNotFound(type, context):
            return ZooSpecError(file: file, field: path(context.codingPath), reason: "should be a \(type), not null")
        case let .dataCorrupted(context):
            return ZooSpecError(file: file, field: path(context.codingPath), reason: "is malformed (\(context.debugDescription))")
        @unknown default:
            return ZooSpecError(file: file, field: "(root)", reason: "cannot be decoded")
        }
    }

    /// Checks every field and cross-reference; throws the first problem found.
    public func validate(file: String, knownCorpora: Set<String>) throws {
        func fail(_ field: String, _ reason: String) -> ZooSpecError { ZooSpecError(file: file, field: field, reason: reason) }
        guard !name.isEmpty else { throw fail("name", "must not be empty") }
        guard !bases.isEmpty else { throw fail("bases", "must list at least one base model") }
        guard !fineTunes.isEmpty else { throw fail("fineTunes", "must list at least one fine-tuned model") }
        if let decoding { try Self.check(decoding, field: "decoding", fail: fail) }

        let models = bases.enumerated().map { ("bases[\($0.offset)]", $0.element) }
            + (references ?? []).enumerated().map { ("references[\($0.offset)]", $0.element) }
        var byName: [String: ModelSpec] = [:]
        for (field, model) in models {
            guard !model.name.isEmpty else { throw fail("\(field).name", "must not be empty") }
            guard byName[model.name] == nil else { throw fail("\(field).name", "'\(model.name)' is used twice") }
            byName[model.name] = model
        }
        for (field, model) in models {
            try Self.check(model, field: field, byName: byName, knownCorpora: knownCorpora, fail: fail)
        }
        // Every model's chain of `from` / `tokenizerFrom` must end (no cycles); orders must fit.
        for (field, model) in models {
            _ = try Self.resolvedOrder(of: model.name, byName: byName, field: field, visiting: [], fail: fail)
        }
        var fineTuneNames = Set<String>()
        for (index, fineTune) in fineTunes.enumerated() {
            let field = "fineTunes[\(index)]"
            guard !fineTune.name.isEmpty, fineTuneNames.insert(fineTune.name).inserted, byName[fineTune.name] == nil else {
                throw fail("\(field).name", "'\(fineTune.name)' is empty or used twice")
            }
            guard byName[fineTune.base] != nil else {
                throw fail("\(field).base", "'\(fineTune.base)' is neither a base nor a reference model")
            }
            guard knownCorpora.contains(fineTune.domain) else {
                throw fail("\(field).domain", "unknown corpus '\(fineTune.domain)' (known: \(knownCorpora.sorted().joined(separator: ", ")))")
            }
            guard (0...1).contains(fineTune.strength) else { throw fail("\(field).strength", "must be in [0, 1]") }
            if let bytes = fineTune.domainBytes, bytes <= 0 { throw fail("\(field).domainBytes", "must be positive") }
            if let decoding = fineTune.decoding { try Self.check(decoding, field: "\(field).decoding", fail: fail) }
        }
    }

    private static func check(_ decoding: DecodingSpec, field: String, fail: (String, String) -> ZooSpecError) throws {
        if let p = decoding.problems().first { throw fail("\(field).\(p.field)", p.reason) }
    }

    private static func check(
        _ model: ModelSpec, field: String, byName: [String: ModelSpec], knownCorpora: Set<String>,
        fail: (String, String) -> ZooSpecError
    ) throws {
        if let order = model.order, !(1...6).contains(order) { throw fail("\(field).order", "must be in 1...6") }
        if let from = model.from {
            guard byName[from] != nil, from != model.name else { throw fail("\(field).from", "'\(from)' is not another model of this spec") }
            guard model.corpus == nil, model.tokenizer == nil, model.tokenizerFrom == nil, model.trainBytes == nil else {
                throw fail("\(field).from", "a model derived with 'from' takes no corpus, tokenizer or trainBytes")
            }
            if let domain = model.domain {
                guard knownCorpora.contains(domain) else { throw fail("\(field).domain", "unknown corpus '\(domain)'") }
                guard let strength = model.strength, (0...1).contains(strength) else {
                    throw fail("\(field).strength", "a derived model needs a strength in [0, 1]")
                }
                guard model.order == nil else { throw fail("\(field).order", "a derived model keeps the order of '\(from)'") }
            } else {
                guard model.order != nil else { throw fail("\(field).order", "a reduced model ('from' without 'domain') needs an order") }
                guard model.strength == nil else { throw fail("\(field).strength", "only a derived model (with 'domain') has a strength") }
            }
            return
        }
        guard let corpus = model.corpus else { throw fail("\(field).corpus", "is required unless 'from' is given") }
        guard knownCorpora.contains(corpus) else {
            throw fail("\(field).corpus", "unknown corpus '\(corpus)' (known: \(knownCorpora.sorted().joined(separator: ", ")))")
        }
        guard model.order != nil else { throw fail("\(field).order", "is required for a trained model") }
        switch (model.tokenizer, model.tokenizerFrom) {
        case let (text?, nil):
            guard TokenizerConfiguration(parsing: text) != nil else {
                throw fail("\(field).tokenizer", "'\(text)' is not byte, char-N, word-N or bpe-N")
            }
        case let (nil, other?):
            guard byName[other] != nil, other != model.name else {
                throw fail("\(field).tokenizerFrom", "'\(other)' is not another model of this spec")
            }
        default:
            throw fail("\(field).tokenizer", "give exactly one of 'tokenizer' and 'tokenizerFrom'")
        }
        if let bytes = model.trainBytes, bytes <= 0 { throw fail("\(field).trainBytes", "must be positive") }
        if model.domain != nil || model.strength != nil { throw fail("\(field).domain", "only a model with 'from' can have a domain") }
    }

    /// The order of a model, following `from` and `tokenizerFrom` chains, rejecting cycles.
    static func resolvedOrder(
        of name: String, byName: [String: ModelSpec], field: String, visiting: Set<String>,
        fail: (String, String) -> ZooSpecError
    ) throws -> Int {
        guard !visiting.contains(name) else { throw fail(field, "'\(name)' depends on itself") }
        let model = byName[name]!
        let next = visiting.union([name])
        if let other = model.tokenizerFrom {
            _ = try resolvedOrder(of: other, byName: byName, field: "\(field).tokenizerFrom", visiting: next, fail: fail)
        }
        guard let from = model.from else { return model.order! }
        let parent = try resolvedOrder(of: from, byName: byName, field: "\(field).from", visiting: next, fail: fail)
        if let order = model.order, order > parent {
            throw fail("\(field).order", "\(order) exceeds the order \(parent) of '\(from)'")
        }
        return model.order ?? parent
    }
}
