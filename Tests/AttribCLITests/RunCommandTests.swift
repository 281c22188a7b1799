@testable import Calibration
import Common
import Foundation
import LanguageModels
import SimulatorServer
import Storage
import Testing
@testable import Workflow
@testable import AttribCLI

/// Fine-tunes served by the real simulator server: each answer sampled at MLMAC decoding,
/// seeded by the model, the request's sample number and the prompt.
private struct FineTunes: FineTuneResponder {
    let models: [NGramLanguageModel]
    var modelCount: Int { models.count }

    func continuation(model: Int, prompt: String, sample: UInt64) throws -> String {
        var seed: UInt64 = 0xcbf2_9ce4_8422_2325 ^ (UInt64(model) << 32) ^ sample
        for byte in prompt.utf8 { seed = (seed ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var rng = SeededGenerator(seed: seed)
        return models[model].sample(prompt: prompt, settings: .mlmac, using: &rng).text
    }
}

/// `attrib run` end to end, as a user types it: files on disk, the simulator over loopback HTTP.
@Suite(.serialized) struct RunCommandTests {
    static func license(_ name: String) throws -> [String] {
        try String(contentsOfFile: "/usr/share/common-licenses/\(name)", encoding: .utf8).components(separatedBy: "\n\n")
    }

    /// A working folder with two candidate bases and a None reference (model files and a bases
    /// file), a prompt pool, a token file, and two fine-tunes (of b, of a) behind the simulator.
    static func setUp() async throws -> (directory: URL, server: SimulatorServer, arguments: [String]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let a = try NGramLanguageModel(tokenizer: .byte, order: 3, documents: license("GPL-3"))
        let b = try NGramLanguageModel(tokenizer: .bpe(vocabularySize: 300), order: 2, documents: license("Apache-2.0"))
        let none = try NGramLanguageModel(tokenizer: .byte, order: 2, documents: license("Artistic"))
        for (name, model) in [("a", a), ("b", b), ("none", none)] {
            try model.write(to: directory.appendingPathComponent("\(name).ngram"))
        }
        try """
            {"decoding": {"temperature": 3.0, "maxTotalTokens": 20},
             "bases": [{"name": "a", "model": "a.ngram"}, {"name": "b", "model": "b.ngram"}],
             "none": [{"name": "None", "model": "none.ngram"}]}
            """.write(to: directory.appendingPathComponent("bases.json"), atomically: true, encoding: .utf8)
        try "The\nYou may\nLicense\na\nCopyright\n".write(to: directory.appendingPathComponent("pool.txt"), atomically: true, encoding: .utf8)
        let secret = "run-test-\(UUID().uuidString)"
        let tokenFile = directory.appendingPathComponent("token").path
        try secret.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenFile)
        let fineTunes = [try b.fineTuned(on: license("MPL-2.0"), strength: 0.2, seed: 1),
                         try a.fineTuned(on: license("GFDL-1.3"), strength: 0.2, seed: 2)]
        let server = try await SimulatorServer.start(responder: FineTunes(models: fineTunes),
                                                     tokens: TokenRegistry(tokens: [secret: "tester"]), log: { _ in })
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        let arguments = ["--api", server.baseURL, "--bases", path("bases.json"), "--pool", path("pool.txt"), "--models", "2",
                         "--journal", path("journal.sqlite"), "--store", path("store/store.sqlite"), "--token-file", tokenFile,
                         "--samples", "4", "--budget", "6", "--drift-grid", "0.05,0.3"]
        return (directory, server, arguments)
    }

    static func report(_ directory: URL, _ out: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(out).appendingPathComponent("report.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func runFitsTheCalibrationOnTheGivenTextRecordsItAndCachesIt() async throws {
        let (directory, server, arguments) = try await Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out").path
        try await RunCommand.parse(arguments + ["--out", out, "--calibration-text", "/usr/share/common-licenses/GPL-2"]).execute()
        let report = try Self.report(directory, "out")
        let calibration = try #require(report["calibration"] as? [String: Any])
        let settings = try #require(report["settings"] as? [String: Any])
        // 2 bases x (2 strengths + 1 drifted toward the other base), 2 unlisted None models and
        // 2 unlisted models drifted toward a base.
        #expect(calibration["models"] as? Int == 10)
        // Each calibration model answers as many prompts as the run's budget (--budget 6).
        #expect(calibration["responses"] as? Int == 10 * 6 && settings["calibrationAnswers"] as? String == "budget")
        #expect(throws: (any Error).self) { try RunCommand.parse(arguments + ["--calibration-answers", "0"]) }
        #expect(throws: (any Error).self) { try RunCommand.parse(arguments + ["--calibration-answers", "all"]) }
        let beta = try #require(calibration["beta"] as? Double)
        #expect(Calibration.betaGrid.contains(beta))
        #expect(settings["beta"] as? Double == beta)
        #expect((settings["answerCap"] as? Double) == (calibration["cap"] as? Double))
        let cached = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("store").path)
            .filter { $0.hasPrefix("calibration-") }
        #expect(cached.count == 1)
        let csv = try String(contentsOfFile: out + "/submission.csv", encoding: .utf8)
        #expect(csv.hasPrefix("model_id,base_model\n0,"))
        #expect(csv.split(separator: "\n").count == 3)

        // --no-calibration runs with --beta and --answer-cap as given, and the report says so.
        try await RunCommand.parse(arguments + ["--out", directory.appendingPathComponent("plain").path, "--run-id", "plain",
                                                "--no-calibration", "--beta", "0.7"]).execute()
        let plain = try Self.report(directory, "plain")
        #expect(plain["calibration"] == nil)
        #expect((plain["settings"] as? [String: Any])?["beta"] as? Double == 0.7)
        await server.stop()
    }

    @Test func aPrecomputedStoreIsWhatACalibratedRunUses() async throws {
        let (directory, server, arguments) = try await Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        // A text on which the fit moves beta off 1 at 12 answers per calibration model (0.9), so
        // tensors at beta 1 would miss. Calibration follows the budget: both say --budget 12.
        let text = ["--calibration-text", "/usr/share/common-licenses/Artistic", "--budget", "12"]
        // The same engine flags as the run; precompute calibrates as the run does, so the tensors
        // it stores are the ones the run's fitted beta needs.
        try PrecomputeCommand.parse(["--bases", path("bases.json"), "--pool", path("pool.txt"), "--store", path("store/store.sqlite"),
                                     "--samples", "4", "--drift-grid", "0.05,0.3"] + text).run()
        let store = try ResponseStore(path: path("store/store.sqlite"))
        #expect(try store.count() == 5)
        try await RunCommand.parse(arguments + ["--out", path("out")] + text).execute()
        // The run computed no tensor of its own: the store still holds the pool's five. (Tensors at
        // beta 1, what precompute stored before it calibrated, would not have been hit.)
        #expect(try store.count() == 5)
        let beta = try #require((try Self.report(directory, "out")["calibration"] as? [String: Any])?["beta"] as? Double)
        #expect(beta != 1)
        await server.stop()
    }

    @Test func anUnusableCalibrationTextStopsTheRunBeforeAnyQuery() async throws {
        let (directory, server, arguments) = try await Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let short = directory.appendingPathComponent("short.txt").path
        try "one paragraph\n\nand another\n\n\n\na third".write(toFile: short, atomically: true, encoding: .utf8)
        await #expect(throws: CalibrationTextError.tooShort(path: short, documents: 3)) {
            try await RunCommand.parse(arguments + ["--out", directory.appendingPathComponent("out").path, "--calibration-text", short]).execute()
        }
        let missing = directory.appendingPathComponent("missing.txt").path
        await #expect(throws: CalibrationTextError.self) {
            try await RunCommand.parse(arguments + ["--calibration-text", missing]).execute()
        }
        #expect(await server.counts().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))
        #expect(throws: (any Error).self) {
            try RunCommand.parse(arguments + ["--no-calibration", "--calibration-text", short])
        }
        // A --beta the calibration would replace is refused; a given cap is kept (only beta is fitted then).
        #expect(throws: (any Error).self) { try RunCommand.parse(arguments + ["--beta", "0.5"]) }
        #expect(throws: (any Error).self) { try DemoCommand.parse(["--beta", "0.5"]) }
        #expect(try RunCommand.parse(arguments + ["--no-calibration", "--beta", "0.5"]).engine.settings().observation.beta == 0.5)
        #expect(try RunCommand.parse(arguments + ["--answer-cap", "3"]).engine.settings().observation.answerCap == 3)
        #expect(try RunCommand.parse(arguments).engine.settings().observation.answerCap == nil)
        await server.stop()
    }

    @Test func openAISuspectsComeFromAPIModelsAndAContradictingModelsCountIsRefused() throws {
        let base = ["--api", "http://127.0.0.1:1", "--api-kind", "openai", "--bases", "b.json", "--pool", "p.txt"]
        let command = try RunCommand.parse(base + ["--api-models", "a, http://127.0.0.1:2 ,b"])
        #expect(command.openAITargets().map(\.url) == ["http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:1"])
        #expect(command.openAITargets().map(\.model) == ["a", "", "b"])
        #expect(try RunCommand.parse(base + ["--api-models", "a,b", "--models", "2"]).models == 2)
        do {
            _ = try RunCommand.parse(base + ["--api-models", "a,b", "--models", "12"])
            Issue.record("a --models that contradicts --api-models was accepted")
        } catch {
            #expect(RunCommand.message(for: error).contains("--models 12 disagrees with --api-models, which names 2 suspects"))
        }
        #expect(throws: (any Error).self) { try RunCommand.parse(base + ["--api-models", " , "]) }
        #expect(throws: (any Error).self) { try RunCommand.parse(base) }
    }

    /// Out-of-range engine and scheduling options are refused at parse time, each naming its
    /// flag: the settings types state the ranges once (`problems()`), the options map keys to flags.
    @Test func outOfRangeOptionsAreRefusedNamingTheirFlag() throws {
        let base = ["--api", "http://127.0.0.1:9", "--bases", "b.json", "--pool", "p.txt", "--no-calibration", "--beta", "1"]
        for (extra, flag) in [(["--samples", "0"], "--samples"), (["--answer-cap=-1"], "--answer-cap"), (["--budget", "0"], "--budget"),
                              (["--tie-tolerance", "2"], "--tie-tolerance"), (["--none-mass", "1"], "--none-mass"),
                              (["--threshold", "1.5"], "--threshold"), (["--concurrency", "0"], "--concurrency"),
                              (["--eig-floor-after=-1"], "--eig-floor-after"), (["--drift-grid", "0.2,1.5"], "--drift-grid"),
                              (["--budget", "-3"], "--budget"), (["--global-budget", "-5"], "--global-budget"), (["--eig-floor", "-1"], "--eig-floor")] {
            do {
                _ = try RunCommand.parse(base + extra)
                Issue.record("\(extra) was accepted")
            } catch {
                #expect(RunCommand.message(for: error).contains(flag), "\(extra): \(RunCommand.message(for: error))")
            }
        }
        #expect(EngineOptions.flag("budgetPerModel") == "--budget" && EngineOptions.flag("eigFloorAfter") == "--eig-floor-after")
        for (arguments, flag) in [(["--port", "99999"], "--port"), (["--error-rate", "1.5"], "--error-rate"), (["--drop-rate=-0.1"], "--drop-rate"),
                                  (["--loading-seconds=-5"], "--loading-seconds"), (["--rate-limit", "0"], "--rate-limit")] {
            do {
                _ = try ServeCommand.parse(["--zoo", "z", "--tokens", "t"] + arguments)
                Issue.record("serve \(arguments) was accepted")
            } catch {
                #expect(ServeCommand.message(for: error).contains(flag), "\(arguments): \(ServeCommand.message(for: error))")
            }
        }
        // An --out that is a file is refused before anything is asked (or paid).
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-out-file-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            _ = try RunCommand.parse(base + ["--out", file.path])
            Issue.record("an --out that is a file was accepted")
        } catch {
            #expect(RunCommand.message(for: error).contains("is a file, not a folder"))
        }
    }
}

