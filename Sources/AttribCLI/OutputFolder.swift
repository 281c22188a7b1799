import ArgumentParser
import Foundation

/// An output folder option checked before anything runs (and before anything is paid): it
/// must be a folder or not exist yet, inside a folder this process can write.
enum OutputFolder {
    static func check(_ path: String, flag: String) throws {
        var isFolder: ObjCBool = false
        let fm = FileManager.default
        if fm.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw ValidationError("\(flag) \(path) is a file, not a folder: give a folder (it is created if missing).") }
            guard fm.isWritableFile(atPath: path) else { throw ValidationError("\(flag) \(path) is not writable.") }
            return
        }
        var parent = URL(fileURLWithPath: path).deletingLastPathComponent()
        while !fm.fileExists(atPath: parent.path) && parent.path != "/" { parent = parent.deletingLastPathComponent() }
        guard fm.fileExists(atPath: parent.path, isDirectory: &isFolder), isFolder.boolValue, fm.isWritableFile(atPath: parent.path) else {
            throw ValidationError("\(flag) \(path) cannot be created: \(parent.path) is not a writable folder.")
        }
    }
}
