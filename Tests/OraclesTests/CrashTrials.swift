import Common
import Foundation
import Oracles
import SimulatorServer
import Storage
import Testing
import Transport

/// SIGKILL crash trials for the journaled client, without the CLI: the child is
/// this test binary running `crashChild` against a simulator hosted by `crashTrials`.
/// Runs only under `scripts/crash-test.sh` (ATTRIB_CRASH_TRIALS=n).
@Suite("Crash trials (scripts/crash-test.sh)", .serialized)
struct CrashTrials {
    static let environment = ProcessInfo.processInfo.environment
    static let plan = (0..<40).map { (model: $0 % 4, prompt: "crash prompt \($0)") }

    /// The child: asks the plan through the journal, printing one line when done.
    @Test(.enabled(if: environment["ATTRIB_CRASH_CHILD"] != nil))
    func crashChild() async throws {
        let env = Self.environment
        let client = try MLMACClient(configuration: .init(baseURL: env["ATTRIB_CRASH_URL"]!), token: APIToken(testSecret))
        let oracle = JournaledOracle(oracle: client, journal: try QueryJournal(path: env["ATTRIB_CRASH_JOURNAL"]!),
                                     runID: "crash")
        try await oracle.open()
        var replayed = 0
        for step in Self.plan { replayed += try await oracle.ask(model: step.model, prompt: step.prompt).replayed ? 1 : 0 }
        print("CRASH-CHILD-DONE replayed=\(replayed)")
    }

    /// Starts the child; returns the process (not waited for).
    static func spawn(url: String, journal: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["--testing-library", "swift-testing", "--filter", "CrashTrials/crashChild"]
        process.environment = environment.merging(["ATTRIB_CRASH_CHILD": "1", "ATTRIB_CRASH_URL": url,
                                                   "ATTRIB_CRASH_JOURNAL": journal]) { $1 }
        process.environment?["ATTRIB_CRASH_TRIALS"] = nil
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func waitExit(_ process: Process) async {
        await withCheckedContinuation { continuation in
            Thread { process.waitUntilExit(); continuation.resume() }.start()
        }
    }

    @Test(.enabled(if: environment["ATTRIB_CRASH_TRIALS"] != nil))
    func crashTrials() async throws {
        let trials = Int(Self.environment["ATTRIB_CRASH_TRIALS"]!) ?? 20
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        var seed = UInt64(Self.environment["ATTRIB_CRASH_SEED"] ?? "") ?? generator.next()
        func unit() -> Double {  // SeededGenerator, so a tally can be reproduced from its seed
            seed &+= 0x9E37_79B9_7F4A_7C15
            var z = seed
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) * 0x1.0p-53
        }
        let startSeed = seed

        // Reference: one uninterrupted run, timed, to place the kills.
        let reference = try await SimulatorServer.start(responder: SeededResponder(modelCount: 4, seed: 3),
                                                        tokens: TokenRegistry(tokens: [testSecret: "crash"]), log: { _ in })
        let clock = ContinuousClock(), began = clock.now
        let child = try Self.spawn(url: reference.baseURL, journal: directory.appendingPathComponent("reference.sqlite").path)
        await Self.waitExit(child)
        let runTime = clock.now - began
        let expected = await reference.counts()["crash"]?.values.reduce(0, +) ?? 0
        await reference.stop()
        #expect(child.terminationStatus == 0 && expected == Self.plan.count)

        var totals = (kills: 0, counted: 0, answered: 0, lost: 0, duplicates: 0, unexplained: 0)
        for trial in 0..<trials {
            let server = try await SimulatorServer.start(responder: SeededResponder(modelCount: 4, seed: 3),
                                                         tokens: TokenRegistry(tokens: [testSecret: "crash"]), log: { _ in })
            let journal = directory.appendingPathComponent("trial-\(trial).sqlite").path
            let kills = 1 + Int(unit() * 3)
            for _ in 0..<kills {
                let process = try Self.spawn(url: server.baseURL, journal: journal)
                try await Task.sleep(for: runTime * unit())
                kill(process.processIdentifier, SIGKILL)
                await Self.waitExit(process)
            }
            let final = try Self.spawn(url: server.baseURL, journal: journal)
            await Self.waitExit(final)
            #expect(final.terminationStatus == 0)
            let counted = await server.counts()["crash"]?.values.reduce(0, +) ?? 0
            let perPrompt = await server.promptCounts(user: "crash").values.flatMap(\.values)
            let duplicates = perPrompt.reduce(0) { $0 + $1 - 1 }
            let summary = try await QueryJournal(path: journal).summary(runID: "crash")
            let lost = summary.perModel.values.reduce(0) { $0 + $1.lostAttempts }
            await server.stop()
            #expect(summary.answered == Self.plan.count && summary.pending == 0)
            #expect(summary.serverCounted == counted)
            // Every extra count is a reconciled lost answer; none is silent.
            #expect(duplicates == lost)
            totals.kills += kills
            totals.counted += counted
            totals.answered += summary.answered
            totals.lost += lost
            totals.duplicates += duplicates
            totals.unexplained += counted - summary.answered - lost
        }
        print("""
            CRASH-TALLY seed=\(startSeed) trials=\(trials) kills=\(totals.kills) \
            queries-per-run=\(Self.plan.count) uninterrupted-run=\(runTime)
            CRASH-TALLY answered=\(totals.answered) server-counted=\(totals.counted) \
            re-sent-after-lost-answer=\(totals.lost) duplicate-counts=\(totals.duplicates) unexplained=\(totals.unexplained)
            """)
        #expect(totals.unexplained == 0)
    }
}
