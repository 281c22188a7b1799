import Foundation
import Testing
@testable import Workflow

/// Worker entries of a bases file: what is accepted, errors that name the field, and the
/// retired llama.cpp `server` entry refused with the way to the worker.
@Suite struct BasesFileEntryTests {
    private func load(_ json: String) throws -> BasesFile {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bases-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try BasesFile.load(path: path)
    }

    private func error(_ json: String) -> String {
        do { _ = try load(json); return "no error" } catch { return "\(error)" }
    }

    @Test func aWorkerEntryWithReplicasLoads() throws {
        let file = try load("""
            {"bases": [{"name": "a", "model": "a.ngram"},
                       {"name": "s", "worker": {"url": "http://127.0.0.1:8401/"}, "replicas": [{"url": "http://127.0.0.1:8402", "model": "m"}], "concurrency": 3}]}
            """)
        #expect(file.bases[1].endpoints.map(\.url) == ["http://127.0.0.1:8401", "http://127.0.0.1:8402"])
        #expect(file.bases[1].endpoints.map(\.model) == ["", "m"])
        #expect(file.bases[1].concurrency == 3)
    }

    @Test func mistakesNameTheField() {
        #expect(error(#"{"bases": [{"name": "a"}]}"#).contains("bases.0"))
        #expect(error(#"{"bases": [{"name": "a"}]}"#).contains("names neither"))
        #expect(error(#"{"bases": [{"name": "a", "model": "a.ngram", "worker": {"url": "http://x"}}]}"#).contains("choose one"))
        #expect(error(#"{"bases": [{"name": "a", "worker": {"url": "127.0.0.1:8601"}}]}"#).contains("bases.0.worker.url"))
        #expect(error(#"{"bases": [{"name": "a", "model": "a.ngram", "replicas": []}]}"#).contains("\"worker\" entry only"))
        #expect(error(#"{"bases": [{"name": "a", "worker": {"url": "http://x"}, "drift": "d.ngram"}]}"#).contains("bases.0.drift"))
        #expect(error(#"{"bases": [{"name": "a", "worker": {"url": "http://x"}, "concurrency": 0}]}"#).contains("bases.0.concurrency"))
        #expect(error(#"{"bases": [{"name": "a", "worker": {"url": "http://x"}, "replicas": [{"url": "x:1"}]}]}"#).contains("bases.0.replicas.0.url"))
        let retired = error(#"{"bases": [{"name": "smollm2", "server": {"url": "http://127.0.0.1:8401"}}]}"#)
        #expect(retired.contains("bases.0.server") && retired.contains("attrib worker --model smollm2=MODEL.gguf"), "\(retired)")
        #expect(error(#"{"bases": [{"name": "a", "model": "a.ngram"}], "none": [{"name": "None"}]}"#).contains("none.0"))
        #expect(error(#"{"decoding": {"temperature": -3}, "bases": [{"name": "a", "model": "a.ngram"}]}"#).contains("decoding.temperature\": must be positive"))
        #expect(error(#"{"decoding": {"topP": 1.5}, "bases": [{"name": "a", "model": "a.ngram"}]}"#).contains("decoding.topP"))
    }

    /// Connecting to a worker that is not there fails with the entry's field, not later.
    @Test func anUnreachableWorkerIsNamedAtLoad() throws {
        let file = BasesFile(decoding: nil, bases: [.init(name: "s", worker: .init(url: "http://127.0.0.1:9"))], none: nil)
        let folder = FileManager.default.temporaryDirectory
        do {
            _ = try BasesFile.load(file.bases[0], directory: folder, field: "bases.0", patience: 1)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("bases.0.worker"))
        }
    }
}
