import Common
import Foundation
import LanguageModels

/// A two-point lower bound on the queries any attribution method must spend on a fine-tune,
/// for the zoo's own pool of prompts (a Fano floor, made pairwise).
///
/// For a fine-tune `f` with true base `B` and a competing world `g` whose right answer is a
/// different base (a candidate base served unmodified, or that base fine-tuned on `f`'s domain
/// at `f`'s strength), any method that names `B` with probability at least `a` under `f` and at
/// most `1 - a` under `g` satisfies, by data processing and the chain rule for adaptively chosen
/// prompts, `E_f[queries] * max_p KL_p(f || g) >= d(a || 1 - a)`, where `KL_p` is the divergence
/// of one response to prompt `p` and `d` the binary relative entropy (natural log).
///
/// Only competitors that share `f`'s tokenizer are used: their responses are the same token paths,
/// whose divergence is computed exactly per sample and bounds the divergence of the decoded texts
/// from above (data processing), so the bound stays valid. The per-prompt divergence is a Monte
/// Carlo mean over sampled paths; its maximum over prompts is biased upwards, which only weakens
/// (never invalidates in expectation) the bound.
extension ZooFigures {
    /// One competing world for one fine-tune.
    public struct PairBound: Codable, Sendable, Hashable {
        /// The candidate base whose world competes.
        public var competitor: String
        /// `base` (the candidate served unmodified) or `fine-tuned` (fine-tuned on the
        /// fine-tune's own domain text at its strength).
        public var variant: String
        /// Largest per-prompt divergence KL_p(f || g) over the pool, nats per query.
        public var maxDivergence: Double
        /// Mean per-prompt divergence over the pool, nats per query.
        public var meanDivergence: Double
        /// Index in the pool of the prompt with the largest divergence.
        public var bestPrompt: Int
        /// Queries the bound requires for accuracy 0.9 and 0.75 in both worlds.
        public var queriesAt90: Double
        public var queriesAt75: Double
    }

    /// The bounds of one fine-tune.
    public struct FloorRow: Codable, Sendable, Hashable {
        public var id: Int
        public var name: String
        /// True candidate base, nil for `None`.
        public var trueBase: String?
        public var bounds: [PairBound]
        /// The tightest (largest) bound over the competitors, 0 when no candidate shares the
        /// fine-tune's tokenizer (or for `None`).
        public var floorAt90: Double { bounds.map(\.queriesAt90).max() ?? 0 }
        public var floorAt75: Double { bounds.map(\.queriesAt75).max() ?? 0 }
        /// The competitor world that gives `floorAt90`.
        public var binding: PairBound? { bounds.max { $0.queriesAt90 < $1.queriesAt90 } }
    }

    /// The pairwise floor of a whole zoo.
    public struct FloorTable: Codable, Sendable, Hashable {
        public var prompts: Int
        public var samplesPerPrompt: Int
        public var rows: [FloorRow]
        /// Sum of the per-fine-tune floors: queries a run needs to be right with probability
        /// 0.9 (or 0.75) on every fine-tune.
        public var totalAt90: Double { rows.map(\.floorAt90).reduce(0, +) }
        public var totalAt75: Double { rows.map(\.floorAt75).reduce(0, +) }
    }

    /// Binary relative entropy d(a || b) in nats.
    public static func binaryDivergence(_ a: Double, _ b: Double) -> Double {
        func term(_ x: Double, _ y: Double) -> Double { x == 0 ? 0 : x * log(x / y) }
        return term(a, b) + term(1 - a, 1 - b)
    }

    /// Queries a two-point test needs for accuracy `accuracy` in both worlds when one query
    /// carries at most `divergence` nats: d(a || 1 - a) / divergence (infinity at 0).
    public static func queriesNeeded(accuracy: Double, divergence: Double) -> Double {
        divergence > 0 ? binaryDivergence(accuracy, 1 - accuracy) / divergence : .infinity
    }

    /// Computes the floor for every fine-tune of the zoo on `prompts`, with `samplesPerPrompt`
    /// sampled token paths per prompt. `domainDocuments(domain)` returns the fine-tuning
    /// documents of a domain (the zoo's `finetune` split), used to build the `fine-tuned`
    /// competitor worlds. Rows are computed in parallel; the result does not depend on it.
    public func pairwiseFloor(
        prompts: [String], samplesPerPrompt: Int, scoring: FloorScoring = .path, domainDocuments: (String) throws -> [String],
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> FloorTable {
        // Competitor worlds per fine-tune, built serially; each domain's text is loaded once.
        var worlds: [[(PairBoundKey, NGramLanguageModel)]] = []
        var documents: [String: [String]] = [:]
        func domainText(_ name: String) throws -> [String] {
            if let known = documents[name] { return known }
            let loaded = try domainDocuments(name)
            documents[name] = loaded
            return loaded
        }
        for record in manifest.fineTunes {
            let truth = manifest.answerKey[record.id]
            guard let trueBase = truth.base else { worlds.append([]); continue }
            let model = fineTunes[record.id]
            var mine: [(PairBoundKey, NGramLanguageModel)] = []
            for (index, base) in bases.enumerated() where manifest.bases[index].name != trueBase && base.vocabulary == model.vocabulary {
                let name = manifest.bases[index].name
                mine.append((PairBoundKey(competitor: name, variant: "base"), base))
                let tuned = try base.fineTuned(on: domainText(truth.domain), strength: truth.strength, seed: seed)
                mine.append((PairBoundKey(competitor: name, variant: "fine-tuned"), tuned))
            }
            worlds.append(mine)
        }
        let built = worlds
        let rows = try parallelMap(manifest.fineTunes.count) { index in
            let record = manifest.fineTunes[index]
            let bounds = built[index].isEmpty ? [] : bounds(
                fineTune: record.id, worlds: built[index], prompts: prompts, samplesPerPrompt: samplesPerPrompt, scoring: scoring)
            progress("floor: \(record.model.name) done (\(bounds.count) competitor worlds)")
            return FloorRow(id: record.id, name: record.model.name, trueBase: manifest.answerKey[record.id].base, bounds: bounds)
        }
        return FloorTable(prompts: prompts.count, samplesPerPrompt: samplesPerPrompt, rows: rows)
    }

    /// Per-prompt divergences of fine-tune `id` from every competitor world.
    func bounds(fineTune id: Int, worlds: [(PairBoundKey, NGramLanguageModel)], prompts: [String], samplesPerPrompt: Int,
                scoring: FloorScoring) -> [PairBound] {
        let samples = sample(model: id, prompts: prompts, samplesPerPrompt: samplesPerPrompt, figure: "floor")
        let settings = manifest.fineTunes[id].decoding
        let index = PieceIndex(tokenizer: fineTunes[id].tokenizer)
        /// Log-probability of each sample of one prompt under `model`, as `scoring` says.
        func scores(_ model: NGramLanguageModel, prompt: String, paths: [Generation]) -> [Double] {
            switch scoring {
            case .path:
                return model.scoreContinuations(promptTokens: paths[0].promptTokens, continuations: paths.map(\.tokens), settings: settings)
                    .map(\.totalDecodedLogProbability)
            case .canonical:
                return model.scoreContinuations(prompt: prompt, continuations: paths.map(\.text), settings: settings)
                    .map(\.totalDecodedLogProbability)
            case .marginal(let beam):
                return paths.map { g in
                    model.marginalLogProbabilities(
                        promptTokens: g.promptTokens, continuation: model.tokenizer.decodeBytes(g.tokens), settings: settings,
                        index: index, beam: beam, mixers: [{ decoded, _ in decoded }])?[0] ?? -.infinity
                }
            }
        }
        let own = zip(prompts, samples).map { scores(fineTunes[id], prompt: $0, paths: $1) }
        return worlds.map { key, world in
            let divergences = zip(zip(prompts, samples), own).map { pair, ownScores in
                let theirs = scores(world, prompt: pair.0, paths: pair.1)
                return zip(ownScores, theirs).map { $0 - $1 }.reduce(0, +) / Double(pair.1.count)
            }
            let best = divergences.indices.max { divergences[$0] < divergences[$1] } ?? 0
            let top = divergences.isEmpty ? 0 : divergences[best]
            return PairBound(
                competitor: key.competitor, variant: key.variant, maxDivergence: top,
                meanDivergence: divergences.reduce(0, +) / Double(max(1, divergences.count)), bestPrompt: best,
                queriesAt90: Self.queriesNeeded(accuracy: 0.9, divergence: top),
                queriesAt75: Self.queriesNeeded(accuracy: 0.75, divergence: top))
        }
    }
}

/// How the floor scores a sampled response.
public enum FloorScoring: Sendable, Hashable {
    /// The sampled token path itself: the exact divergence of token paths, which bounds the
    /// divergence of texts from above, so the floor is a valid lower bound.
    case path
    /// The decoded text re-tokenized canonically (what a naive scorer sees): a diagnostic.
    case canonical
    /// The decoded text summed over its segmentations with this beam: a diagnostic of how
    /// much of the divergence a text-level scorer can recover.
    case marginal(beam: Int)
}

struct PairBoundKey: Sendable {
    var competitor: String
    var variant: String
}

extension ZooFigures.FloorTable {
    /// The table as Markdown: one line per fine-tune with its binding competitor world, then
    /// every world; `header` goes first (the zoo and the command that made it).
    public func markdown(scoring: String = "path", header: String) -> String {
        func number(_ value: Double) -> String { value.isFinite ? String(format: "%.1f", value) : "∞" }
        var lines = [header, "",
            "Two-point lower bound on the queries any method must spend on a fine-tune to be right with probability 0.9 (or 0.75) both there and in a competing world whose answer is another candidate base sharing its tokenizer: d(a‖1−a) / max over the pool of KL(one response of the fine-tune ‖ one of the competitor). Worlds: `base` is the competitor served unmodified; `fine-tuned` is the competitor fine-tuned on the same domain text at the same strength. KL is a Monte Carlo mean over \(samplesPerPrompt) sampled token paths per prompt (\(prompts) prompts), natural log, scored by \(scoring == "path" ? "the sampled token path (a valid bound)" : "the decoded text, \(scoring) (a diagnostic, not a bound)"). Fine-tunes without a same-tokenizer competitor (and `None`) get 0: this bound says nothing about them.", "",
            "| id | fine-tune | true base | binding world | max KL (nats/query) | queries for 0.9 | queries for 0.75 |",
            "|---|---|---|---|---|---|---|"]
        for row in rows {
            if let bound = row.binding {
                lines.append("| \(row.id) | \(row.name) | \(row.trueBase ?? "None") | \(bound.competitor) (\(bound.variant)) | \(String(format: "%.4f", bound.maxDivergence)) | \(number(row.floorAt90)) | \(number(row.floorAt75)) |")
            } else {
                lines.append("| \(row.id) | \(row.name) | \(row.trueBase ?? "None") | — | — | 0 | 0 |")
            }
        }
        lines += ["", "Sum over the zoo: \(number(totalAt90)) queries for 0.9 on every fine-tune (\(number(totalAt90 / Double(max(1, rows.count)))) per model), \(number(totalAt75)) for 0.75.", "",
                  ] + ceilingMarkdown(budgets: [2, 3, 5, 6, 10, 30].map { $0 * rows.count }) + ["",
                  "Every competitor world:", "",
                  "| id | competitor | world | max KL | mean KL | best prompt | queries for 0.9 |", "|---|---|---|---|---|---|---|"]
        for row in rows {
            for bound in row.bounds {
                lines.append("| \(row.id) | \(bound.competitor) | \(bound.variant) | \(String(format: "%.4f", bound.maxDivergence)) | \(String(format: "%.4f", bound.meanDivergence)) | \(bound.bestPrompt) | \(number(bound.queriesAt90)) |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
