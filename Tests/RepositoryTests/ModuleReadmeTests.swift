import Foundation
import Testing

/// Every Swift module's README states its imports on one line, `Imports: \`A\`, \`B\`.` (or
/// `Imports: none.`), and that line, the module's `import` statements and its dependencies in
/// `Package.swift` name exactly the same modules. Foundation, Dispatch and the C library
/// (Glibc) are not counted.
struct ModuleReadmeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let uncounted: Set<String> = ["Foundation", "Dispatch", "Glibc", "Darwin", "ucrt", "Testing"]

    /// Target name → the names of its dependencies (targets and products), from `swift package
    /// dump-package`; `tests` selects the test targets instead of the source ones.
    static func packageDependencies(tests: Bool = false) throws -> [String: Set<String>] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // A scratch path of its own: `swift test` holds the lock on .build while tests run.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-dump-package-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        process.arguments = ["swift", "package", "--package-path", root.path, "--scratch-path", scratch.path, "dump-package"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var out: [String: Set<String>] = [:]
        for target in json["targets"] as? [[String: Any]] ?? [] {
            let type = target["type"] as? String
            guard let name = target["name"] as? String, tests ? type == "test" : (type == "regular" || type == "executable") else { continue }
            var names = Set<String>()
            for dependency in target["dependencies"] as? [[String: Any]] ?? [] {
                for key in ["byName", "target", "product"] {
                    if let list = dependency[key] as? [Any], let first = list.first as? String { names.insert(first) }
                }
            }
            out[name] = names
        }
        return out
    }

    /// A module's Swift files, relative to its folder (subfolders included).
    static func swiftFiles(_ module: String) throws -> [String] {
        let directory = root.appendingPathComponent("Sources/\(module)")
        return (FileManager.default.subpaths(atPath: directory.path) ?? []).filter { $0.hasSuffix(".swift") }.sorted()
    }

    /// The modules a module's Swift files import.
    static func sourceImports(_ module: String) throws -> Set<String> {
        let directory = root.appendingPathComponent("Sources/\(module)")
        var names = Set<String>()
        for file in try swiftFiles(module) {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ")
                guard let i = words.firstIndex(of: "import"), words[..<i].allSatisfy({ $0.hasPrefix("@") }), i + 1 < words.count else { continue }
                names.insert(String(words[i + 1]))
            }
        }
        return names.subtracting(uncounted)
    }

    /// The modules named on the README's `Imports:` line.
    static func readmeImports(_ module: String) throws -> Set<String>? {
        let text = try String(contentsOf: root.appendingPathComponent("Sources/\(module)/README.md"), encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Imports: ") }) else { return nil }
        let parts = line.split(separator: "`")
        return Set(stride(from: 1, to: parts.count, by: 2).map { String(parts[$0]) })
    }

    @Test func readmesSourcesAndPackageAgreeOnEveryModulesImports() throws {
        let package = try Self.packageDependencies()
        #expect(package.count >= 12, "dump-package found \(package.count) Swift targets")
        for (module, declared) in package.sorted(by: { $0.key < $1.key }) {
            let files = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Sources/\(module)").path)
            guard files.contains(where: { $0.hasSuffix(".swift") }) else { continue }  // C targets
            let imports = try Self.sourceImports(module)
            #expect(imports == declared, "\(module): its sources import \(imports.sorted()), Package.swift lists \(declared.sorted())")
            guard FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("Sources/\(module)/README.md").path) else { continue }
            let readme = try Self.readmeImports(module)
            #expect(readme != nil, "Sources/\(module)/README.md has no `Imports:` line")
            if let readme {
                #expect(readme == imports, "Sources/\(module)/README.md says \(readme.sorted()), its sources import \(imports.sorted())")
            }
        }
    }

    @Test func theSourcesReadmeListsEveryModule() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Sources/README.md"), encoding: .utf8)
        let modules = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Sources").path)
            .filter { !$0.hasSuffix(".md") }
        for module in modules {
            #expect(text.contains("`\(module)`"), "Sources/README.md does not list \(module)")
        }
    }

    /// Every module's README names each of its Swift files (by base name, in backticks), so a
    /// newcomer finds where a thing lives from the README alone.
    @Test func everyModuleReadmeListsItsFiles() throws {
        let modules = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Sources").path)
            .filter { !$0.hasSuffix(".md") }.sorted()
        for module in modules {
            let files = try Self.swiftFiles(module)
            guard !files.isEmpty, module != "attrib" else { continue }
            let readme = Self.root.appendingPathComponent("Sources/\(module)/README.md")
            let text = (try? String(contentsOf: readme, encoding: .utf8)) ?? ""
            for file in files {
                let name = String(URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)
                #expect(text.contains("`\(name)`") || text.contains("`\(file.dropLast(6))`"), "Sources/\(module)/README.md does not name \(file)")
            }
        }
    }

    /// Every test target lists the modules its files import: a module reached only through
    /// another is not rebuilt with the test when it changes, and a stale layout crashes the suite.
    @Test func testTargetsListTheModulesTheyImport() throws {
        let package = try Self.packageDependencies(tests: true)
        #expect(package.count >= 10, "dump-package found \(package.count) test targets")
        let ours = Set(try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Sources").path))
        for (target, declared) in package.sorted(by: { $0.key < $1.key }) {
            let folder = Self.root.appendingPathComponent("Tests/\(target)")
            var imports = Set<String>()
            for file in (FileManager.default.subpaths(atPath: folder.path) ?? []) where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ")
                    guard let i = words.firstIndex(of: "import"), words[..<i].allSatisfy({ $0.hasPrefix("@") }), i + 1 < words.count else { continue }
                    imports.insert(String(words[i + 1]))
                }
            }
            let missing = imports.intersection(ours).subtracting(declared)
            #expect(missing.isEmpty, "Tests/\(target) imports \(missing.sorted()) without listing them in Package.swift")
        }
    }
}

