import Engine
import Testing
@testable import Workflow

@Suite struct PromptPoolTests {
    @Test func linesKeepTrailingSpacesAndSkipBlankLines() throws {
        let pool = try PromptPool.parse("The \n\nOnce upon\r\n", file: "pool.txt")
        #expect(pool.prompts == ["The ", "Once upon"])
        #expect(pool.ids == ["1", "3"] && pool.costs == [1, 1])
    }

    @Test func jsonlCarriesIdsCostsAndNewlines() throws {
        let pool = try PromptPool.parse("""
            {"prompt": "a\\nb", "id": "x", "cost": 2.5}
            {"prompt": "c", "id": 7}
            {"prompt": "d"}
            """, file: "pool.jsonl")
        #expect(pool.prompts == ["a\nb", "c", "d"])
        #expect(pool.ids == ["x", "7", "3"] && pool.costs == [2.5, 1, 1])
        #expect(try PromptPool.parse(pool.jsonl(), file: "again") == pool)
    }

    @Test func jsonlKeepsInvisibleCharactersAtEitherEnd() throws {
        // A byte-order mark alone or first is a prompt of its own (a tokenizer-boundary probe), never dropped.
        let prompts = ["\u{FEFF}", "\u{FEFF}a", "a\u{FEFF}", "\u{200B}\u{200B}", "e\u{0301}"]
        let pool = PromptPool(ids: prompts.indices.map(String.init), prompts: prompts, costs: prompts.map { _ in 1 })
        let again = try PromptPool.parse(pool.jsonl(), file: "pool.jsonl")
        #expect(again.prompts.map { Array($0.unicodeScalars) } == prompts.map { Array($0.unicodeScalars) })
    }

    @Test func badInputNamesFileLineAndField() {
        func message(_ text: String) -> String {
            do { _ = try PromptPool.parse(text, file: "p.jsonl"); return "" } catch { return error.description }
        }
        #expect(message("{\"prompt\": \"a\"}\n{\"prompt\": 3}") == "p.jsonl:2: field \"prompt\" missing or not a string")
        #expect(message("{\"prompt\": \"a\", \"cost\": 0}") == "p.jsonl:1: field \"cost\" must be a positive number")
        #expect(message("{\"prompt\": \"a\"}\nnot json") == "p.jsonl:2: not a JSON object")
        #expect(message("{\"prompt\": \"a\", \"id\": \"k\"}\n{\"prompt\": \"b\", \"id\": \"k\"}") == "p.jsonl:2: prompt id \"k\" already used on line 1")
        #expect(message("\n  \n") == "the prompt pool p.jsonl holds no prompt")
        #expect(message("{\"prompt\": \"a\"}\n{\"prompt\": \"\"}") == "p.jsonl:2: field \"prompt\" is empty (give text to continue)")
        #expect(message("{\"prompt\": \"a\\u0000b\"}") == "p.jsonl:1: field \"prompt\" holds a NUL byte")
        #expect(message("fine\n" + String(repeating: "x", count: 1_000_000)).hasPrefix("p.jsonl:2: is 1000000 bytes, over the limit of 4096"))
        do { _ = try PromptPool.load(path: "/no/such/pool.txt"); Issue.record("expected an error") } catch {
            #expect(error.description.hasPrefix("cannot read the prompt pool /no/such/pool.txt"))
        }
    }
}
