import AttributionCore
import Calibration
import Common
import Engine
import Foundation
import Oracles
import Workflow

/// `attrib experiment`: every cell of an `ExperimentSpec` run as a full job against the
/// simulated zoo, in parallel, resumably. Shared work is done once: the zoo, pool, references
/// and drift models once per experiment (cached in `work`), calibration and tensors once per
/// threshold (the fit keeps stops at the threshold honest; cached beside the store). Each
/// finished cell is written at once to `out/cells/<cell>.json`, so a killed run redoes no
/// finished cell; `results.csv` and `summary.md` are made from those files (`ExperimentReport`).
public struct Experiment: Sendable {
    public var spec: ExperimentSpec
    /// `Results/NAME`: cells, results, summary.
    public var out: URL
    /// Where the zoo, references, stores and journals live (`.cache/experiments`).
    public var work: URL
    /// Cells run at once.
    public var jobs = 2
    /// `(i, n)`: run only shard i of n (1-based).
    public var shard: (index: Int, count: Int)?
    public var calibrationText: CalibrationText? = .builtIn
    /// The commit the cells ran at, recorded in every cell.
    public var commit: String?

    public init(spec: ExperimentSpec, out: URL, work: URL) {
        self.spec = spec
        self.out = out
        self.work = work
    }

    /// One cell's outcome: its settings as run (calibration applied), and a row per fine-tune.
    public struct CellResult: Codable, Sendable {
        public var cell: ExperimentSpec.Cell
        public var settings: EngineSettings
        public var commit: String?
        public var fanoQueriesPerModel: Double
        public var seconds: Double
        public var rows: [Row]

        public struct Row: Codable, Sendable {
            public var model: Int
            public var truth: Attribution
            public var attribution: Attribution
            public var correct: Bool
            public var queries: Int
            public var confidence: Double
            /// nil only for a model still running (never in a finished cell).
            public var stopReason: StopReason?
            /// The posterior probability of the true hypothesis after each answer, in order.
            public var truthTrajectory: [Double]
        }

        public var correct: Int { rows.filter(\.correct).count }
        public var queries: Int { rows.reduce(0) { $0 + $1.queries } }
    }

    /// The cells this invocation is responsible for (the whole grid, or its shard).
    public var assignedCells: [ExperimentSpec.Cell] {
        shard.map { spec.shard($0.index, of: $0.count) } ?? spec.cells
    }

    public var cellDirectory: URL { out.appendingPathComponent("cells", isDirectory: true) }

    func file(of cell: ExperimentSpec.Cell) -> URL { cellDirectory.appendingPathComponent("\(cell.id).json") }

    /// Runs every assigned cell not already done; `progress(done, total)` after each.
    public func run(events: @escaping @Sendable (JobEvent) -> Void = { _ in },
                    progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws {
        let fm = FileManager.default
        try fm.createDirectory(at: cellDirectory, withIntermediateDirectories: true)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        let lock = try DirectoryLock(directory: work)
        let started = Date()
        defer { withExtendedLifetime(lock) {} }
        let cells = assignedCells
        let todo = cells.filter { !fm.fileExists(atPath: file(of: $0).path) }
        events(.step("\(spec.name): \(cells.count) cells, \(cells.count - todo.count) already done"))
        progress(cells.count - todo.count, cells.count)
        guard !todo.isEmpty else { return }

        let corpora = CorpusCache()
        let zooWorld = try SimulatedWorld.build(zooSpec: URL(fileURLWithPath: spec.zooPath), workDirectory: work,
                                                poolSize: spec.settings?.poolSize ?? Demo.defaultPoolSize,
                                                poolSpec: spec.settings?.poolSpec.map { URL(fileURLWithPath: $0) },
                                                observation: spec.settings(of: todo[0]).observation, corpora: corpora,
                                                log: { events(.step($0)) })
        // The world under each decoding, then calibration and tensors once per (decoding, threshold, variant, calibration length).
        var worlds: [ExperimentSpec.Decoding: SimulatedWorld] = [:]
        for decoding in Set(todo.map(\.decoding)) { worlds[decoding] = zooWorld.decoded(decoding) }
        var prepared: [PreparedKey: AttributionJob.Prepared] = [:]
        for key in Set(todo.map(preparedKey)).sorted(by: { ($0.decoding.rawValue, $0.threshold, $0.variant ?? "", $0.calibrationAnswers)
                                                             < ($1.decoding.rawValue, $1.threshold, $1.variant ?? "", $1.calibrationAnswers) }) {
            let cell = todo.first { preparedKey($0) == key }!
            let world = worlds[key.decoding]!
            var job = AttributionJob(models: world.models, pool: world.pool, settings: spec.settings(of: cell),
                                     calibration: world.calibration(calibrationText, cacheDirectory: work),
                                     storePath: work.appendingPathComponent("store.sqlite").path)
            job.corpora = corpora
            prepared[key] = try job.prepare(events: events)
        }
        // Replays: one simulator log per response seed, asked once and kept in `work`.
        var logs: [UInt64: QueryLog] = [:]
        if let replay = spec.replay {
            for seed in Set(todo.map(\.seed)).sorted() {
                let folder = work.appendingPathComponent("replay-logs/q\(replay.queries)-s\(seed)", isDirectory: true)
                logs[seed] = try await ZooLog(zooDirectory: zooWorld.zooDirectory, pool: zooWorld.pool, queries: replay.queries,
                                              seed: seed, format: .jsonl).write(to: folder, events: events)
            }
        }
        let ready = prepared, decodedWorlds = worlds, replayLogs = logs
        let preparation = Date().timeIntervalSince(started)
        let done = Locked(cells.count - todo.count)
        let journals = work.appendingPathComponent("journals", isDirectory: true)
        try fm.createDirectory(at: journals, withIntermediateDirectories: true)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func start() {
                guard next < todo.count else { return }
                let cell = todo[next]
                next += 1
                group.addTask {
                    let world = decodedWorlds[cell.decoding]!
                    let result = if let log = replayLogs[cell.seed] {
                        try await self.replay(cell, log: log, world: world)
                    } else {
                        try await self.run(cell, prepared: ready[self.preparedKey(cell)]!, world: world, journals: journals)
                    }
                    let encoder = attribJSONEncoder(pretty: true)
                    try atomicWrite(try encoder.encode(result), to: self.file(of: cell))
                    let n = done.withLock { $0 += 1; return $0 }
                    events(.step(String(format: "%@: %d/%d correct, %d queries (%.1f s)", cell.id, result.correct, result.rows.count,
                                        result.queries, result.seconds)))
                    progress(n, cells.count)
                }
            }
            for _ in 0..<max(1, jobs) { start() }
            while try await group.next() != nil { start() }
        }
        let timing = Timing(cells: todo.count, jobs: max(1, jobs), preparationSeconds: preparation,
                            cellSeconds: Date().timeIntervalSince(started) - preparation)
        try atomicWrite(try attribJSONEncoder(pretty: true).encode(timing), to: out.appendingPathComponent("timing.json"))
        events(.step(String(format: "%@: %d cells in %.0f s, %.0f s of it preparing (zoo, calibration, tensors)", spec.name, todo.count,
                            timing.preparationSeconds + timing.cellSeconds, timing.preparationSeconds)))
    }

    /// Where the time of the last invocation that ran cells went (`out/timing.json`): the
    /// shared preparation (zoo, references, calibration, tensors, replay logs; seconds) and
    /// the cells themselves (seconds of wall time with `jobs` at once).
    public struct Timing: Codable, Sendable {
        public var cells: Int
        public var jobs: Int
        public var preparationSeconds: Double
        public var cellSeconds: Double
    }

    /// What calibration and tensors depend on: the decoding, the threshold, the variant's
    /// settings and the calibration's length (which may follow the cell's budget).
    struct PreparedKey: Hashable {
        var decoding: ExperimentSpec.Decoding
        var threshold: Double
        var variant: String?
        var calibrationAnswers: Int
    }

    func preparedKey(_ cell: ExperimentSpec.Cell) -> PreparedKey {
        PreparedKey(decoding: cell.decoding, threshold: cell.threshold, variant: cell.variant,
                    calibrationAnswers: spec.settings(of: cell).calibrationAnswerCount)
    }

    /// One cell: the prepared job with the cell's strategy and budget, against the simulator
    /// answering with the cell's seed, journaled in a fresh file.
    func run(_ cell: ExperimentSpec.Cell, prepared: AttributionJob.Prepared, world: SimulatedWorld, journals: URL) async throws -> CellResult {
        let start = Date()
        var job = prepared
        job.settings.scheduling.strategy = cell.strategy
        job.settings.stopping.budgetPerModel = cell.budget
        job.settings.stopping.globalBudget = cell.globalBudget
        let journal = journals.appendingPathComponent("\(cell.id).sqlite")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: journal.path + suffix) }
        let trajectories = Locked<[Int: [[Double]]]>([:])
        let outcome = try await OracleSource.simulatedZoo(manifest: world.manifest, directory: world.zooDirectory, responseSeed: cell.seed)
            .using(concurrency: job.settings.scheduling.concurrency) { opened in
                try await job.run(on: opened, journal: JournalSpec(path: journal.path, runID: cell.id),
                                  modelIDs: world.manifest.fineTunes.map(\.id)) { event in
                    if case .answer(let a) = event { trajectories.withLock { $0[a.model, default: []].append(a.posterior) } }
                }
            }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: journal.path + suffix) }
        return result(cell, report: outcome.report, truth: world.manifest.truth, trajectories: trajectories.value, since: start)
    }

    /// One cell of a replay (`ExperimentSpec.replay`): the seed's log replayed in the order the
    /// cell's strategy gives, as `attrib replay` does (calibration and tensors from the store
    /// the grid's preparation filled).
    func replay(_ cell: ExperimentSpec.Cell, log: QueryLog, world: SimulatedWorld) async throws -> CellResult {
        let start = Date()
        let order: Replay.Order = cell.strategy == .fixed ? .log : cell.strategy == .random ? .random : .eig
        let key = AnswerKey(truth: world.manifest.truth, names: [:], file: world.zooDirectory.appendingPathComponent("manifest.json").path)
        let replay = Replay(log: log, models: world.models, settings: spec.settings(of: cell),
                            calibration: world.calibration(calibrationText, cacheDirectory: work),
                            storePath: work.appendingPathComponent("store.sqlite").path, order: order, answerKey: key)
        let trajectories = Locked<[Int: [[Double]]]>([:])
        let (_, report) = try await replay.execute { event in
            if case .answer(let a) = event { trajectories.withLock { $0[a.model, default: []].append(a.posterior) } }
        }
        return result(cell, report: report, truth: world.manifest.truth, trajectories: trajectories.value, since: start)
    }

    /// A cell's result from its run's report: one row per fine-tune, scored against `truth`
    /// (nil: `None`), with the truth's posterior after each answer.
    func result(_ cell: ExperimentSpec.Cell, report: RunReport, truth key: [Int: Attribution], trajectories paths: [Int: [[Double]]],
                since start: Date) -> CellResult {
        let names = report.hypotheses
        let score = Score(models: report.models, answerKey: key)
        let rows = zip(report.models.sorted { $0.model < $1.model }, zip(score.truths, score.right)).map { m, scored in
            let (truth, right) = scored
            let t = names.firstIndex(of: truth.name)
            return CellResult.Row(model: m.model, truth: truth, attribution: m.attribution, correct: right,
                                  queries: m.queries, confidence: m.confidence, stopReason: m.stopReason,
                                  truthTrajectory: (paths[m.model] ?? []).map { p in t.map { p[$0] } ?? 0 })
        }
        return CellResult(cell: cell, settings: report.settings, commit: commit,
                          fanoQueriesPerModel: report.fanoQueriesPerModel, seconds: Date().timeIntervalSince(start), rows: rows)
    }
}
