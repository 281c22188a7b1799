import Foundation
import LanguageModels
import ServerModels
import Simulation

/// The models of a built zoo, whatever their format: an n-gram zoo's files, or a neural
/// zoo's model folders served by one worker per zoo, started when first needed and kept for
/// the life of this process (it serves every model of the zoo: bases, references, fine-tunes).
public enum ZooModels {
    /// The model of `record` (a model of the zoo in `directory`).
    public static func load(_ record: ZooManifest.ModelRecord, manifest: ZooManifest, directory: URL) throws -> any LanguageModel {
        guard record.format == "transformer" else { return try ZooManifest.loadModel(record, directory: directory) }
        return try WorkerLanguageModel.connect(try worker(manifest: manifest, directory: directory), name: record.name)
    }

    /// The bases-file entry of candidate `record` of the zoo in `directory` (a `zoo-NAME` folder
    /// of the working folder the bases file lives in): its model file, or its model on the zoo's
    /// worker (started if needed; a bases file on disk names a worker of the process that wrote it).
    public static func basesEntry(_ record: ZooManifest.ModelRecord, manifest: ZooManifest, directory: URL) throws -> BasesFile.Entry {
        guard record.format == "transformer" else { return .init(name: record.name, model: "\(directory.lastPathComponent)/models/\(record.file)") }
        let url = try worker(manifest: manifest, directory: directory).endpoints[0].url
        return .init(name: record.name, worker: ServerEndpoint(url: url, model: record.name))
    }

    /// The worker serving every transformer of the zoo in `directory` (started on first use).
    public static func worker(manifest: ZooManifest, directory: URL) throws -> ReplicaSet {
        let models = (manifest.bases + manifest.references + manifest.fineTunes.map(\.model)).filter { $0.format == "transformer" }
            .map { "\($0.name)=\(directory.appendingPathComponent("models").appendingPathComponent($0.file).path)" }
        let url = try running.started(key: directory.standardizedFileURL.path) { try WorkerProcess(models: models) }
        return ReplicaSet(endpoints: [ServerEndpoint(url: url)])
    }

    static let running = RunningWorkers()
}

/// Workers started for zoos, by zoo folder: one each, alive until this process ends.
final class RunningWorkers: @unchecked Sendable {
    private let lock = NSLock()
    private var workers: [String: WorkerProcess] = [:]

    func started(key: String, start: () throws -> WorkerProcess) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let worker = workers[key] { return worker.url }
        let worker = try start()
        workers[key] = worker
        return worker.url
    }
}
