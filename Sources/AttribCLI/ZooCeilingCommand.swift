import ArgumentParser
import Common
import Diagnostics
import Engine
import Foundation
import Workflow

/// `attrib zoo ceiling`: the expected right under each observation model at fixed answer counts.
struct ZooCeilingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ceiling",
        abstract: "How many fine-tunes each observation model can expect right at 1 to 100 random answers each (after `attrib demo`).",
        discussion: """
            For every fine-tune of the demo's zoo with a listed base, scores --answers answers per \
            pool prompt under each observation model (`attrib zoo explain --resample`) and estimates \
            how often the truth wins after each of --counts random answers. Writes OUTPUT/ZOO-oracle.md \
            (the table, the expected right at 5, 10, 30 and 100 answers per fine-tune, the best split of \
            --budget answers) and OUTPUT/ZOO-ceiling.json, which `attrib experiment` summaries read for \
            their oracle ceiling column. With --floor (the JSON of `attrib zoo floor --json`), each \
            fine-tune is asked only the floor's most informative prompts against its competitors, and \
            the table goes to OUTPUT/ZOO-oracle-best-prompts.md. Slow: minutes per fine-tune with the \
            genre model, about 20 s without.
            """)

    @Option(help: "The demo's working folder.") var work = DefaultPaths.demoWork
    @Option(help: "Zoo name (the demo's zoo-NAME folder; `attrib demo --zoo Experiments/zoos/NAME.json` builds it).") var zoo = "round1-like"
    @Option(help: "Observation models, comma-separated: pristine (what runs use), genre (plus copies fine-tuned on the true domain's held-out text; slow), oracle (the fine-tune's own training text known).")
    var models = "pristine,oracle"
    @Option(help: "Prompt pool (JSON lines, e.g. an experiment's pool-NAME-HASH.jsonl; default: the demo's default-pool.jsonl in --work). Another pool's report is OUTPUT/ZOO-POOL-oracle.md and makes no ceiling file.") var pool: String?
    @Option(help: "Answers sampled per pool prompt, the set the counts are drawn from.") var answers = 4
    @Option(help: "Answers per fine-tune at which the truth's win rate is estimated (comma-separated, ascending).")
    var counts = ZooCeiling.defaultCounts.map(String.init).joined(separator: ",")
    @Option(help: "Total answers split over the listed fine-tunes as well as possible (default: 5 per fine-tune of the zoo).") var budget: Int?
    @Option(help: "The JSON of `attrib zoo floor --json`: ask each fine-tune only the floor's best prompts of its fine-tuned competitor worlds.") var floor: String?
    @Option(help: "Random draws per count.") var draws = 2000
    @Option(help: "Folder of the report and the ceiling file.") var output = DefaultPaths.floorResults
    @Flag(help: "Print the result as JSON instead of writing the files.") var json = false

    func validate() throws {
        _ = try parsedModels()
        let c = try ZooExplainCommand.list(counts, "--counts", Int.self) { $0 >= 1 }
        guard c == c.sorted(), Set(c).count == c.count else { throw ValidationError("--counts must be ascending without repeats, got \(counts).") }
        guard answers >= 1 else { throw ValidationError("--answers must be at least 1, got \(answers).") }
        guard draws >= 1 else { throw ValidationError("--draws must be at least 1, got \(draws).") }
        if let budget, budget < 1 { throw ValidationError("--budget must be at least 1, got \(budget).") }
    }

    func parsedModels() throws -> [ZooCeiling.Model] {
        var parsed = [ZooCeiling.Model]()
        for name in models.split(separator: ",") {
            guard let m = ZooCeiling.Model(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--models: \(name) is none of \(ZooCeiling.Model.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            guard !parsed.contains(m) else { throw ValidationError("--models: \(m.rawValue) is named twice.") }
            parsed.append(m)
        }
        return parsed
    }

    func run() throws {
        let workPath = DefaultPaths.resolve(work, default: DefaultPaths.demoWork)
        let workURL = URL(fileURLWithPath: workPath, isDirectory: true)
        let manifest = workURL.appendingPathComponent("zoo-\(zoo)/manifest.json")
        guard FileManager.default.fileExists(atPath: manifest.path) else {
            throw AttribError.unusable(path: "\(workPath)/zoo-\(zoo)/manifest.json",
                                        reason: "not found: run `attrib demo --zoo Experiments/zoos/\(zoo).json` first")
        }
        var settings = EngineSettings()
        settings.observation.beta = 1
        var ceiling = ZooCeiling(work: workURL, zoo: zoo, settings: settings)
        ceiling.models = try parsedModels()
        ceiling.answers = answers
        ceiling.counts = try ZooExplainCommand.list(counts, "--counts", Int.self) { $0 >= 1 }
        ceiling.budget = budget
        ceiling.floor = floor
        ceiling.pool = pool.map { URL(fileURLWithPath: $0) }
        ceiling.draws = draws
        let result = try ceiling.execute { done, total, line in
            FileHandle.standardError.write(Data("[\(done)/\(total)] \(line)\n".utf8))
        }
        if json {
            print(String(decoding: try attribJSONEncoder(pretty: true).encode(result), as: UTF8.self))
            return
        }
        let command = "attrib " + CommandLine.arguments.dropFirst().joined(separator: " ")
        let folder = URL(fileURLWithPath: DefaultPaths.resolve(output, default: DefaultPaths.floorResults), isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let poolPart = pool.map { "-" + URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? ""
        let report = folder.appendingPathComponent("\(zoo)\(poolPart)-oracle\(floor == nil ? "" : "-best-prompts").md")
        try atomicWrite(Data(result.markdown(command: command).utf8), to: report)
        print("wrote \(report.path)")
        if result.makesTheCeilingFile {
            let file = folder.appendingPathComponent("\(zoo)-ceiling.json")
            try atomicWrite(try attribJSONEncoder(pretty: true).encode(result.ceiling), to: file)
            print("wrote \(file.path)")
        } else {
            print("\(zoo)-ceiling.json not written: it needs the oracle model at every default count, from random prompts of the default pool")
        }
    }
}
