import Foundation
import Testing
@testable import Oracles

/// `../shared/mlmac/round1-log` relative to the repository root.
private let round1Root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("shared/mlmac/round1-log", isDirectory: true)

@Suite struct ReplayLogTests {
    @Test func realLogParsesExactly() throws {
        let logs = try ReplayLog.loadAll(root: round1Root)
        #expect(logs.map(\.set) == ["DialoGPT", "Multilingual-MiniLM-L12-H384"])
        for log in logs {
            #expect(log.modelIDs == [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11])   // model 9 was not published
            for (id, records) in log.models {
                #expect(records.count == log.prompts.count, "\(log.set)/\(id).csv")
                #expect(records.map(\.prompt) == log.prompts)
                #expect(records.first?.line == 1)
                for r in records {
                    #expect(r.echo == r.prompt || (r.echo.count < r.prompt.count && r.prompt.hasPrefix(r.echo)
                        && r.prompt.dropFirst(r.echo.count).allSatisfy { $0 == " " }))
                }
                // Writing the records back gives the file byte for byte.
                let file = round1Root.appendingPathComponent(log.set).appendingPathComponent("\(id).csv")
                let original = try Data(contentsOf: file)
                let rebuilt = records.map { $0.echo + $0.continuation + "\n" }.joined()
                #expect(Data(rebuilt.utf8) == original, "\(log.set)/\(id).csv")
                // Record start lines count the LFs of the records before them.
                var line = 1
                for r in records {
                    #expect(r.line == line)
                    line += (r.echo + r.continuation).utf8.filter { $0 == 10 }.count + 1
                }
            }
        }
    }

    @Test func echoWithoutTrailingSpaceIsRecognised() throws {
        let log = try ReplayLog.load(setDirectory: round1Root.appendingPathComponent("Multilingual-MiniLM-L12-H384"))
        let trimmed = log.models.flatMap { id, rs in rs.filter { $0.echo != $0.prompt }.map { _ in id } }
        #expect(trimmed.sorted() == [1, 8])
        let synthetic = try ReplayLog.parseModel("Hi.C\nBye x\n", prompts: ["Hi. ", "Bye"], file: "s.csv")
        #expect(synthetic.map(\.echo) == ["Hi.", "Bye"] && synthetic.map(\.continuation) == ["C", " x"])
    }

    @Test func continuationsKeepNewlinesAndCarriageReturns() throws {
        let log = try ReplayLog.load(setDirectory: round1Root.appendingPathComponent("DialoGPT"))
        let all = log.models.values.flatMap { $0 }
        #expect(all.contains { $0.continuation.unicodeScalars.contains("\n") })
        #expect(all.contains { $0.continuation.unicodeScalars.contains("\r") })
    }

    @Test func model10WritesLongOthersShort() throws {
        func median(_ xs: [Int]) -> Int { xs.sorted()[xs.count / 2] }
        for log in try ReplayLog.loadAll(root: round1Root) {
            let long = log.models[10]!.map(\.continuation.count)
            #expect(median(long) > 100, "\(log.set): model 10 median \(median(long))")
            let short = log.models.filter { $0.key != 10 }.values.flatMap { $0 }.map(\.continuation.count)
            #expect(median(short) <= 5, "\(log.set): others median \(median(short))")
        }
    }

    @Test func multiLineRecordsOnSyntheticFiles() throws {
        let prompts = ["Hello", "World says"]
        let records = try ReplayLog.parseModel("Hello there\nfriend\r\n\"\nWorld says hi\n", prompts: prompts, file: "m.csv")
        #expect(records.map(\.continuation) == [" there\nfriend\r\n\"", " hi"])
        #expect(records.map(\.line) == [1, 4])
        // Last record without a final LF; empty continuation.
        #expect(try ReplayLog.parseModel("Hello\nWorld says", prompts: prompts, file: "m.csv").map(\.continuation) == ["", ""])
    }

    @Test func badInputNamesFileAndLine() {
        let prompts = ["Hello", "World says", "Third"]
        do {
            _ = try ReplayLog.parseModel("Hello a\nb\nWorld says c\nThrid d\n", prompts: prompts, file: "x/3.csv")
            Issue.record("accepted a record with the wrong prompt")
        } catch let error as ReplayLogError {
            #expect(error.file == "x/3.csv" && error.line == 3)
            #expect(error.description.hasPrefix("x/3.csv:3: "))
        } catch { Issue.record("\(error)") }
        do {
            _ = try ReplayLog.parseModel("Hello a\nThird d\n", prompts: prompts, file: "x/4.csv")
            Issue.record("accepted a file with a record missing")
        } catch let error as ReplayLogError {
            #expect(error.line == 1 && error.reason.contains("prompt 2"))
        } catch { Issue.record("\(error)") }
        #expect(throws: ReplayLogError.self) { try ReplayLog.parsePrompts("a\n\nb\n", file: "p.csv") }
    }
}
