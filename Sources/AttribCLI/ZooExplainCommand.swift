import ArgumentParser
import AttributionCore
import Corpora
import Engine
import Foundation
import LanguageModels
import Simulation
import Workflow

/// `attrib zoo explain`: how well each hypothesis state explains one fine-tune's answers.
struct ZooExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Mean log-likelihood of one fine-tune's answers under every hypothesis state (after `attrib demo`).",
        discussion: """
            Samples answers of a fine-tune of the demo's zoo to the demo's default pool and scores \
            them the way a run does (beta 1), printing the mean log-likelihood per answer under \
            each hypothesis at its best latent drift value, best first. The state a run converges \
            to is the first line: when it is not the true base, the observation model, not the \
            prompts, is what is wrong. Reads --work after `attrib demo` has filled it.
            """)

    @Option(help: "The demo's working folder.") var work = ".cache/demo"
    @Option(help: "Zoo name (the demo's zoo-NAME folder).") var zoo = "round1-like"
    @Option(help: "Public id of the fine-tune.") var model: Int
    @Option(help: "Answers sampled per prompt.") var samples = 2
    @Option(help: "Add components fine-tuned on generic text at these strengths (comma-separated).") var fineTunedStrengths: String?
    @Option(help: "Fine-tune the components on this corpus's held-out text instead of all of them.") var fineTuneDomain: String?
    @Option(help: "Held-out bytes per corpus for the fine-tuned components.") var fineTuneBytes = NoneReference.bytesPerCorpus
    @OptionGroup var engine: EngineOptions

    func run() throws {
        let dir = URL(fileURLWithPath: work, isDirectory: true)
        let zooDir = dir.appendingPathComponent("zoo-\(zoo)")
        let manifest = try ZooManifest.load(directory: zooDir)
        guard manifest.fineTunes.indices.contains(model) else {
            throw ValidationError("--model must be a public id in 0..<\(manifest.fineTunes.count), got \(model).")
        }
        let record = manifest.fineTunes[model]
        let fineTune = try ZooManifest.loadModel(record.model, directory: zooDir)
        var models = try BasesFile.load(path: dir.appendingPathComponent("bases-\(zoo).json").path).hypothesisModels(directory: dir)
        let pool = try PromptPool.load(path: dir.appendingPathComponent("default-pool.jsonl").path)
        var settings = engine.settings
        settings.beta = 1
        if settings.domainDrift {
            models = try models.withDomainDrift(domains: NoneReference.driftDomains(Demo.poolSources) { try Corpus.load($0) })
        }
        if let tuned = fineTunedStrengths {
            let strengths = tuned.split(separator: ",").compactMap { Double($0) }
            let documents = try (fineTuneDomain.map { [$0] } ?? Demo.poolSources).flatMap {
                try Corpus.load($0).text(in: .heldout, maxBytes: fineTuneBytes).components(separatedBy: "\n\n").filter { !$0.isEmpty }
            }
            models = try models.withFineTunedComponents(documents: documents, strengths: strengths, seed: settings.seed)
        }
        let space = settings.space(models: models)
        let scorer = settings.answerScorer(models: models)
        var rng = SplitMix64(seed: settings.seed)
        var totals = [Double](repeating: 0, count: space.stateCount)
        var count = 0
        for prompt in pool.prompts {
            let answers = (0..<samples).map { _ in fineTune.sample(prompt: prompt, settings: record.decoding, using: &rng).text }
            for row in scorer.logLikelihoods(prompt: prompt, responses: answers, observation: settings.observation, space: space) {
                for j in row.indices { totals[j] += row[j] }
                count += 1
            }
        }
        let truth = manifest.answerKey[model].base ?? "None"
        print("fine-tune \(model) \(record.model.name): true base \(truth); \(count) answers, mean log-likelihood per answer (beta 1)")
        var best: [(name: String, value: Double, latent: Double?)] = []
        for h in 0..<space.hypothesisCount {
            let states = (0..<space.stateCount).filter { space.hypothesis(ofState: $0) == h }
            let top = states.max { totals[$0] < totals[$1] }!
            best.append((space.name(ofHypothesis: h), totals[top] / Double(count), space.latentValue(ofState: top)))
        }
        for entry in best.sorted(by: { $0.value > $1.value }) {
            let mark = entry.name == truth ? "  <- truth" : ""
            print(String(format: "%-28@ %9.3f  eps %@%@", entry.name, entry.value, entry.latent.map { String($0) } ?? "-", mark))
        }
    }
}
