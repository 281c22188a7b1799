import Common
import Foundation
import Testing

struct SeededGeneratorTests {
    @Test func matchesTheReferenceSplitMix64Stream() {
        // First outputs of the reference implementation (Vigna's splitmix64.c) from state 0 and 1234567.
        var zero = SeededGenerator(seed: 0)
        #expect([zero.next(), zero.next(), zero.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var other = SeededGenerator(seed: 1_234_567)
        #expect([other.next(), other.next()] == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973])
    }

    @Test func unitDrawsAreInTheHalfOpenInterval() {
        var g = SeededGenerator(seed: 9)
        for _ in 0..<10_000 {
            let u = g.nextUnit()
            #expect(u >= 0 && u < 1)
        }
    }

    @Test func derivedStreamsDependOnLabelAndNotOnUse() {
        let root = SeededGenerator(seed: 42)
        var a = root.derived("a"), a2 = root.derived("a"), b = root.derived("b")
        #expect(a.next() == a2.next())
        #expect(root.derived("a") != root.derived("b"))
        _ = b.next()
        #expect(root.state == 42)
        var s1 = SeededGenerator.stream(5, 1), s2 = SeededGenerator.stream(5, 2)
        #expect(s1.next() != s2.next())
    }
}

struct StableHashTests {
    @Test func publishedFNV1aVectors() {
        #expect(StableHash.fnv1a("") == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.fnv1a("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func stringsAreLengthPrefixedSoBoundariesMatter() {
        var ab = StableHash(), a = StableHash()
        ab.combine("ab"); ab.combine("c")
        a.combine("a"); a.combine("bc")
        #expect(ab.value != a.value)
        #expect(ab.hex.count == 16 && StableHash().hex == "cbf29ce484222325")
        // Chaining from a value continues FNV-1a from there.
        var whole = StableHash(), tail = StableHash(value: StableHash.fnv1a("foo"))
        whole.combine("foobar".utf8)
        tail.combine("bar".utf8)
        #expect(whole.value == tail.value)
    }

    @Test func mixIsTheMurmur3Finaliser() {
        #expect(StableHash.mix(0) == 0)
        // fmix64 of MurmurHash3 (values from an independent Python transcription of the reference).
        #expect(StableHash.mix(1) == 0xC6D8_B2FC_0D85_CC2C)
        #expect(StableHash.mix(0x0123_4567_89AB_CDEF) == 0x7F2C_3AFE_F571_CC6A)
    }
}

struct ConcurrencyTests {
    @Test func parallelMapKeepsIndexOrderAndReportsEveryResult() throws {
        let reports = Locked<[Int]>([])
        let squares = try parallelMap(100, threads: 3, report: { n in reports.withLock { $0.append(n) } }) { $0 * $0 }
        #expect(squares == (0..<100).map { $0 * $0 })
        #expect(reports.value == Array(1...100))
        #expect(try parallelMap(0) { $0 } == [])
        #expect(try parallelMap(5) { $0 + 1 } == [1, 2, 3, 4, 5])
    }

    struct Failure: Error, Equatable { let index: Int }

    @Test func parallelMapRethrowsTheLowestFailingIndexAfterRunningEveryIndex() {
        let ran = Locked(0)
        #expect(throws: Failure(index: 3)) {
            try parallelMap(20, threads: 4) { i in
                ran.withLock { $0 += 1 }
                if i == 3 || i == 17 { throw Failure(index: i) }
                return i
            }
        }
        #expect(ran.value == 20)
    }

    @Test func lockedCountsExactlyUnderContention() {
        let total = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<10_000 { total.withLock { $0 += 1 } }
        }
        #expect(total.value == 80_000)
    }

    @Test func atomicWriteReplacesTheFileAndLeavesNoTemporary() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("common-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.json")
        try atomicWrite(Data("one".utf8), to: url)
        try atomicWrite(Data("two".utf8), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.json"])
        #expect(throws: (any Error).self) { try atomicWrite(Data(), to: directory.appendingPathComponent("missing/x")) }
    }
}

struct AttributionTests {
    /// An attribution is written as the base's name or `None`, and read back the same way.
    @Test func attributionsAreWrittenAsNamesAndNone() throws {
        #expect(Attribution(name: "None") == .none && Attribution(name: "") == .none && Attribution(name: "gpt2") == .base("gpt2"))
        #expect(Attribution(base: nil) == .none && Attribution.base("opt").base == "opt" && Attribution.none.name == "None")
        let data = try JSONEncoder().encode([Attribution.base("gpt2"), .none])
        #expect(String(decoding: data, as: UTF8.self) == #"["gpt2","None"]"#)
        #expect(try JSONDecoder().decode([Attribution].self, from: data) == [.base("gpt2"), .none])
    }
}

struct JSONValueTests {
    /// Settings are read through JSON values: every kind survives a round trip, seeds above Int64 included.
    @Test func valuesRoundTripExactly() throws {
        let value = JSONValue.object(["a": .integer(3), "b": .number(0.95), "c": .bool(true), "d": .string("x"),
                                      "e": .array([.null, .unsigned(UInt64.max)]), "f": .number(1e-9)])
        #expect(try JSONValue(encoding: value) == value)
        #expect(try JSONValue.integer(3).decode(Double.self) == 3)
        #expect(JSONValue.object(["b": .integer(1), "a": .array([.bool(false), .string("z")])]).canonical == #"{"a":[false,"z"],"b":1}"#)
    }
}

struct FileLockTests {
    /// One holder at a time: a second lock on the same file fails at once, naming the holder's
    /// process id; released, it can be taken again.
    @Test func aSecondHolderIsRefusedWithTheFirstHoldersProcess() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-lock-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var first: FileLock? = try FileLock(path: path)
        #expect(throws: FileLock.Failure.held(by: ProcessInfo.processInfo.processIdentifier)) { try FileLock(path: path) }
        first = nil
        _ = first
        _ = try FileLock(path: path)
    }
}


struct ExactJSONStringsTests {
    @Test func keepsEveryCharacterOfTopLevelStrings() {
        // Raw (unescaped) and escaped byte-order marks, zero-width and combining characters.
        let data = Data("{\"raw\": \"\u{FEFF}ab\", \"escaped\": \"\\ufeffcd\", \"zw\": \"\u{200B}e\u{0301}\", \"n\": 3, \"o\": {\"p\": \"q\"}}".utf8)
        let strings = ExactJSONStrings.strings(in: data)
        #expect(strings == ["raw": "\u{FEFF}ab", "escaped": "\u{FEFF}cd", "zw": "\u{200B}e\u{0301}"])
        #expect(ExactJSONStrings.strings(in: Data("[\"a\"]".utf8)).isEmpty)
        #expect(ExactJSONStrings.strings(in: Data("{\"a\": ".utf8)).isEmpty)
    }

    @Test func exactReplacesOnlyStringFields() throws {
        let data = Data("{\"prompt\": \"\u{FEFF}x\", \"model\": 2, \"tag\": \"y\"}".utf8)
        let parsed = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let exact = ExactJSONStrings.exact(parsed, from: data)
        #expect(exact["prompt"] as? String == "\u{FEFF}x")
        #expect(exact["tag"] as? String == "y")
        #expect((exact["model"] as? NSNumber)?.intValue == 2)
        #expect(exact.count == 3)
    }
}
