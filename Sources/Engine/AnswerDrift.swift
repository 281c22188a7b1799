import Foundation
import AttributionCore
import Common
import LanguageModels

/// Drift learned from the fine-tune's own answers.
///
/// A fine-tune strays from its base toward text of its own domain. The drift mixture
/// `(1 - eps) q_b + eps u` needs `u` to be that text; a generic-text model (the contextual
/// drift) only guesses it. Every answer of the fine-tune is a sample of it, so `u` here is an
/// n-gram of the fine-tune's *other* answers, in each hypothesis's tokenizer, over the generic
/// drift: interpolated Witten-Bell with the generic drift's decoded distribution `G` as the
/// base measure,
///
///     U(t)     = (c(t)    + D   * G(t | x)) / (N    + D)      over all answer tokens
///     u(t | p) = (c(p, t) + D_p * U(t))     / (c(p) + D_p)    after previous token p
///
/// where `c` counts tokens and bigrams of the other answers (the prompt's last token is the
/// context of an answer's first), `N` is their token count, `D` their distinct tokens and
/// `D_p` the distinct tokens seen after `p`. With no other answers `u = G`: the observation
/// model of a run without answer drift. As answers accumulate, `u` approaches the fine-tune's
/// decoded distribution, every hypothesis explains the domain's tokens alike through it, and
/// what separates the hypotheses is how well each base explains the rest, as in the oracle
/// worlds. `u` is shared by every hypothesis of one tokenizer, and an answer is never part of
/// its own `u` (leave-one-out), so no answer explains itself.
///
/// Values are probabilities and natural logs; an answer that ended before its length limit
/// counts its end-of-text token.
public struct AnswerDrift: Sendable {
    /// Token and bigram counts of the answers in one tokenizer.
    struct Counts: Sendable {
        var unigram: [Int: Double] = [:]
        var total = 0.0
        var followers: [Int: [Int: Double]] = [:]
        var followerTotals: [Int: Double] = [:]

        mutating func add(_ sequence: [Int]) {
            for (k, token) in sequence.enumerated() {
                if k == 0 { continue }  // the first entry is the context (the prompt's last token)
                unigram[token, default: 0] += 1
                total += 1
                let previous = sequence[k - 1]
                followers[previous, default: [:]][token, default: 0] += 1
                followerTotals[previous, default: 0] += 1
            }
        }
    }

    let counts: [String: Counts]

    /// - Parameter sequences: per tokenizer identifier, the answers as token sequences, each
    ///   starting with its prompt's last token (-1: none) and ending with end-of-text when the
    ///   answer ended before its length limit.
    init(sequences: [String: [[Int]]]) {
        counts = sequences.mapValues { seqs in
            var c = Counts()
            for s in seqs { c.add(s) }
            return c
        }
    }

    /// Natural-log drift probability of `token` after `previous`, in the tokenizer `tokenizer`,
    /// where the generic drift gives it `generic` (natural log, decoded).
    public func logProbability(of token: Int, after previous: Int, generic: Double, tokenizer: String) -> Double {
        table(tokenizer: tokenizer)?.logProbability(of: token, after: previous, generic: generic) ?? generic
    }

    /// The counts of one tokenizer, looked up once per scored answer rather than per token;
    /// nil when no other answer has tokens in it (the generic drift is then used as is).
    public func table(tokenizer: String) -> Table? {
        guard let c = counts[tokenizer], c.total > 0 else { return nil }
        return Table(counts: c)
    }

    /// `AnswerDrift` in one tokenizer.
    public struct Table: Sendable {
        let counts: Counts

        /// Natural-log drift probability of `token` after `previous`, where the generic drift
        /// gives it `generic` (natural log, decoded).
        public func logProbability(of token: Int, after previous: Int, generic: Double) -> Double {
            let c = counts
            let distinct = Double(c.unigram.count)
            let unigram = ((c.unigram[token] ?? 0) + distinct * exp(generic)) / (c.total + distinct)
            guard let seen = c.followers[previous], let after = c.followerTotals[previous] else { return log(unigram) }
            let d = Double(seen.count)
            return log(((seen[token] ?? 0) + d * unigram) / (after + d))
        }
    }
}

/// A fine-tune's answers so far, tokenized once per tokenizer of the hypotheses' models:
/// the source of each answer's leave-one-out `AnswerDrift`.
public struct AnswerHistory: Sendable {
    public private(set) var prompts: [String] = []
    public private(set) var responses: [String] = []
    /// Per tokenizer identifier, one sequence per answer (see `AnswerDrift.init`).
    private var sequences: [String: [[Int]]] = [:]

    public init() {}

    public var count: Int { responses.count }

    /// Adds one answer, tokenized by every distinct tokenizer of `models`.
    public mutating func append(prompt: String, response: String, models: HypothesisModels) {
        prompts.append(prompt)
        responses.append(response)
        var done = Set<String>()
        for group in models.components {
            for hm in group where done.insert(hm.model.tokenizer.identifier).inserted {
                let tokenizer = hm.model.tokenizer
                let promptTokens = tokenizer.encode(prompt)
                var sequence = [promptTokens.last ?? -1] + hm.replacement.encode(response, with: tokenizer).tokens
                if sequence.count - 1 < models.settings.newTokenLimit(promptTokenCount: promptTokens.count) {
                    sequence.append(tokenizer.endOfTextToken)
                }
                sequences[tokenizer.identifier, default: []].append(sequence)
            }
        }
    }

    /// The drift of every answer but answer `index` (nil: of all of them).
    public func drift(excluding index: Int?) -> AnswerDrift {
        AnswerDrift(sequences: sequences.mapValues { seqs in
            guard let index else { return seqs }
            var rest = seqs
            rest.remove(at: index)
            return rest
        })
    }

    /// Whether the answer count `n` is one at which a run rescores every answer against the
    /// others (4, 8, 16, ...): between these, only the newest answer is scored, against the
    /// ones before it, so the scoring work stays within three times that of a run without
    /// answer drift.
    public static func isRescoringPoint(_ n: Int) -> Bool { n >= 4 && n & (n - 1) == 0 }
}

extension EvidenceScorer {
    /// Log-likelihoods (natural log, one per state of `space`) of the answers at `indices` of
    /// `history`, each scored with drift learned from every other answer of the history
    /// (`AnswerDrift`), on several threads. Result `[k][j]` for answer `indices[k]` and state `j`.
    public func leaveOneOutLogLikelihoods(history: AnswerHistory, indices: [Int], observation: any ObservationModel,
                                          space: HypothesisSpace) -> [[Double]] {
        let scorer = self
        return (try? parallelMap(indices.count) { k in
            let i = indices[k]
            return scorer.with(answerDrift: history.drift(excluding: i))
                .logLikelihoods(prompt: history.prompts[i], responses: [history.responses[i]], observation: observation, space: space)[0]
        }) ?? []
    }
}
