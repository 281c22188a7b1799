import Foundation
import Oracles
import SimulatorServer
import Testing
import Transport

/// Client overhead per query against the simulator on loopback, beside the `curl` command
/// line doing the same requests. A command that prints figures, not a timed test: it runs
/// only under `scripts/client-overhead.sh` (ATTRIB_BENCH=1).
@Suite("Client overhead benchmark (scripts/client-overhead.sh)")
struct ClientOverheadBenchmark {
    static let environment = ProcessInfo.processInfo.environment

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) * 1e-15
    }

    /// Runs `body` on its own thread (it blocks on child processes).
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    static func curl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test(.enabled(if: environment["ATTRIB_BENCH"] != nil))
    func clientOverheadAgainstCurl() async throws {
        let count = Int(Self.environment["ATTRIB_BENCH_N"] ?? "") ?? 1000
        let server = try await SimulatorServer.start(responder: SeededResponder(modelCount: 24, seed: 1),
                                                     tokens: TokenRegistry(tokens: [testSecret: "bench"]), log: { _ in })
        let prompt = "The quick brown fox jumps over the lazy dog"
        let body = #"{"input":"\#(prompt)"}"#
        let url = "\(server.baseURL)/query?model=3"

        // attrib's client: one connection kept alive, JSON encode/decode, prompt split.
        let client = try MLMACClient(configuration: .init(baseURL: server.baseURL), token: APIToken(testSecret))
        for _ in 0..<50 { _ = try await client.query(model: 3, prompt: prompt) }
        let clock = ContinuousClock()
        var ours: [Double] = []
        for _ in 0..<count {
            let start = clock.now
            _ = try await client.query(model: 3, prompt: prompt)
            ours.append(Self.milliseconds(clock.now - start))
        }

        // One curl process per request, as a shell loop would do.
        let perProcess: [Double] = try await Self.offPool {
            var times: [Double] = []
            for _ in 0..<count {
                let start = ContinuousClock.now
                _ = try Self.curl(["-s", "-X", "POST", "-H", "Authorization: Bearer \(testSecret)",
                                   "-H", "Content-Type: application/json", "--data-binary", body, url])
                times.append(Self.milliseconds(ContinuousClock.now - start))
            }
            return times
        }

        // One curl process for all requests (keep-alive), timed by curl itself.
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("curl-bench-\(UUID().uuidString)").path
        var lines: [String] = []
        for index in 0..<count {
            if index > 0 { lines.append("next") }
            lines += ["url = \"\(url)\"", "request = \"POST\"", "header = \"Authorization: Bearer \(testSecret)\"",
                      "header = \"Content-Type: application/json\"", "data-binary = @\(config).body",
                      "silent", "output = \"/dev/null\"", "write-out = \"%{time_total}\\n\""]
        }
        try lines.joined(separator: "\n").write(toFile: config, atomically: true, encoding: .utf8)
        try body.write(toFile: config + ".body", atomically: true, encoding: .utf8)
        let keepAlive: [Double] = try await Self.offPool {
            try Self.curl(["--config", config]).split(separator: "\n").compactMap { Double($0).map { $0 * 1e3 } }
        }
        try? FileManager.default.removeItem(atPath: config)
        try? FileManager.default.removeItem(atPath: config + ".body")
        await server.stop()

        #expect(keepAlive.count == count)
        func row(_ name: String, _ values: [Double]) -> String {
            let median = Self.percentile(values, 0.5), p99 = Self.percentile(values, 0.99)
            return name.padding(toLength: 34, withPad: " ", startingAt: 0)
                + String(format: "median %7.3f ms  p99 %7.3f ms", median, p99)
        }
        let ratio = { (a: [Double], b: [Double], p: Double) in Self.percentile(a, p) / Self.percentile(b, p) }
        print("""
            Client overhead, \(count) sequential POST /query on loopback (simulator in the same process):
            \(row("MLMACClient (libcurl, keep-alive)", ours))
            \(row("curl CLI, one process per request", perProcess))
            \(row("curl CLI, one process keep-alive", keepAlive))
            ratio MLMACClient / curl per process: median \(String(format: "%.3f", ratio(ours, perProcess, 0.5))), p99 \(String(format: "%.3f", ratio(ours, perProcess, 0.99)))
            ratio MLMACClient / curl keep-alive:  median \(String(format: "%.3f", ratio(ours, keepAlive, 0.5))), p99 \(String(format: "%.3f", ratio(ours, keepAlive, 0.99)))
            """)
    }
}
