import Common

/// The command line's default paths. Each is under the repository (`Common.Repository`), so a
/// command means the same from any folder; a path given on the command line is used as given
/// (relative to the current folder).
enum DefaultPaths {
    static let zoo = "Experiments/zoos/round1-like.json"
    static let demoWork = ".cache/demo"
    static let experimentWork = ".cache/experiments"
    static let demoPool = ".cache/demo/default-pool.jsonl"
    static let floorResults = "Results/floor"
    static let round1Log = "../shared/mlmac/round1-log"
    static let round1Leaderboard = "../shared/mlmac/round1-leaderboard.csv"

    /// `value` as the command should use it: the default under the repository, anything else as given.
    static func resolve(_ value: String, default defaultValue: String) -> String {
        value == defaultValue ? Repository.path(defaultValue) : value
    }
}
