import Foundation

/// Writes `data` to a temporary sibling of `url` (`.NAME.tmp`), then renames it over `url`,
/// so a reader never sees a half-written file, even after a crash.
public func atomicWrite(_ data: Data, to url: URL) throws {
    let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
    try data.write(to: tmp)
    // rename(2) replaces the destination atomically (Foundation's replaceItemAt does not on Linux).
    guard rename(tmp.path, url.path) == 0 else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
    }
}
