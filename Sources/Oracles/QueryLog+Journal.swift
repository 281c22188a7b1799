import Foundation
import Storage

extension QueryLog {
    /// attrib's own query journal: every answered query of every run, each run a set, a model's
    /// queries in the order they were asked. The run id and sequence number are kept as fields.
    static func journal(path: String) throws -> QueryLog {
        guard FileManager.default.fileExists(atPath: path) else { throw ReplayLogError(file: path, line: 0, reason: "does not exist") }
        let runs: [(runID: String, entries: [JournalEntry])]
        do { runs = try QueryJournal.allEntries(path: path) } catch {
            throw ReplayLogError(file: path, line: 0, reason: "is not a query journal (\(error))")
        }
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var records: [Record] = []
        for (run, entries) in runs {
            for entry in entries {
                guard let response = entry.response else { continue }  // intended, never answered: nothing to replay
                records.append(Record(set: run, model: entry.key.model, prompt: entry.key.prompt, response: response.continuation,
                                      time: entry.completedAt.map { iso.string(from: $0) },
                                      extra: ["run_id": "\"\(run)\"", "sequence": "\(entry.key.sequence)"],
                                      file: path, line: 0))
            }
        }
        return QueryLog(records: records)
    }
}
