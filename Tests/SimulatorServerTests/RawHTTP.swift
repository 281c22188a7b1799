import Foundation

/// One exchange made with the `curl` command-line tool, so the simulator is tested from
/// outside the project's own client.
struct RawHTTP {
    var status: Int
    /// Header lines, lower-cased names.
    var headers: [String: String]
    var body: String

    /// Runs curl on its own thread: blocking the cooperative pool would starve the
    /// simulator's actor, which shares it.
    static func run(_ arguments: [String]) async throws -> RawHTTP {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try runBlocking(arguments) }) }.start()
        }
    }

    private static func runBlocking(_ arguments: [String]) throws -> RawHTTP {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        // A generous limit: under a loaded machine a 10 s limit once cut off an answer, which
        // then read as a dropped connection (status 0) and changed a seeded fault pattern.
        process.arguments = ["-s", "-i", "--max-time", "60"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return RawHTTP(status: 0, headers: [:], body: text) }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return RawHTTP(status: status, headers: headers, body: String(text[split.upperBound...]))
    }

    /// `POST base/query?model=…` with a JSON body and an optional bearer token.
    static func query(_ base: String, model: String, body: String, token: String?) async throws -> RawHTTP {
        var arguments = ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        return try await run(arguments + ["\(base)/query?model=\(model)"])
    }
}
