import Foundation
import Testing

/// Golden-output tests in the manner of swift-argument-parser's `AssertExecuteCommand`: run the
/// built `attrib` executable as a user would and compare its exit status and output with the
/// files in `Golden/`. `ATTRIB_UPDATE_GOLDEN=1 swift test --filter GoldenOutputTests` rewrites
/// them (then read the diff before committing).
struct GoldenOutputTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// The `attrib` built beside this test bundle (`swift build --build-tests` builds it).
    static var executable: URL {
        [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(), root.appendingPathComponent(".build/debug")]
            .map { $0.appendingPathComponent("attrib") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? root.appendingPathComponent(".build/debug/attrib")
    }

    /// Runs `attrib arguments` in `folder` (the repository root by default); returns the exit
    /// status, stdout and stderr.
    static func run(_ arguments: [String], in folder: URL? = nil) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder ?? root
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "100"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// Compares `attrib arguments` with `Golden/name.txt`: the exit status on the first line, then
    /// standard output, then standard error after a line `--- stderr`.
    static func assertGolden(_ name: String, _ arguments: [String]) throws {
        let (status, out, err) = try run(arguments)
        let actual = "exit \(status)\n\(out)--- stderr\n\(err)"
        let file = golden.appendingPathComponent("\(name).txt")
        if ProcessInfo.processInfo.environment["ATTRIB_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(actual == expected, "attrib \(arguments.joined(separator: " ")) differs from Golden/\(name).txt")
    }

    @Test func runHelpListsTheStrategiesAndTheCalibrationFlags() throws {
        try Self.assertGolden("run-help", ["run", "--help"])
    }

    @Test func demoHelpHasItsOwnDriftOrder() throws {
        try Self.assertGolden("demo-help", ["demo", "--help"])
    }

    @Test func anUnknownStrategyIsRefusedAtParseTime() throws {
        try Self.assertGolden("run-bad-strategy", ["run", "--api", "http://127.0.0.1:9", "--bases", "b.json", "--pool", "p.txt",
                                                    "--strategy", "greedy"])
    }

    @Test func runRefusesTheDemosDriftOrder() throws {
        try Self.assertGolden("run-drift-order", ["run", "--api", "http://127.0.0.1:9", "--bases", "b.json", "--pool", "p.txt",
                                                   "--drift-order", "3"])
    }

    @Test func runRefusesABetaCalibrationWouldReplace() throws {
        try Self.assertGolden("run-beta", ["run", "--api", "http://127.0.0.1:9", "--bases", "b.json", "--pool", "p.txt", "--beta", "0.5"])
    }

    @Test func zooExplainRefusesFlagsItCannotUse() throws {
        try Self.assertGolden("explain-samples", ["zoo", "explain", "--model", "0", "--samples", "8"])
    }

    @Test func zooCeilingNamesABadModelAndAMissingZoo() throws {
        try Self.assertGolden("ceiling-bad-model", ["zoo", "ceiling", "--models", "pristine,magic"])
        try Self.assertGolden("ceiling-missing-zoo", ["zoo", "ceiling", "--work", "no-such-work", "--zoo", "tiny"])
    }

    @Test func aMissingBasesFileIsNamed() throws {
        try Self.assertGolden("precompute-missing-bases", ["precompute", "--bases", "no-such-bases.json", "--pool", "no-such-pool.txt",
                                                            "--no-calibration"])
    }

    @Test func logInspectCountsTheRealRound1Log() throws {
        try Self.assertGolden("log-inspect-round1", ["log", "inspect", "../shared/mlmac/round1-log", "--json"])
    }

    @Test func logInspectNamesEveryBadLineAndFails() throws {
        try Self.assertGolden("log-inspect-bad", ["log", "inspect", "Tests/AttribCLITests/Golden/inputs/bad.jsonl"])
    }

    /// A log with bad records stops `attrib replay` before anything is written into --out.
    @Test func replayOfABadLogWritesNothing() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-golden-replay-\(UUID().uuidString)")
        let (status, _, err) = try Self.run(["replay", "--log", "Tests/AttribCLITests/Golden/inputs/bad.jsonl", "--bases", "none.json",
                                             "--out", out.path])
        // A bad input file is a runtime failure: exit status 1, the problems, no usage text.
        #expect(status == 1 && !err.contains("USAGE") && !err.contains("Usage:"))
        #expect(err.contains("bad.jsonl:2: is not valid JSON (truncated?)") && err.contains("bad.jsonl:3: is not a JSON object"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// Default paths are under the repository whatever the current folder (here the executable's
    /// own location finds it): the demo's working folder of `zoo ceiling`, from a temporary folder.
    @Test func defaultPathsAreUnderTheRepositoryFromAnyFolder() throws {
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-elsewhere-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let (status, _, err) = try Self.run(["zoo", "ceiling", "--zoo", "no-such-zoo"], in: elsewhere)
        #expect(status == 1)
        #expect(err.contains(Self.root.standardizedFileURL.appendingPathComponent(".cache/demo/zoo-no-such-zoo/manifest.json").path), "\(err)")
    }

    /// Bad paths get one sentence naming them, a non-zero exit, and never a raw NSError or
    /// DecodingError dump.
    @Test func badPathsAreSentencesNotErrorDumps() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-bad-paths-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("zoo"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("{".utf8).write(to: folder.appendingPathComponent("zoo/manifest.json"))
        let cases: [([String], String)] = [
            (["precompute", "--bases", folder.path, "--pool", "p.txt", "--no-calibration"], "is a folder, not a JSON file"),
            (["serve", "--zoo", folder.appendingPathComponent("nope").path, "--tokens", "t.txt"], "no such zoo folder"),
            (["serve", "--zoo", folder.appendingPathComponent("zoo").path, "--tokens", "t.txt"], "not a zoo manifest"),
            (["run", "--api", "http://127.0.0.1:9", "--bases", "b.json", "--pool", "p.txt", "--token-file", folder.path], "is a folder, not a file holding the token"),
        ]
        for (arguments, sentence) in cases {
            let (status, _, err) = try Self.run(arguments)
            #expect(status != 0 && err.contains(sentence), "attrib \(arguments.joined(separator: " ")): \(err)")
            #expect(!err.contains("NSCocoaErrorDomain") && !err.contains("DecodingError"), "\(err)")
        }
    }
}

