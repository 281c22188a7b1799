import ArgumentParser
import Common
import Engine

/// The help of setting `key` of `type`, as its `helpTexts` state it.
private func settingHelp(_ key: String, in texts: [String: String], of type: Any.Type) -> ArgumentHelp {
    guard let text = texts[key] else { preconditionFailure("\(type) has no help for \(key)") }
    return ArgumentHelp(text)
}

extension SettingsGroup {
    static func help(_ key: String) -> ArgumentHelp { settingHelp(key, in: helpTexts, of: Self.self) }
}

extension EngineSettings {
    /// The help of the engine's own settings (`seed`, `threads`).
    static func help(_ key: String) -> ArgumentHelp { settingHelp(key, in: helpTexts, of: Self.self) }
}
