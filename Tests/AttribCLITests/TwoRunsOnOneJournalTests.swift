import Foundation
import Testing

/// Two real `attrib run` processes started together on one journal against `attrib serve`
/// (issue 30: before the journal's lock, both ran and the server counted every answer twice).
/// Now one runs and the other is refused with a sentence naming the holder before it sends
/// anything, or, when the first has already finished, replays the journal; either way the
/// server counts each answer once.
struct TwoRunsOnOneJournalTests {
    /// A started `attrib` process whose output is collected.
    final class Running: @unchecked Sendable {
        let process = Process()
        let out = Pipe()
        let err = Pipe()

        init(_ arguments: [String], environment: [String: String] = [:]) throws {
            process.executableURL = GoldenOutputTests.executable
            process.arguments = arguments
            process.currentDirectoryURL = GoldenOutputTests.root
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            // Only what is read is piped: a full pipe nobody reads would stop the process.
            process.standardOutput = arguments.first == "serve" ? out : FileHandle.nullDevice
            process.standardError = arguments.first == "serve" ? FileHandle.nullDevice : err
            try process.run()
        }

        /// Waits for the end: (exit status, standard error).
        func finish() -> (status: Int32, err: String) {
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
    }

    @Test func theServerCountsEveryAnswerOnce() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-two-runs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let (built, _, builtErr) = try GoldenOutputTests.run([
            "demo", "--zoo", "Tests/AttribCLITests/Golden/inputs/golden-zoo.json", "--work", work.path, "--json",
            "--pool-size", "12", "--budget", "4", "--samples", "4", "--no-calibration", "--beta", "1",
        ])
        try #require(built == 0, "the tiny world was not built: \(builtErr.suffix(1000))")
        let tokens = work.appendingPathComponent("tokens.txt")
        try "sk-two-runs tester\n".write(to: tokens, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokens.path)
        let serve = try Running(["serve", "--zoo", work.appendingPathComponent("zoo-golden").path, "--tokens", tokens.path, "--port", "0"])
        defer { serve.process.terminate() }
        let first = String(decoding: serve.out.fileHandleForReading.availableData, as: UTF8.self)
        let url = try #require(first.split(separator: " ").first { $0.hasPrefix("http://") }.map(String.init), "serve printed: \(first)")

        let journal = work.appendingPathComponent("journal.sqlite").path
        let common = ["run", "--api", url, "--api-kind", "mlmac", "--models", "4", "--bases", work.appendingPathComponent("bases-golden.json").path,
                      "--pool", work.appendingPathComponent("default-pool-12.jsonl").path, "--store", work.appendingPathComponent("store.sqlite").path,
                      "--journal", journal, "--budget", "4", "--samples", "4", "--no-calibration", "--beta", "1"]
        let token = ["MLMAC_API_TOKEN": "sk-two-runs"]
        let runs = try ["a", "b"].map { try Running(common + ["--out", work.appendingPathComponent("out-\($0)").path], environment: token) }
        let ends = runs.map { $0.finish() }
        let refused = ends.filter { $0.status != 0 }
        #expect(refused.count <= 1, "both runs failed: \(ends.map(\.err))")
        for r in refused {
            #expect(r.status == 1 && r.err.contains("is in use by process"), "the second run's refusal: \(r.err)")
        }

        let ran = try #require(zip(["a", "b"], ends).first { $0.1.status == 0 }?.0)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("out-\(ran)/report.json"))) as? [String: Any]
        let answered = try #require(report?["queries"] as? Int)
        let status = try JSONSerialization.jsonObject(with: Self.curl(url + "/status", bearer: "sk-two-runs")) as? [String: Any]
        #expect(status?["total_queries"] as? Int == answered, "the server counted \(status?["total_queries"] ?? "?") for \(answered) answers")
        #expect(answered > 0)
    }

    /// `GET url` with a bearer token, through curl (attrib itself goes through libcurl).
    static func curl(_ url: String, bearer: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sf", "-H", "Authorization: Bearer \(bearer)", url]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }
}
