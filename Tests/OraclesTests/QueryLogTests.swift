import Foundation
import Testing
@testable import Oracles

private let shared = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/mlmac", isDirectory: true)

private func temporary(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("attrib-log-\(UUID().uuidString)-\(name)")
}

/// The log readers, against the real round-1 release and against logs made to be awkward.
@Suite struct QueryLogTests {
    @Test func theRealRound1LogsParseCompletely() throws {
        let root = shared.appendingPathComponent("round1-log").path
        let (log, problems) = QueryLog.read(path: root)
        #expect(problems.isEmpty)
        let inspection = LogInspection(log)
        #expect(inspection.sets.keys.sorted() == ["DialoGPT", "Multilingual-MiniLM-L12-H384"])
        for (set, models) in inspection.sets {
            let prompts = try #require(log.declaredPrompts[set])
            #expect(models.keys.map { Int($0)! }.sorted() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11])
            for (_, counts) in models {
                #expect(counts.records == prompts.count)   // one record per prompt
                #expect(counts.unmatched == 0)
            }
        }
        #expect(log.records.count == 11 * (30 + 20))
    }

    @Test func anUnseenPromptSetWithOtherScriptsCodeAndLongContinuationsParses() throws {
        let dir = temporary("set")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let prompts = ["def f(x):\\n    return x * 2  # code", "Ελληνικά και русский текст", "日本語のテキストです。",
                       "\"quoted\", with commas, and \\\\ backslashes", "short"]
        let continuations = [" pass", "\nя\rпродолжение\n\nlong " + String(repeating: "слово ", count: 500), "", "\"\"\",,,",
                             "\nshort\nshort again"]
        try (prompts.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("prompts.csv"), atomically: true, encoding: .utf8)
        try zip(prompts, continuations).map { $0 + $1 + "\n" }.joined()
            .write(to: dir.appendingPathComponent("3.csv"), atomically: true, encoding: .utf8)
        let log = try QueryLog.load(path: dir.path)
        #expect(log.records.map(\.prompt) == prompts)
        #expect(log.records.map(\.response) == continuations)
        #expect(log.records.map(\.model) == Array(repeating: 3, count: 5))
        #expect(LogInspection(log).sets[dir.lastPathComponent]?["3"]?.empty_continuations == 1)
    }

    @Test func jsonlKeepsALeadingByteOrderMark() throws {
        // Written raw, as JSONEncoder and JSONSerialization write it; JSONSerialization alone would read "ab".
        let file = temporary("bom.jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        try "{\"model\": 1, \"prompt\": \"\u{FEFF}ab\", \"response\": \"\u{FEFF}\", \"note\": \"\u{FEFF}n\"}\n".write(to: file, atomically: true, encoding: .utf8)
        let log = try QueryLog.load(path: file.path)
        #expect(log.records.map(\.prompt) == ["\u{FEFF}ab"])
        #expect(log.records.map(\.response) == ["\u{FEFF}"])
        #expect(log.records[0].extra["note"] == "\"\u{FEFF}n\"")
        // And written back as read.
        let again = temporary("bom-again.jsonl")
        defer { try? FileManager.default.removeItem(at: again) }
        try log.jsonl().write(to: again, atomically: true, encoding: .utf8)
        let reread = try QueryLog.load(path: again.path)
        #expect(reread.records.map { [$0.prompt, $0.response, $0.extra["note"] ?? "-"] } == [["\u{FEFF}ab", "\u{FEFF}", "\"\u{FEFF}n\""]])
    }

    @Test func jsonlRoundTripsAndKeepsUnknownFields() throws {
        let file = temporary("log.jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        try """
            {"model": 2, "prompt": "a,b\\n", "response": " ok \\"x\\"", "time": "2022-08-01T10:00:00Z", "team": "blue", "cost": 1.5}

            {"model": "7", "prompt": "日本", "response": ""}
            """.write(to: file, atomically: true, encoding: .utf8)
        let log = try QueryLog.load(path: file.path)
        #expect(log.records.count == 2)
        #expect(log.records[0].extra == ["team": "\"blue\"", "cost": "1.5"])
        #expect(log.records[0].time == "2022-08-01T10:00:00Z" && log.records[1].model == 7 && log.records[1].line == 3)
        let again = temporary("again.jsonl")
        defer { try? FileManager.default.removeItem(at: again) }
        try log.jsonl().write(to: again, atomically: true, encoding: .utf8)
        let reread = try QueryLog.load(path: again.path)
        #expect(reread.records.map { [$0.prompt, $0.response, "\($0.model)", $0.time ?? "-"] }
            == log.records.map { [$0.prompt, $0.response, "\($0.model)", $0.time ?? "-"] })
        #expect(reread.records[0].extra["team"] == "\"blue\"")
    }

    @Test func csvWithQuotingAndAColumnMapping() throws {
        let file = temporary("log.csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try "fid,input,output,note\r\n4,\"Hello, \"\"world\"\"\",\" line one\nline two\",x\n5,plain,,y\n"
            .write(to: file, atomically: true, encoding: .utf8)
        var mapping = try ColumnMapping(parsing: "model=fid,prompt=input,response=output")
        let log = try QueryLog.load(path: file.path, columns: mapping)
        #expect(log.records.map(\.prompt) == ["Hello, \"world\"", "plain"])
        #expect(log.records.map(\.response) == [" line one\nline two", ""])
        #expect(log.records.map(\.line) == [2, 4])
        #expect(log.records[0].extra == ["note": "\"x\""])
        // A mapped column the header lacks is named, with the header's line.
        mapping.response = "completion"
        let (_, problems) = QueryLog.read(path: file.path, columns: mapping)
        #expect(problems.count == 1 && problems[0].line == 1 && problems[0].reason.contains("\"completion\""))
        #expect(throws: ReplayLogError.self) { try ColumnMapping(parsing: "speaker=fid") }
    }

    /// Every malformed record is a problem naming its file and line; the good records around it are read.
    @Test func malformedLogsNameFileAndLineAndLoseNothing() throws {
        let file = temporary("bad.jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        var data = Data("""
            {"model": 1, "prompt": "p", "response": "r"}
            [1, 2, 3]
            {"model": 1, "prompt": "p", "respo
            {"model": "one", "prompt": "p", "response": "r"}
            {"model": true, "prompt": "p", "response": "r"}
            {"model": 1, "prompt": "p"}

            """.utf8)
        data += Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D, 0x0A])   // line 6: not UTF-8
        data += Data("{\"model\": 1, \"prompt\": \"big\", \"response\": \"".utf8) + Data(repeating: 0x61, count: 10 << 20) + Data("\"}\n".utf8)
        data += Data("{\"model\": 2, \"prompt\": \"q\", \"response\": \"s\"}\n".utf8)
        try data.write(to: file)
        let (log, problems) = QueryLog.read(path: file.path)
        #expect(log.records.map(\.line) == [1, 9])
        #expect(problems.map(\.line) == [2, 3, 4, 5, 6, 7, 8])
        #expect(problems.allSatisfy { $0.file == file.path })
        #expect(problems.map(\.reason) == [
            "is not a JSON object", "is not valid JSON (truncated?)", "\"model\" is not a whole number: \"one\"",
            "\"model\" is not a whole number: true",
            "no \"response\" field for the response (--columns response=NAME names another)", "is not valid UTF-8",
            "the line is 10485805 bytes, more than the 4 MiB a record may have",
        ])
        #expect(throws: QueryLogProblems.self) { try QueryLog.load(path: file.path) }

        let empty = temporary("empty.jsonl")
        defer { try? FileManager.default.removeItem(at: empty) }
        try Data().write(to: empty)
        #expect(QueryLog.read(path: empty.path).problems.map(\.description) == ["\(empty.path): holds no records"])
        let csv = temporary("bad.csv")
        defer { try? FileManager.default.removeItem(at: csv) }
        try "model,prompt,response\n1,\"never closed,x\n".write(to: csv, atomically: true, encoding: .utf8)
        #expect(QueryLog.read(path: csv.path).problems.map(\.line) == [2])
        #expect(QueryLog.read(path: "/no/such/log.jsonl").problems.first?.reason == "does not exist")
        #expect(QueryLog.read(path: temporary("x.txt").path).problems.count == 1)
    }

    @Test func theReplayOracleAnswersEachLoggedPairOnceInLogOrder() async throws {
        let log = QueryLog(records: [
            .init(set: "s", model: 0, prompt: "a", response: "1", file: "f", line: 1),
            .init(set: "s", model: 0, prompt: "a", response: "2", file: "f", line: 2),
            .init(set: "s", model: 1, prompt: "a", response: "3", file: "f", line: 3),
        ])
        let oracle = ReplayOracle(log: log)
        #expect(try await oracle.ask(model: 0, prompt: "a").continuation == "1")
        #expect(try await oracle.ask(model: 0, prompt: "a").generatedText == "a2")
        await #expect(throws: ReplayOracleError.exhausted(model: 0, prompt: "a")) { try await oracle.ask(model: 0, prompt: "a") }
        await #expect(throws: ReplayOracleError.exhausted(model: 1, prompt: "b")) { try await oracle.ask(model: 1, prompt: "b") }
        #expect(try await oracle.queryCounts() == [0: 2])
    }

    @Test func theRealAnswerKeyLoads() throws {
        let key = try AnswerKey.load(path: shared.appendingPathComponent("round1-answer-key.csv").path)
        #expect(key.truth.count == 12)
        #expect(key.truth[3] == "gpt2")
        #expect(key.truth.values.contains(.none))   // a None
        let bad = temporary("key.csv")
        defer { try? FileManager.default.removeItem(at: bad) }
        try "model_id,base_model\n0,gpt2\n0,opt\n".write(to: bad, atomically: true, encoding: .utf8)
        #expect(throws: ReplayLogError(file: bad.path, line: 3, reason: "model 0 appears twice")) { try AnswerKey.load(path: bad.path) }
    }
}
