import Foundation
import Testing
@testable import Storage

@Suite struct ResponseStoreTests {
    func temporaryPath() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-store-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("store.sqlite").path
    }

    @Test func roundTripsTensorsBitForBit() throws {
        let path = temporaryPath()
        let store = try ResponseStore(path: path)
        let values: [Float] = [0, -1.5, -.infinity, 3.25e-30, -88.7, 1, 2, -3]
        let tensor = StoredTensor(states: 2, samples: 2, values: values)
        #expect(try store.tensor(fingerprint: "a") == nil)
        try store.put(fingerprint: "a", prompt: "The ", tensor: tensor)
        #expect(try store.tensor(fingerprint: "a") == tensor)
        #expect(try store.count() == 1)
        // A second connection (a resumed run) sees the committed row.
        let reopened = try ResponseStore(path: path)
        #expect(try reopened.tensor(fingerprint: "a")?.values.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test func replacesRowsWithTheSameFingerprint() throws {
        let store = try ResponseStore(path: temporaryPath())
        try store.put(fingerprint: "k", prompt: "p", tensor: StoredTensor(states: 1, samples: 1, values: [1]))
        try store.put(fingerprint: "k", prompt: "p", tensor: StoredTensor(states: 1, samples: 1, values: [2]))
        #expect(try store.tensor(fingerprint: "k")?.values == [2])
        #expect(try store.count() == 1)
    }

    @Test func unopenableFileIsAClearError() {
        #expect(throws: ResponseStoreError.self) { try ResponseStore(path: "/nonexistent-dir/x/store.sqlite") }
        do { _ = try ResponseStore(path: "/nonexistent-dir/x/store.sqlite") } catch {
            #expect(error.description.contains("/nonexistent-dir/x/store.sqlite"))
        }
    }
}
