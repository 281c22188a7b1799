import Calibration
import Common
import Corpora
import Foundation
import LanguageModels
import ServerModels
import Simulation

/// Builds a neural zoo (`NeuralZooSpec`): the corpora it names written where the model
/// worker's builder reads them, the builder run (`python -m attrib_worker.zoo`,
/// `worker/attrib_worker/zoo.py`: each model cached under `DIR/models`), and
/// `DIR/manifest.json` written from what it built. Its models are served by one worker per
/// zoo (`ZooModels`).
public enum NeuralZoo {
    /// What the builder writes: each model's folder and role, each fine-tune's answer.
    struct Built: Decodable {
        /// The models trained in this build (the rest were cached).
        var built: [String]
        var models: [Entry]
        struct Entry: Decodable { var name: String; var role: String; var folder: String; var truth: String? }
    }

    /// Bytes of each split of each corpus handed to the builder (it trains on at most 400,000).
    static let bytesPerSplit = 1_000_000

    public static func build(spec url: URL, into directory: URL, corpora: CorpusCache, python: String = WorkerProcess.defaultPython,
                             log: @escaping (String) -> Void = { _ in }) throws -> ZooBuilder.Report {
        let start = Date()
        let spec = try NeuralZooSpec.load(url)
        let texts = directory.appendingPathComponent("corpora")
        try FileManager.default.createDirectory(at: texts, withIntermediateDirectories: true)
        for name in spec.corpora.sorted() {
            let missing = [CorpusSplit.train, .finetune, .heldout].map { (split: $0, file: texts.appendingPathComponent("\(name)-\($0.rawValue).jsonl")) }
                .filter { !FileManager.default.fileExists(atPath: $0.file.path) }
            guard !missing.isEmpty else { continue }  // written by an earlier build: the corpus is not read again
            let corpus = try corpora.corpus(name)
            for (split, file) in missing {
                var lines = "", bytes = 0
                for document in corpus.documents(in: split) where bytes < bytesPerSplit {
                    lines += String(decoding: try JSONEncoder().encode(document), as: UTF8.self) + "\n"
                    bytes += document.utf8.count
                }
                try atomicWrite(Data(lines.utf8), to: file)
            }
        }
        log("neural zoo \(spec.name): built by the worker (cached models are reused)")
        try WorkerProcess.runModule("attrib_worker.zoo", arguments: [url.path, directory.path, texts.path], python: python)
        let builtURL = directory.appendingPathComponent("neural-zoo.json")
        let built = try JSONDecoder().decode(Built.self, from: Data(contentsOf: builtURL))
        var folders: [String: ZooManifest.TransformerFolder] = [:]
        for entry in built.models {
            let folder = directory.appendingPathComponent("models").appendingPathComponent(entry.folder)
            let configURL = folder.appendingPathComponent("config.json")
            guard case .object(let config)? = try? JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: configURL)),
                  case .integer(let vocabulary)? = config["vocab_size"] else {
                throw AttribError.invalid(file: configURL.path, field: "vocab_size", reason: "is missing (not a model folder the worker built)")
            }
            let bytes = (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("model.safetensors").path)[.size] as? Int) ?? 0
            folders[entry.name] = .init(folder: entry.folder, vocabularySize: Int(vocabulary), bytes: bytes)
        }
        let truths = Dictionary(built.models.filter { $0.role == "fineTunes" }.map { ($0.name, $0.truth) }, uniquingKeysWith: { a, _ in a })
        let manifest = try ZooManifest(neural: spec, folders: folders, truths: truths)
        try atomicWrite(try manifest.encoded(), to: directory.appendingPathComponent("manifest.json"))
        return ZooBuilder.Report(manifest: manifest, built: built.built, seconds: Date().timeIntervalSince(start))
    }
}
