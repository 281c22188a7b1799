import AttributionCore
import Calibration
import Common
import Corpora
import Engine
import Experiments
import Foundation
import LanguageModels
import Simulation
import Workflow

/// `attrib zoo explain`: how well each hypothesis explains one fine-tune's answers, after
/// `attrib demo` has filled its working folder. Samples answers of the fine-tune to the demo's
/// pool, scores them as a run does, and reports the mean log-likelihood per answer under each
/// hypothesis at its best latent state, with the margin against the truth; optionally how
/// often the truth wins after N random answers, and under swapped-in observation models.
public struct ZooExplain: Sendable {
    public var work: URL
    public var zoo: String
    /// Public id of the fine-tune.
    public var model: Int
    /// Answers sampled per prompt.
    public var answers = 2
    /// The prompt pool file (JSON lines; nil: the demo's `default-pool.jsonl` in `work`).
    public var pool: URL?
    /// Indices into the pool (nil: every prompt).
    public var prompts: [Int]?
    public var fineTunedStrengths: [Double]?
    public var fineTuneDomain: String?
    public var fineTuneBytes = NoneReference.bytesPerCorpus
    public var genreLibrary: [Double]?
    public var oracleWorlds = false
    public var resample: [Int] = []
    public var draws = 2000
    public var selfDriftOrder: Int?
    /// The observation model's settings; `beta` is used as given (1 unless asked otherwise).
    public var settings: EngineSettings

    public init(work: URL, zoo: String, model: Int, settings: EngineSettings) {
        self.work = work
        self.zoo = zoo
        self.model = model
        self.settings = settings
    }

    /// What `execute` found: one row per hypothesis, best first, and the resampled rates.
    public struct Result: Codable, Sendable, Equatable {
        public var model: Int
        public var name: String
        public var truth: String
        public var answers: Int
        public var beta: Double
        public var rows: [Row]
        public var resampled: [Resampled]

        public struct Row: Codable, Sendable, Equatable {
            public var hypothesis: String
            /// Mean log-likelihood per answer (nats) at the hypothesis's best state.
            public var meanLogLikelihood: Double
            /// The latent drift value of that state (nil without a grid).
            public var eps: Double?
            /// The variant of the hypothesis that state belongs to, when it is not the hypothesis itself.
            public var variant: String?
            public var isTruth: Bool
            /// The truth's mean log-likelihood minus this one's, per answer, and its standard error (nil for the truth, or when the truth is unlisted).
            public var margin: Double?
            public var marginStandardError: Double?
        }

        public struct Resampled: Codable, Sendable, Equatable {
            public var answers: Int
            /// Share of the draws in which the truth had the largest marginal likelihood.
            public var truthWins: Double
            public var draws: Int
        }
    }

    /// The pool the demo writes in its working folder, which explain and ceiling ask by default.
    public static func defaultPool(work: URL) -> URL { work.appendingPathComponent(Demo.defaultPoolFile) }

    public func execute() throws -> Result {
        let dir = work
        let zooDir = dir.appendingPathComponent("zoo-\(zoo)")
        let manifest = try ZooManifest.load(directory: zooDir)
        guard manifest.fineTunes.indices.contains(model) else {
            throw AttribError.invalid(file: zooDir.path, field: "model", reason: "\(model) is not a public id in 0..<\(manifest.fineTunes.count)")
        }
        let record = manifest.fineTunes[model]
        let fineTune = try ZooModels.load(record.model, manifest: manifest, directory: zooDir)
        var basesFile = try BasesFile.load(path: dir.appendingPathComponent("bases-\(zoo).json").path)
        if manifest.isNeural {
            // The file names the worker of the demo that wrote it: this process starts its own.
            basesFile.bases = try manifest.bases.map { try ZooModels.basesEntry($0, manifest: manifest, directory: zooDir) }
        }
        if !settings.observation.contextualDrift { basesFile = basesFile.withoutDrift }
        var models = try basesFile.hypothesisModels(directory: dir)
        let pool = try PromptPool.load(path: (self.pool ?? Self.defaultPool(work: dir)).path)
        if let order = selfDriftOrder {
            models = try models.withDriftModels { _, hm in
                guard let m = hm.model as? any TextModellingLanguageModel else {
                    throw FineTuningUnavailable(step: "self drift", model: hm.name, remedy: "leave out --self-drift-order", needsTextModels: true)
                }
                let drift = try m.smoothed(toOrder: order)
                return (drift, drift.contentHash)
            }
        }
        if settings.observation.domainDrift {
            models = try models.withDomainDrift(domains: NoneReference.driftDomains(NoneReference.sources) { try Corpus.load($0) })
        }
        if let strengths = fineTunedStrengths {
            guard !manifest.isNeural else {
                throw AttribError.option(flag: "--fine-tuned-strengths", reason: "a neural zoo's fine-tunes have recipes (steps and rates), not n-gram strengths: ask for oracle worlds instead")
            }
            let documents = try (fineTuneDomain.map { [$0] } ?? NoneReference.sources).flatMap {
                try Corpus.load($0).text(in: .heldout, maxBytes: fineTuneBytes).components(separatedBy: "\n\n").filter { !$0.isEmpty }
            }
            models = try models.withFineTunedComponents(documents: documents, strengths: strengths, seed: settings.seed)
        }
        var made = [any ReleasableLanguageModel]()
        defer { for m in made { try? m.release() } }
        if oracleWorlds {
            let truth = manifest.answerKey[model]
            guard let base = truth.base else {
                throw AttribError.invalid(file: zooDir.path, field: "model", reason: "oracle worlds need a fine-tune with a listed base; \(model) is None")
            }
            if manifest.isNeural {
                (models, made) = try NeuralOracle.world(models: models, truth: base, fineTune: fineTune, record: record.model, zooDirectory: zooDir)
            } else {
                let documents = try Corpus.load(truth.domain).text(in: .finetune, maxBytes: ZooBuilder.defaultDomainBytes)
                    .components(separatedBy: "\n\n").filter { !$0.isEmpty }
                models = try models.withFineTunedComponents(documents: documents, strengths: [truth.strength], seed: manifest.seed, keepOriginal: false)
                // The truth's world is the fine-tune itself, so its expected margin over any other is a KL, never negative.
                let hash = (fineTune as? any FineTunableLanguageModel)?.contentHash ?? record.model.file
                models = models.replacingBase(named: base, with: fineTune, identity: "oracle:" + hash)!
            }
        }
        if let strengths = genreLibrary {
            models = try Self.withGenreLibrary(models, tokenizer: fineTune.tokenizer.identifier, strengths: strengths,
                                               bytes: fineTuneBytes, seed: settings.seed)
        }
        let space = settings.observation.space(models: models)
        let scorer = settings.observation.answerScorer(models: models)
        var rng = SeededGenerator(seed: settings.seed)
        var chosen = pool.prompts
        if let prompts {
            if let bad = prompts.first(where: { !pool.prompts.indices.contains($0) }) {
                throw AttribError.option(flag: "--prompts", reason: "\(bad) is not an index in 0..<\(pool.prompts.count)")
            }
            chosen = prompts.map { pool.prompts[$0] }
        }
        var pairs = [(prompt: String, response: String)]()
        if let served = fineTune as? any BatchServedLanguageModel {
            // One request for every answer, each seeded by one draw of the generator.
            let requests = chosen.flatMap { prompt in (0..<answers).map { _ in (prompt: prompt, seed: rng.next()) } }
            let drawn = try served.sampleBatch(requests.map { SamplingRequest(prompt: served.tokenizer.encode($0.prompt), seed: $0.seed) },
                                               settings: record.decoding)
            pairs = zip(requests, drawn).map { ($0.prompt, $1.text) }
        } else {
            for prompt in chosen {
                for _ in 0..<answers { pairs.append((prompt, fineTune.sample(prompt: prompt, settings: record.decoding, using: &rng).text)) }
            }
        }
        let rows = try scorer.logLikelihoodsInWalks(pairs: pairs, observation: settings.observation.driftMixture, space: space)
        let count = rows.count
        var totals = [Double](repeating: 0, count: space.stateCount)
        for row in rows { for j in row.indices { totals[j] += row[j] } }
        let truth = manifest.answerKey[model].base ?? "None"
        var best: [(name: String, state: Int)] = []
        for (name, states) in Self.families(space) {
            best.append((name, states.max { totals[$0] < totals[$1] }!))
        }
        let truthState = best.first { $0.name == truth }?.state
        let rowsOut = best.sorted(by: { totals[$0.state] > totals[$1.state] }).map { entry -> Result.Row in
            let variant = space.name(ofHypothesis: space.hypothesis(ofState: entry.state))
            var margin: (Double, Double)?
            if let t = truthState, entry.state != t { margin = Self.pairedMargin(rows.map { $0[t] - $0[entry.state] }) }
            return Result.Row(hypothesis: entry.name, meanLogLikelihood: totals[entry.state] / Double(max(1, count)),
                              eps: space.latentValue(ofState: entry.state), variant: variant == entry.name ? nil : variant,
                              isTruth: entry.state == truthState, margin: margin?.0, marginStandardError: margin?.1)
        }
        let resampled = resample.map { queries in
            Result.Resampled(answers: queries, truthWins: Self.resampledAccuracy(rows: rows, space: space, truth: truth, queries: queries,
                                                                                 draws: draws, seed: settings.seed), draws: draws)
        }
        return Result(model: model, name: record.model.name, truth: truth, answers: count, beta: settings.observation.beta, rows: rowsOut,
                      resampled: resampled)
    }

    /// Fraction of `draws` random sets of `queries` answers (with replacement, seeded) whose
    /// summed log-likelihood, marginalised over each hypothesis's drift states with a uniform
    /// prior, is largest for the truth: the accuracy of a run that asks random prompts.
    public static func resampledAccuracy(rows: [[Double]], space: HypothesisSpace, truth: String, queries: Int, draws: Int, seed: UInt64) -> Double {
        let families = Self.families(space)
        guard let t = families.firstIndex(where: { $0.name == truth }), !rows.isEmpty else { return .nan }
        var rng = SeededGenerator(seed: seed ^ 0x5EED)
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
    public static func pairedMargin(_ d: [Double]) -> (Double, Double) {
        guard d.count > 1 else { return (d.first ?? 0, .nan) }
        let mean = d.reduce(0, +) / Double(d.count)
        let variance = d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d.count - 1)
        return (mean, (variance / Double(d.count)).squareRoot())
    }

    /// States grouped by base: a genre variant `base@genre:strength` counts as `base`. In
    /// hypothesis order of first appearance.
    public static func families(_ space: HypothesisSpace) -> [(name: String, states: [Int])] {
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
    public static func withGenreLibrary(_ models: HypothesisModels, tokenizer: String, strengths: [Double], bytes: Int, seed: UInt64) throws -> HypothesisModels {
        let names = models.baseNames
        var bases = names.indices.map { (name: names[$0], model: models.components[$0][0].model, identity: models.components[$0][0].identity) }
        var documents: [String: [String]] = [:]
        for source in NoneReference.sources {
            documents[source] = try Corpus.load(source).text(in: .heldout, maxBytes: bytes).components(separatedBy: "\n\n").filter { !$0.isEmpty }
        }
        for h in names.indices {
            guard let base = models.components[h][0].model as? any FineTunableLanguageModel else {
                throw FineTuningUnavailable(step: "the genre library", model: names[h], remedy: "leave out --genre-library")
            }
            guard base.tokenizer.identifier == tokenizer else { continue }
            for source in NoneReference.sources {
                for s in strengths {
                    let tuned = try base.tuned(toward: documents[source]!, strength: s, seed: seed)
                    bases.append((name: "\(names[h])@\(source):\(s)", model: tuned, identity: "\(models.components[h][0].identity)+genre:\(source):\(s)"))
                }
            }
        }
        let none = models.hasNone ? models.components[models.count - 1].map { (model: $0.model, identity: $0.identity) } : []
        return HypothesisModels(bases: bases, none: none, settings: models.settings)
    }
}
