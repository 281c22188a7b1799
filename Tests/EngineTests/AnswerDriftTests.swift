import Engine
import AttributionCore
import Foundation
import LanguageModels
import Testing
@testable import Engine

@Suite struct AnswerDriftTests {
    /// The interpolated Witten-Bell formula, checked by hand on two answers of one tokenizer.
    @Test func matchesTheWittenBellFormulaByHand() {
        // Answer 1 after a prompt ending in no token: 5 6. Answer 2 after a prompt ending in 5: 6 7.
        let drift = AnswerDrift(sequences: ["t": [[-1, 5, 6], [5, 6, 7]]])
        let g = 0.1
        // Unigram counts 5:1 6:2 7:1 (N = 4, D = 3); followers of 5: {6: 2} (c = 2, D_5 = 1).
        let u6 = (2 + 3 * g) / (4 + 3)
        #expect(abs(drift.logProbability(of: 6, after: 5, generic: log(g), tokenizer: "t") - log((2 + 1 * u6) / (2 + 1))) < 1e-12)
        // A token never seen after 5, and a context never seen (the unigram level alone).
        let u9 = (0 + 3 * g) / 7
        #expect(abs(drift.logProbability(of: 9, after: 5, generic: log(g), tokenizer: "t") - log(1 * u9 / 3)) < 1e-12)
        #expect(abs(drift.logProbability(of: 9, after: 42, generic: log(g), tokenizer: "t") - log(u9)) < 1e-12)
        // Another tokenizer has no answers: the generic drift is returned unchanged.
        #expect(drift.logProbability(of: 6, after: 5, generic: log(g), tokenizer: "other") == log(g))
    }

    /// Over a vocabulary whose generic drift sums to 1, the answer drift does too, after any context.
    @Test func isADistribution() {
        let vocabulary = 12
        let generic = (0..<vocabulary).map { log(Double($0 + 1)) }
        let z = log(generic.map(exp).reduce(0, +))
        let drift = AnswerDrift(sequences: ["t": [[3, 1, 2, 2, 11], [-1, 4, 4, 1], [2, 2, 0]]])
        for previous in [-1, 1, 2, 3, 4, 7, 11] {
            let total = (0..<vocabulary).reduce(0.0) { $0 + exp(drift.logProbability(of: $1, after: previous, generic: generic[$1] - z, tokenizer: "t")) }
            #expect(abs(total - 1) < 1e-12, "after \(previous): \(total)")
        }
    }

    /// Leaving answer i out gives the drift of a history that never had it; an answer shorter
    /// than its length limit counts its end-of-text token.
    @Test func leaveOneOutIsTheHistoryWithoutTheAnswer() {
        let models = EngineFixture.models
        let answers = [("The ", "terms of"), ("You may", " not"), ("a", "b c d e f g h i j k l m n o p q r s t u v w x y z")]
        var all = AnswerHistory(), withoutMiddle = AnswerHistory()
        for (k, a) in answers.enumerated() {
            all.append(prompt: a.0, response: a.1, models: models)
            if k != 1 { withoutMiddle.append(prompt: a.0, response: a.1, models: models) }
        }
        let left = all.drift(excluding: 1), built = withoutMiddle.drift(excluding: nil)
        for hm in models.hypotheses {
            let id = hm.model.tokenizer.identifier
            let eos = hm.model.tokenizer.endOfTextToken
            for token in [0, 5, 32, 101, eos] where token < hm.model.tokenizer.vocabularySize {
                for previous in [-1, 32, 116] {
                    #expect(left.logProbability(of: token, after: previous, generic: -5, tokenizer: id)
                            == built.logProbability(of: token, after: previous, generic: -5, tokenizer: id))
                }
            }
            // "terms of" ends well within the 20-token limit: its end-of-text is counted.
            let counts = all.drift(excluding: nil).counts[id]!
            #expect((counts.unigram[eos] ?? 0) >= 1)
        }
        #expect(all.count == 3 && all.responses[1] == " not")
    }

    /// A run with answer drift ends with the posterior of every answer rescored against all
    /// the others, when its answer count is a rescoring point (here 4, the budget).
    @Test func runnerRescoresEveryAnswerAtARescoringPoint() async throws {
        let models = EngineFixture.models
        let space = models.space(noneMass: 0.1, latentGrid: [0.02, 0.2])
        let observation = DriftMixtureModel(eps: 0.1, beta: 0.2)
        let bank = PromptBank(space: space, tensors: TensorBuilder(models: models, space: space, observation: observation,
                                                                   samples: 8, seed: 1).tensors(prompts: EngineFixture.prompts))
        let apache = models.hypotheses[1].model as! NGramLanguageModel
        let fineTune = try apache.fineTuned(on: EngineFixture.documents("GPL-2"), strength: 0.3, seed: 5)
        let scorer = EvidenceScorer(models: models, segmentationBeam: 2)
        var settings = EngineSettings()
        settings.observation.segmentationBeam = 2
        settings.observation.eps = 0.1
        settings.observation.beta = 0.2
        // Never reached before the budget: the budget alone stops the run.
        settings.observation.answerDrift = true
        settings.stopping = StoppingSettings()
        settings.stopping.threshold = 1
        settings.stopping.budgetPerModel = 4
        settings.stopping.eigFloor = nil
        settings.scheduling.repeatPrompts = true
        settings.seed = 2
        let runner = AttributionRunner(bank: bank, prompts: EngineFixture.prompts, models: models, settings: settings)
        let result = try await runner.run(models: [0], oracle: ModelOracle(models: [0: fineTune], settings: .mlmac))[0]
        #expect(result.queries == 4, "stopped: \(result.stopReason)")
        var history = AnswerHistory()
        for a in result.asked { history.append(prompt: a.text, response: a.response, models: models) }
        let rows = scorer.leaveOneOutLogLikelihoods(history: history, indices: [0, 1, 2, 3], observation: observation, space: space)
        var expected = Posterior(space: space)
        for row in rows { try expected.update(logLikelihoods: row) }
        for (a, b) in zip(result.posterior, expected.marginal) { #expect(abs(a - b) < 1e-9) }
        // Answer drift changes the scores: not those of the answers scored alone.
        for (k, a) in result.asked.enumerated() {
            let alone = scorer.logLikelihoods(prompt: a.text, responses: [a.response], observation: observation, space: space)[0]
            #expect(zip(rows[k], alone).contains { abs($0 - $1) > 1e-6 }, "answer \(k)")
        }
    }
}

@Suite struct SchedulerReviseTests {
    /// Revising a model's evidence leaves it with the prior updated by the new rows alone.
    @Test func reviseRebuildsThePosteriorFromTheRows() throws {
        let space = HypothesisSpace(baseNames: ["a", "b"], noneMass: 0.2)
        let tensor = CrossScoreTensor(states: 3, samples: 1, values: [Float](repeating: -1, count: 9))
        let bank = PromptBank(space: space, tensors: [tensor, tensor])
        var scheduler = Scheduler(modelIDs: [7], bank: bank, strategy: GreedyEIG(), stoppingRule: QueryBudget(budget: 5), seed: 1)
        let a = scheduler.next(maxConcurrent: 1)[0]
        try scheduler.record(model: 7, prompt: a.selection.prompt, logLikelihoods: [-1, -9, -3])
        let rows = [[-2.0, -1.0, -4.0]]
        try scheduler.revise(model: 7, logLikelihoodRows: rows)
        var expected = Posterior(space: space)
        try expected.update(logLikelihoods: rows[0])
        #expect(scheduler.progress(of: 7)!.posterior.logWeights == expected.logWeights)
        #expect(scheduler.progress(of: 7)!.queriesUsed == 1)
        #expect(throws: SchedulerError.self) { try scheduler.revise(model: 8, logLikelihoodRows: rows) }
    }
}
