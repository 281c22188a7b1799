import Foundation
import LanguageModels
import Testing
@testable import Simulation

@Suite struct PairwiseFloorTests {
    /// d(a || b) by hand: d(0.9 || 0.1) = 0.9 ln 9 + 0.1 ln(1/9) = 0.8 ln 9.
    @Test func binaryDivergenceExactValues() {
        #expect(abs(ZooFigures.binaryDivergence(0.9, 0.1) - 0.8 * log(9.0)) < 1e-12)
        #expect(abs(ZooFigures.binaryDivergence(0.75, 0.25) - 0.5 * log(3.0)) < 1e-12)
        #expect(ZooFigures.binaryDivergence(0.5, 0.5) == 0)
        #expect(abs(ZooFigures.binaryDivergence(1, 0.5) - log(2.0)) < 1e-12)
        #expect(abs(ZooFigures.queriesNeeded(accuracy: 0.9, divergence: 0.8 * log(9.0) / 4) - 4) < 1e-12)
        #expect(ZooFigures.queriesNeeded(accuracy: 0.9, divergence: 0) == .infinity)
    }

    /// On the tiny zoo: only same-tokenizer competitors are used (a, a2, b share a's tokenizer;
    /// the None fine-tune of the byte reference has none), two worlds each; a world identical
    /// to the fine-tune has divergence exactly 0 and an infinite floor.
    @Test func floorOnTheTinyZoo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-floor-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try ZooBuilder(spec: ZooBuilderTests.spec, corpora: ZooBuilderTests.corpora).build(into: directory)
        let figures = try ZooFigures(directory: directory)
        let prompts = ["The cat", "Hello there", "What is"]
        let table = try figures.pairwiseFloor(prompts: prompts, samplesPerPrompt: 4, domainDocuments: { name in
            try ZooBuilderTests.corpora(name).documents(in: .finetune)
        })
        #expect(table.rows.count == 3)
        for row in table.rows {
            let truth = figures.manifest.answerKey[row.id]
            if truth.base == nil {
                #expect(row.bounds.isEmpty && row.floorAt90 == 0)
                continue
            }
            let competitors = Set(row.bounds.map(\.competitor))
            #expect(!competitors.contains(truth.base!))
            #expect(competitors == Set(["a", "a2", "b"]).subtracting([truth.base!]))
            #expect(row.bounds.count == 2 * competitors.count)
            #expect(row.floorAt90 >= row.floorAt75)
            for bound in row.bounds where bound.maxDivergence > 0 {
                #expect(abs(bound.queriesAt90 - ZooFigures.queriesNeeded(accuracy: 0.9, divergence: bound.maxDivergence)) < 1e-12)
                #expect(bound.maxDivergence >= bound.meanDivergence)
            }
        }
        let id = table.rows.first { figures.manifest.answerKey[$0.id].base != nil }!.id
        let same = figures.bounds(fineTune: id, worlds: [(PairBoundKey(competitor: "self", variant: "base"), figures.fineTunes[id])],
                                  prompts: prompts, samplesPerPrompt: 4, scoring: .path)
        #expect(same[0].maxDivergence == 0 && same[0].queriesAt90 == .infinity)
        let markdown = table.markdown(header: "# tiny")
        #expect(markdown.hasPrefix("# tiny") && markdown.contains("| id | fine-tune |"))
    }
}
