import Calibration
import Common
import Engine
import Foundation
import LanguageModels
import Workflow

extension NoneReference {
    /// `file` with a contextual drift model named for every entry (one per tokenizer, shared by
    /// the entries that use it), training into `directory` the files that are missing, on
    /// `documents()` (called only then), several at once. `models` are `file`'s loaded models.
    public static func withDriftFiles(_ file: BasesFile, models: HypothesisModels, directory: URL, order: Int = 2,
                                      documents: () throws -> [String]) throws -> (file: BasesFile, trained: Int) {
        let components = models.components.flatMap { $0 }
        let loaded = try components.map { c in
            guard let m = c.model as? any TextModellingLanguageModel else {
                throw FineTuningUnavailable(step: "the contextual drift models", model: c.name, remedy: "run with --no-contextual-drift",
                                            needsTextModels: true)
            }
            return m
        }
        var file = file
        var entries = file.bases + (file.none ?? [])
        precondition(entries.count == loaded.count, "the models must be the file's, in order")
        var missing: [String: any TextModellingLanguageModel] = [:]
        for k in entries.indices {
            let model = loaded[k]
            let name = driftFileName(tokenizer: model.tokenizer.identifier, order: order)
            entries[k].drift = name
            if !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) { missing[name] = model }
        }
        if !missing.isEmpty {
            let docs = try documents()
            let jobs = missing.sorted { $0.key < $1.key }
            _ = try parallelMap(jobs.count) { j in
                try driftModel(for: jobs[j].value, documents: docs, order: order).write(to: directory.appendingPathComponent(jobs[j].key))
            }
        }
        file.bases = Array(entries.prefix(file.bases.count))
        if file.none != nil { file.none = Array(entries.dropFirst(file.bases.count)) }
        return (file, missing.count)
    }
}
