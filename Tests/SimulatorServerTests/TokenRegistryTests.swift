import Foundation
import SimulatorServer
import Testing

@Suite("TokenRegistry and SeededResponder")
struct TokenRegistryTests {
    func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return path
    }

    @Test func aTokenFileEveryUserCanReadIsRefused() throws {
        let path = try file("abc alice\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: SimulatorError.tokenFile(path: path, line: 0, reason: "mode 644 lets every user read the tokens; run `chmod 600 \(path)`")) {
            try TokenRegistry(contentsOf: path)
        }
    }

    @Test func readsTokensNamesAndComments() throws {
        let path = try file("# test tokens\nabc alice smith\n\n  def\n")
        _ = try TokenRegistry(contentsOf: path)
    }

    @Test func duplicateTokenNamesTheLine() throws {
        let path = try file("abc\n# c\nabc bob\n")
        #expect(throws: SimulatorError.tokenFile(path: path, line: 3, reason: "the token is listed twice")) {
            try TokenRegistry(contentsOf: path)
        }
        let empty = try file("# nothing\n")
        #expect(throws: SimulatorError.tokenFile(path: empty, line: 0, reason: "no tokens")) {
            try TokenRegistry(contentsOf: empty)
        }
        #expect(SimulatorError.tokenFile(path: "t", line: 3, reason: "the token is listed twice").description
            == "Token file t, line 3: the token is listed twice.")
    }

    @Test func seededResponderIsDeterministicAndVaries() throws {
        let responder = SeededResponder(modelCount: 4, seed: 1)
        let a = try responder.continuation(model: 1, prompt: "p", sample: 0)
        #expect(a == (try responder.continuation(model: 1, prompt: "p", sample: 0)))
        let samples = try Set((0..<20).map { try responder.continuation(model: 1, prompt: "p", sample: UInt64($0)) })
        #expect(samples.count > 5)
        let models = try Set((0..<4).map { try responder.continuation(model: $0, prompt: "p", sample: 0) })
        #expect(models.count > 1)
    }
}
