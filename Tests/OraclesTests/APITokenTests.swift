import Foundation
import Oracles
import Testing
import Transport

@Suite("APIToken loading and redaction")
struct APITokenTests {
    func tokenFile(mode: mode_t, contents: String = testSecret + "\n") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)))
        #expect(chmod(path, mode) == 0)
        return path
    }

    @Test func privateFileIsRead() throws {
        let token = try APIToken.fromFile(try tokenFile(mode: 0o600))
        #expect(token == (try APIToken(testSecret)))
    }

    @Test func worldReadableFileIsRefused() throws {
        let path = try tokenFile(mode: 0o644)
        #expect(throws: TokenError.worldReadable(path: path, mode: 0o644)) { try APIToken.fromFile(path) }
        #expect(TokenError.worldReadable(path: path, mode: 0o644).description
            == "Refusing the API token file \(path): its mode 644 lets every user read it; run `chmod 600 \(path)`.")
    }

    @Test func missingOrEmptySourcesAreClearErrors() throws {
        #expect(throws: TokenError.missingEnvironment(variable: "X_TOKEN")) {
            try APIToken.fromEnvironment("X_TOKEN", environment: [:])
        }
        #expect(throws: TokenError.empty(source: "the environment variable X_TOKEN")) {
            try APIToken.fromEnvironment("X_TOKEN", environment: ["X_TOKEN": " \n"])
        }
        #expect(throws: TokenError.noSource(variable: "MLMAC_API_TOKEN")) {
            try APIToken.resolve(file: nil, environment: [:])
        }
        let path = try tokenFile(mode: 0o600, contents: "two words")
        #expect(throws: TokenError.invalidCharacters(source: "the file \(path)")) { try APIToken.fromFile(path) }
        #expect(try APIToken.fromEnvironment(environment: ["MLMAC_API_TOKEN": testSecret]) == (try APIToken(testSecret)))
    }

    @Test func tokenNeverPrints() throws {
        let token = try APIToken(testSecret)
        var dumped = ""
        dump(token, to: &dumped)
        for text in ["\(token)", String(reflecting: token), dumped, "\([token])"] {
            #expect(!text.contains(testSecret))
        }
        #expect(token.redact("key \(testSecret) here") == "key <redacted> here")
    }

    @Test func splitIsExactOnBytes() {
        #expect(MLMACQueryResult.split(generatedText: "héllo wörld", prompt: "héllo") == (" wörld", true))
        // "é" precomposed vs decomposed: canonically equal, but not the same bytes.
        #expect(MLMACQueryResult.split(generatedText: "he\u{301}llo!", prompt: "h\u{e9}llo") == ("he\u{301}llo!", false))
        #expect(MLMACQueryResult.split(generatedText: "abc", prompt: "") == ("abc", true))
        let result = MLMACQueryResult(model: 1, prompt: "xyz", generatedText: "xy", queryCounts: [:], attempts: 1)
        #expect(throws: APIError.promptNotEchoed(model: 1, promptCharacters: 3)) { try result.requireEchoedPrompt() }
    }
}
