/// `GET /status`: who the caller is and how many queries the server has counted.
///
/// The `api_key` field of the response is the token itself, so it is dropped on parsing.
public struct MLMACStatus: Sendable, Equatable, Codable {
    /// GitHub user name (`name`).
    public var name: String?
    /// When the key was registered (`created`), as the server wrote it.
    public var created: String?
    /// Total queries counted across models (`total_queries`).
    public var totalQueries: Int
    /// Counted queries per model (`queries`); models never queried are absent (0).
    public var queryCounts: [Int: Int]

    public init(name: String?, created: String?, totalQueries: Int, queryCounts: [Int: Int]) {
        self.name = name
        self.created = created
        self.totalQueries = totalQueries
        self.queryCounts = queryCounts
    }
}
