import Testing
@testable import LanguageModels

@Suite struct DecodingSettingsTests {
    @Test func newTokenLimitFollowsHuggingFaceMaxLength() {
        let settings = DecodingSettings.mlmac
        #expect(settings.newTokenLimit(promptTokenCount: 5) == 15)
        #expect(settings.newTokenLimit(promptTokenCount: 19) == 1)
        #expect(settings.newTokenLimit(promptTokenCount: 20) == 1)
        #expect(settings.newTokenLimit(promptTokenCount: 300) == 1)
        #expect(DecodingSettings(maxNewTokens: 3).newTokenLimit(promptTokenCount: 2) == 3)
        #expect(DecodingSettings(maxNewTokens: 250, maxTotalTokens: nil).newTokenLimit(promptTokenCount: 2) == 250)
        #expect(DecodingSettings(maxTotalTokens: nil).newTokenLimit(promptTokenCount: 2) == DecodingSettings.unboundedNewTokenCap)
    }

    @Test func temperatureIsSoftmaxOfLogProbabilitiesOverT() {
        let raw = [0.5, 0.3, 0.2].map { cLog($0) }
        let decoded = DecodingSettings(temperature: 2).decodedLogProbabilities(raw: raw)
        let roots = [0.5, 0.3, 0.2].map { $0.squareRoot() }
        let total = roots.reduce(0, +)
        for (value, root) in zip(decoded, roots) { #expect(abs(cExp(value) - root / total) < 1e-12) }
    }

    @Test func topPKeepsTheSmallestSetReachingP() {
        let raw = [0.5, 0.3, 0.15, 0.05].map { cLog($0) }
        let decoded = DecodingSettings(temperature: 1, topP: 0.75).decodedLogProbabilities(raw: raw)
        #expect(decoded[2] == -.infinity && decoded[3] == -.infinity)
        #expect(abs(cExp(decoded[0]) - 0.625) < 1e-12)
        let all = DecodingSettings(temperature: 1, topP: 1).decodedLogProbabilities(raw: raw)
        #expect(all.allSatisfy { $0.isFinite })
    }

    @Test func topKBreaksTiesTowardsSmallerIds() {
        let raw = [0.25, 0.25, 0.25, 0.25].map { cLog($0) }
        let decoded = DecodingSettings(topK: 2).decodedLogProbabilities(raw: raw)
        #expect(decoded[0].isFinite && decoded[1].isFinite && decoded[2] == -.infinity && decoded[3] == -.infinity)
    }

    @Test func settingsAreCodable() throws {
        let settings = DecodingSettings(temperature: 1.5, topK: 40, maxNewTokens: 250, seed: 3)
        #expect(settings != .mlmac)
        #expect(DecodingSettings.mlmac.temperature == 3 && DecodingSettings.mlmac.maxTotalTokens == 20)
    }
}
