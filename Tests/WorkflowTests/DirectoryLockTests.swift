import Common
@testable import Experiments
import Foundation
import Testing
@testable import Workflow

@Suite struct DirectoryLockTests {
    /// A second holder is refused with a clear error while the first holds the lock, and
    /// gets it once the first lets go.
    @Test func secondHolderIsRefusedUntilTheFirstReleases() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var first: DirectoryLock? = try DirectoryLock(directory: directory)
        #expect(throws: AttribError.busy(directory: directory.path)) { try DirectoryLock(directory: directory) }
        #expect(AttribError.busy(directory: directory.path).description.contains("another attrib demo"))
        withExtendedLifetime(first) {}
        first = nil
        let again = try DirectoryLock(directory: directory)
        withExtendedLifetime(again) {}
    }
}
