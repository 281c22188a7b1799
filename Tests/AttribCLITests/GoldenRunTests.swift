import Foundation
import Testing

/// A golden test of a successful run: `attrib demo --json` on a tiny zoo
/// (`Golden/inputs/golden-zoo.json`: three candidates, two of them near relatives, a reference
/// whose fine-tune is `None`), from nothing, compared exactly with `Golden/demo-run.json`. The
/// file holds every decision of both runs (EIG and random): each model's asked prompts with their
/// EIG, the answers, the posterior, the attribution and the queries; the calibration fit; the
/// score. Wall-clock figures are left out. A refactor that changes any decision fails here.
/// `ATTRIB_UPDATE_GOLDEN=1 swift test --filter GoldenRunTests` rewrites the file (read its diff).
struct GoldenRunTests {
    @Test func theDemoOnATinyZooDecidesExactlyAsRecorded() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-golden-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let (status, out, err) = try GoldenOutputTests.run([
            "demo", "--zoo", "Tests/AttribCLITests/Golden/inputs/golden-zoo.json", "--work", work.path, "--json",
            "--pool-size", "12", "--budget", "4", "--samples", "4",
        ])
        #expect(status == 0, "attrib demo failed: \(err.suffix(2000))")
        guard status == 0 else { return }
        var demo = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        demo["seconds"] = nil
        demo["step_ends"] = nil
        var record: [String: Any] = ["demo": demo]
        for run in ["eig", "random"] {
            let data = try Data(contentsOf: work.appendingPathComponent("out-\(run)/report.json"))
            let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let models = try #require(report["models"] as? [[String: Any]])
            record[run] = models.map { m in
                ["model": m["model"] as Any, "attribution": m["attribution"] as Any, "posterior": m["posterior"] as Any,
                 "queries": m["queries"] as Any, "asked": m["asked"] as Any]
            }
        }
        let actual = String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .prettyPrinted]),
                            as: UTF8.self) + "\n"
        let file = GoldenOutputTests.golden.appendingPathComponent("demo-run.json")
        if ProcessInfo.processInfo.environment["ATTRIB_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(actual == expected, "the demo's decisions differ from Golden/demo-run.json")
    }
}
