import ArgumentParser
import Common
import Engine

extension SettingsGroup {
    /// The help of setting `key`, as the settings type states it.
    static func help(_ key: String) -> ArgumentHelp {
        guard let text = helpTexts[key] else { preconditionFailure("\(Self.self) has no help for \(key)") }
        return ArgumentHelp(text)
    }
}

extension EngineSettings {
    /// The help of the engine's own settings (`seed`, `threads`).
    static func help(_ key: String) -> ArgumentHelp {
        guard let text = helpTexts[key] else { preconditionFailure("EngineSettings has no help for \(key)") }
        return ArgumentHelp(text)
    }
}
