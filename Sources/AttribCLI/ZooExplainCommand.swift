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
    @Option(help: "Answers sampled per prompt of the pool.") var answers = 2
    @Option(help: "Only these prompts of the pool (0-based indices, comma-separated; default: all).") var prompts: String?
    @Option(help: "Add components fine-tuned on generic text at these strengths (comma-separated).") var fineTunedStrengths: String?
    @Option(help: "Fine-tune the components on this corpus's held-out text instead of all of them.") var fineTuneDomain: String?
    @Option(help: "Held-out bytes per corpus for the fine-tuned components.") var fineTuneBytes = NoneReference.bytesPerCorpus
    @Option(help: "Latent genre library: add, for every base sharing the truth's tokenizer, one hypothesis per held-out corpus of the pool sources and strength (comma-separated strengths), the base fine-tuned on that corpus; margins and --resample then count a base's variants as that base, so the genre is inferred jointly over all answers.")
    var genreLibrary: String?
    @Flag(help: "Oracle worlds: the true base's place taken by the fine-tune itself, every other candidate fine-tuned on the fine-tune's own domain text (the zoo's fine-tuning split) at its true strength, as the floor's fine-tuned worlds are. Shows the margins a perfectly specified drift model would see.")
    var oracleWorlds = false
    @Option(help: "Also estimate how often the truth wins after this many answers (comma-separated counts) drawn at random from the scored ones: a run asking random prompts.")
    var resample: String?
    @Option(help: "Random draws for --resample.") var draws = 2000
    @Option(help: "Diagnostic: drift toward each model's own counts at this lower order (its backoff distribution in context) instead of the bases file's drift models or its unigram background.")
    var selfDriftOrder: Int?
    @OptionGroup var engine: EngineOptions

    var resampleCounts: [Int] { resample.map { $0.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } } ?? [] }

    func validate() throws {
        if let resample, resampleCounts.count != resample.split(separator: ",").count || resampleCounts.contains(where: { $0 < 1 }) {
            throw ValidationError("--resample must be positive whole numbers separated by commas, got \(resample).")
        }
        guard draws >= 1 else { throw ValidationError("--draws must be at least 1, got \(draws).") }
        guard answers >= 1 else { throw ValidationError("--answers must be at least 1, got \(answers).") }
    }

    func run() throws {
        let dir = URL(fileURLWithPath: work, isDirectory: true)
        let zooDir = dir.appendingPathComponent("zoo-\(zoo)")
        let manifest = try ZooManifest.load(directory: zooDir)
        guard manifest.fineTunes.indices.contains(model) else {
            throw ValidationError("--model must be a public id in 0..<\(manifest.fineTunes.count), got \(model).")
        }
        let record = manifest.fineTunes[model]
        let fineTune = try ZooManifest.loadModel(record.model, directory: zooDir)
        var models = try engine.basesFile(path: dir.appendingPathComponent("bases-\(zoo).json").path).hypothesisModels(directory: dir)
        let pool = try PromptPool.load(path: dir.appendingPathComponent("default-pool.jsonl").path)
        var settings = engine.settings
        settings.beta = 1
        if let order = selfDriftOrder {
            models = try models.withDriftModels { _, hm in
                guard let m = hm.model as? NGramLanguageModel else { return nil }
                let drift = try m.reduced(toOrder: min(order, m.order))
                return (drift, drift.contentHash)
            }
        }
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
        if oracleWorlds {
            let truth = manifest.answerKey[model]
            guard truth.base != nil else { throw ValidationError("--oracle-worlds needs a fine-tune with a listed base; \(model) is None.") }
            let documents = try Corpus.load(truth.domain).text(in: .finetune, maxBytes: ZooBuilder.defaultDomainBytes)
                .components(separatedBy: "\n\n").filter { !$0.isEmpty }
            models = try models.withFineTunedComponents(documents: documents, strengths: [truth.strength], seed: manifest.seed, keepOriginal: false)
            // The truth's world is the fine-tune itself, so its expected margin over any other is a KL, never negative.
            models = models.replacingBase(named: truth.base!, with: fineTune, identity: "oracle:" + fineTune.contentHash)!
        }
        if let genreLibrary {
            let strengths = genreLibrary.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !strengths.isEmpty, strengths.allSatisfy({ $0 > 0 && $0 < 1 }) else {
                throw ValidationError("--genre-library must be strengths in (0, 1) separated by commas, got \(genreLibrary).")
            }
            models = try Self.withGenreLibrary(models, tokenizer: fineTune.tokenizer.identifier, strengths: strengths,
                                               bytes: fineTuneBytes, seed: settings.seed)
        }
        let space = settings.space(models: models)
        let scorer = settings.answerScorer(models: models)
        var rng = SplitMix64(seed: settings.seed)
        var rows = [[Double]]()
        var chosen = pool.prompts
        if let prompts {
            let indices = prompts.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard indices.allSatisfy({ $0 != nil && pool.prompts.indices.contains($0!) }) else {
                throw ValidationError("--prompts must be indices in 0..<\(pool.prompts.count), got \(prompts).")
            }
            chosen = indices.map { pool.prompts[$0!] }
        }
        for prompt in chosen {
            let sampled = (0..<answers).map { _ in fineTune.sample(prompt: prompt, settings: record.decoding, using: &rng).text }
            rows += scorer.logLikelihoods(prompt: prompt, responses: sampled, observation: settings.observation, space: space)
        }
        let count = rows.count
        var totals = [Double](repeating: 0, count: space.stateCount)
        for row in rows { for j in row.indices { totals[j] += row[j] } }
        let truth = manifest.answerKey[model].base ?? "None"
        print("fine-tune \(model) \(record.model.name): true base \(truth); \(count) answers, mean log-likelihood per answer (beta 1);")
        print("margin: the truth's mean log-likelihood minus this one's, per answer, ± its standard error (paired over the same answers)")
        var best: [(name: String, state: Int)] = []
        let families = Self.families(space)
        for (name, states) in families {
            best.append((name, states.max { totals[$0] < totals[$1] }!))
        }
        let truthState = best.first { $0.name == truth }?.state
        for entry in best.sorted(by: { totals[$0.state] > totals[$1.state] }) {
            let latent = space.latentValue(ofState: entry.state).map { String($0) } ?? "-"
            let variant = space.name(ofHypothesis: space.hypothesis(ofState: entry.state))
            var line = String(format: "%-28@ %9.3f  eps %@", entry.name, totals[entry.state] / Double(max(1, count)), latent)
            if variant != entry.name { line += "  as \(variant)" }
            if let t = truthState {
                if entry.state == t {
                    line += "  <- truth"
                } else {
                    let (mean, se) = Self.pairedMargin(rows.map { $0[t] - $0[entry.state] })
                    line += String(format: "  margin %+.4f ± %.4f", mean, se)
                }
            }
            print(line)
        }
        for queries in resampleCounts {
            let hit = Self.resampledAccuracy(rows: rows, space: space, truth: truth, queries: queries, draws: draws, seed: settings.seed)
            print(String(format: "resampled: the truth has the largest marginal likelihood (uniform prior over hypotheses and drift) after %d answers drawn at random from these %d in %.3f of %d draws", queries, count, hit, draws))
        }
    }

    /// Fraction of `draws` random sets of `queries` answers (with replacement, seeded) whose
    /// summed log-likelihood, marginalised over each hypothesis's drift states with a uniform
    /// prior, is largest for the truth: the accuracy of a run that asks random prompts.
    static func resampledAccuracy(rows: [[Double]], space: HypothesisSpace, truth: String, queries: Int, draws: Int, seed: UInt64) -> Double {
        let families = Self.families(space)
        guard let t = families.firstIndex(where: { $0.name == truth }), !rows.isEmpty else { return .nan }
        var rng = SplitMix64(seed: seed ^ 0x5EED)
        var hits = 0
        for _ in 0..<draws {
            var sums = [Double](repeating: 0, count: space.stateCount)
            for _ in 0..<queries {
                let row = rows[Int(rng.next() % UInt64(rows.count))]
                for j in row.indices { sums[j] += row[j] }
            }
            // Uniform over a family's states: its variants and their drift values.
            let marginal = families.map { LogSpace.logSumExp($0.states.map { sums[$0] }) - Foundation.log(Double($0.states.count)) }
            if marginal.indices.max(by: { marginal[$0] < marginal[$1] }) == t { hits += 1 }
        }
        return Double(hits) / Double(draws)
    }

    /// Mean and standard error of the mean of paired differences (nats).
    static func pairedMargin(_ d: [Double]) -> (Double, Double) {
        guard d.count > 1 else { return (d.first ?? 0, .nan) }
        let mean = d.reduce(0, +) / Double(d.count)
        let variance = d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d.count - 1)
        return (mean, (variance / Double(d.count)).squareRoot())
    }

    /// States grouped by base: a genre variant `base@genre:strength` counts as `base`. In
    /// hypothesis order of first appearance.
    static func families(_ space: HypothesisSpace) -> [(name: String, states: [Int])] {
        var order: [String] = []
        var states: [String: [Int]] = [:]
        for i in 0..<space.stateCount {
            let name = String(space.name(ofHypothesis: space.hypothesis(ofState: i)).split(separator: "@", maxSplits: 1)[0])
            if states[name] == nil { order.append(name) }
            states[name, default: []].append(i)
        }
        return order.map { ($0, states[$0]!) }
    }

    /// `models` plus, for every base with tokenizer `tokenizer`, one hypothesis per pool
    /// source and strength: the base fine-tuned on `bytes` of that corpus's held-out text,
    /// named `base@corpus:strength`. `None` stays last.
    static func withGenreLibrary(_ models: HypothesisModels, tokenizer: String, strengths: [Double], bytes: Int, seed: UInt64) throws -> HypothesisModels {
        let names = models.baseNames
        var bases = names.indices.map { (name: names[$0], model: models.components[$0][0].model, identity: models.components[$0][0].identity) }
        var documents: [String: [String]] = [:]
        for source in Demo.poolSources {
            documents[source] = try Corpus.load(source).text(in: .heldout, maxBytes: bytes).components(separatedBy: "\n\n").filter { !$0.isEmpty }
        }
        for h in names.indices {
            guard let base = models.components[h][0].model as? NGramLanguageModel, base.tokenizer.identifier == tokenizer else { continue }
            for source in Demo.poolSources {
                for s in strengths {
                    let tuned = try base.fineTuned(on: documents[source]!, strength: s, seed: seed)
                    bases.append((name: "\(names[h])@\(source):\(s)", model: tuned, identity: "\(models.components[h][0].identity)+genre:\(source):\(s)"))
                }
            }
        }
        let none = models.hasNone ? models.components[models.count - 1].map { (model: $0.model, identity: $0.identity) } : []
        return HypothesisModels(bases: bases, none: none, settings: models.settings)
    }
}
