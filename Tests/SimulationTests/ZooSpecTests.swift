import Corpora
import Foundation
import Testing
@testable import Simulation

@Suite struct ZooSpecTests {
    static let known: Set<String> = ["alpha", "beta"]
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func error(_ json: String) -> ZooSpecError? {
        do {
            _ = try ZooSpec.decode(Data(json.utf8), file: "bad.json", knownCorpora: Self.known)
            return nil
        } catch let error as ZooSpecError {
            return error
        } catch {
            return nil
        }
    }

    let good = """
        {"name": "z", "seed": 1, "bases": [{"name": "a", "corpus": "alpha", "tokenizer": "bpe-300", "order": 3}],
         "fineTunes": [{"name": "f", "base": "a", "domain": "beta", "strength": 0.2}]}
        """

    @Test func goodSpecDecodes() {
        #expect(error(good) == nil)
    }

    @Test func errorsNameTheField() {
        #expect(error(good.replacingOccurrences(of: "\"order\": 3", with: "\"order\": 9"))?.field == "bases[0].order")
        #expect(error(good.replacingOccurrences(of: "\"order\": 3", with: "\"order\": \"three\""))?.field == "bases[0].order")
        #expect(error(good.replacingOccurrences(of: "\"base\": \"a\"", with: "\"base\": \"zz\""))?.field == "fineTunes[0].base")
        #expect(error(good.replacingOccurrences(of: "\"domain\": \"beta\"", with: "\"domain\": \"gamma\""))?.field == "fineTunes[0].domain")
        #expect(error(good.replacingOccurrences(of: "\"tokenizer\": \"bpe-300\"", with: "\"tokenizer\": \"bpe\""))?.field == "bases[0].tokenizer")
        #expect(error(good.replacingOccurrences(of: "\"seed\": 1, ", with: ""))?.field == "seed")
        #expect(error(good.replacingOccurrences(of: "\"strength\": 0.2", with: "\"strength\": 2"))?.field == "fineTunes[0].strength")
        let described = error(good.replacingOccurrences(of: "\"order\": 3", with: "\"order\": 9"))?.description ?? ""
        #expect(described.contains("bad.json") && described.contains("bases[0].order"))
    }

    /// A neural zoo is refused with the way to build it; an unknown kind is named.
    @Test func aNeuralZooIsRefusedWithTheWayToBuildIt() throws {
        let neural = try Data(contentsOf: Self.repositoryRoot.appendingPathComponent("Experiments/zoos/neural/neural-micro.json"))
        let refused = try #require(try? { () throws -> ZooSpecError? in
            do { _ = try ZooSpec.decode(neural, file: "neural-micro.json", knownCorpora: []); return nil } catch let e as ZooSpecError { return e }
        }())
        #expect(refused.field == "kind" && refused.reason.contains("attrib demo --zoo"))
        #expect(error(good.replacingOccurrences(of: "\"seed\": 1, ", with: "\"seed\": 1, \"kind\": \"bayesian\", "))?.field == "kind")
    }

    @Test func cyclesAreRejected() {
        let json = """
            {"name": "z", "seed": 1, "bases": [{"name": "a", "from": "b", "order": 2}, {"name": "b", "from": "a", "order": 2}],
             "fineTunes": [{"name": "f", "base": "a", "domain": "beta", "strength": 0.2}]}
            """
        #expect(error(json)?.reason.contains("depends on itself") == true)
    }

    @Test(arguments: ["round1-like", "round2-like"])
    func shippedSpecsValidate(name: String) throws {
        let url = Self.repositoryRoot.appendingPathComponent("Experiments/zoos/\(name).json")
        let spec = try ZooSpec.load(contentsOf: url, knownCorpora: Set(CorpusCatalog.sources.map(\.name)))
        let nones = spec.fineTunes.filter { fineTune in !spec.bases.contains { $0.name == fineTune.base } }
        if name == "round1-like" {
            #expect(spec.bases.count == 12 && spec.fineTunes.count == 12 && nones.count == 1)
        } else {
            #expect(spec.bases.count == 19 && spec.fineTunes.count == 24 && nones.count >= 3)
        }
    }
}
