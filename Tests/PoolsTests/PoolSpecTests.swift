import Common
import Corpora
import Foundation
import Testing
@testable import Pools

@Suite struct PoolSpecTests {
    /// Two small corpora of numbered words, split by the catalogue's rule.
    static let corpora: [String: Corpus] = ["fortunes", "licenses"].reduce(into: [:]) { out, name in
        let documents = (0..<300).map { d in (0..<40).map { "\(name.prefix(3))\(d)w\($0)" }.joined(separator: " ") }
        out[name] = Corpus(source: CorpusCatalog.source(named: name)!, documents: documents)
    }
    func corpus(_ name: String) throws -> Corpus { try #require(Self.corpora[name]) }

    func spec(size: Int = 60, seed: UInt64 = 29) -> PoolSpec {
        PoolSpec(name: "mixed", seed: seed, size: size, generators: [
            .init(kind: "openings", share: 3, corpora: ["fortunes", "licenses"], minWords: 1, maxWords: 30),
            .init(kind: "memorization", share: 1, corpora: ["licenses"], minWords: 8, maxWords: 20),
            .init(kind: "boundary", share: 1), .init(kind: "repetitions", share: 1, corpora: ["fortunes"]),
            .init(kind: "characters", share: 1), .init(kind: "special-tokens", share: 1),
        ])
    }

    @Test func aSpecMakesDistinctPromptsOfEveryKindTheSameEachTime() throws {
        let pool = try spec().make(corpora: corpus)
        #expect(pool.count == 60 && Set(pool.prompts).count == 60)
        #expect(pool.prompts.allSatisfy { !$0.isEmpty && $0.utf8.count <= PoolSpec.maximumPromptBytes })
        #expect(try spec().make(corpora: corpus) == pool)
        #expect(try spec(seed: 30).make(corpora: corpus) != pool)
        // Quotas: one share of 8 is 7 prompts (rounded down); the openings take the rest, 25. In spec order.
        let heldout = Set(try ["fortunes", "licenses"].flatMap { try corpus($0).documents(in: .heldout) })
        let train = try corpus("licenses").documents(in: .train)
        let openings = pool.prompts.prefix(60 - 5 * 7)
        #expect(openings.allSatisfy { p in heldout.contains { $0.hasPrefix(p.trimmingCharacters(in: .whitespaces)) } })
        let memorization = pool.prompts.dropFirst(60 - 5 * 7).prefix(7)
        #expect(memorization.allSatisfy { p in
            let words = p.split(separator: " ").count
            return (8...20).contains(words) && train.contains { $0.hasPrefix(p.trimmingCharacters(in: .whitespaces)) }
        })
        let special = pool.prompts.suffix(7)
        #expect(special.allSatisfy { p in SpecialTokenGenerator.tokens.contains { p.hasPrefix($0) } })
        let characters = pool.prompts.dropLast(7).suffix(7)
        #expect(characters.allSatisfy { CharacterGenerator.characters.contains($0) })
    }

    @Test func aKindThatRunsOutLeavesItsShortfallToTheFirst() throws {
        // 90 single characters exist; a pool of 200 of which 150 should be characters.
        let s = PoolSpec(name: "chars", seed: 1, size: 200, generators: [
            .init(kind: "openings", share: 1, corpora: ["fortunes"], minWords: 1, maxWords: 30), .init(kind: "characters", share: 3),
        ])
        let pool = try s.make(corpora: corpus)
        #expect(pool.count == 200 && Set(pool.prompts).count == 200)
        #expect(pool.prompts.filter { CharacterGenerator.characters.contains($0) }.count == CharacterGenerator.characters.count)
    }

    @Test func badSpecsNameTheField() throws {
        func field(_ json: String) -> String? {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("pool-\(UUID().uuidString).json")
            try? json.write(to: url, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: url) }
            do { _ = try PoolSpec.load(url); return nil } catch let e as PoolSpecError {
                #expect(e.file == url.path && e.description.contains(url.path))
                return e.field
            } catch { return "?" }
        }
        let ok = #"{"kind": "boundary", "share": 1}"#
        #expect(field(#"{"name": "p", "seed": 1, "size": 10, "generators": [\#(ok)]}"#) == nil)
        #expect(field(#"{"name": "p", "seed": 1, "size": 1, "generators": [\#(ok)]}"#) == "size")
        #expect(field(#"{"name": "p", "seed": 1, "size": 10, "generators": []}"#) == "generators")
        #expect(field(#"{"name": "p", "seed": 1, "size": 10, "generators": [\#(ok), {"kind": "poems", "share": 1}]}"#) == "generators[1].kind")
        #expect(field(#"{"name": "p", "seed": 1, "size": 10, "generators": [{"kind": "boundary", "share": 0}]}"#) == "generators[0].share")
        #expect(field(#"{"name": "p", "seed": 1, "size": 10, "generators": [{"kind": "boundary", "share": 1, "corpora": ["fortunes"]}]}"#) == "generators[0].corpora")
        #expect(field(#"{"name": "p", "seed": 1, "size": 10, "generators": [{"kind": "openings", "share": 1}]}"#) == "generators[0].corpora")
        #expect(field(#"{"name": "p", "seed": 1, "size": 10, "generators": [{"kind": "openings", "share": 1, "corpora": ["poetry"]}]}"#) == "generators[0].corpora")
        #expect(field(#"{"name": "p", "seed": 1, "size": 10, "generators": [{"kind": "openings", "share": 1, "corpora": ["devil"], "minWords": 5, "maxWords": 2}]}"#) == "generators[0].minWords")
        #expect(field(#"{"name": "p", "size": 10}"#) == "(file)")
    }
}
