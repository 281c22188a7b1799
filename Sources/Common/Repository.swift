import Foundation

/// The attrib repository a process works in, so that default paths (`Experiments/zoos/...`,
/// `.cache/demo`, `Results/...`, `../shared/mlmac/...`) mean the same from any folder:
/// `$ATTRIB_ROOT` when set, else the nearest folder above the current one, then above the
/// executable, that holds `Package.swift` and `Experiments/zoos`.
public enum Repository {
    /// The environment variable that names the repository explicitly.
    public static let rootEnvironmentVariable = "ATTRIB_ROOT"

    /// The repository's folder, or nil when this process runs outside any.
    public static let root: URL? = {
        if let env = ProcessInfo.processInfo.environment[rootEnvironmentVariable], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true).standardizedFileURL
        }
        let starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true),
                      URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()]
        for start in starts {
            var dir = start.standardizedFileURL
            while true {
                if isRepository(dir) { return dir }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return nil
    }()

    static func isRepository(_ dir: URL) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path)
            && fm.fileExists(atPath: dir.appendingPathComponent("Experiments/zoos").path)
    }

    /// `relative` under the repository (it may lead out of it: `../shared/...`); unchanged,
    /// so relative to the current folder, outside any repository.
    public static func path(_ relative: String) -> String {
        guard let root else { return relative }
        return root.appendingPathComponent(relative).standardizedFileURL.path
    }
}
