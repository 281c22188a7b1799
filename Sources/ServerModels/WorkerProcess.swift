import Common
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A model worker process (`python -m attrib_worker`) started from this repository's
/// `worker/` with the virtual environment `scripts/install-worker.sh` made: it loads its
/// models, prints one JSON line with its URL, and serves until stopped.
public final class WorkerProcess: @unchecked Sendable {
    public let url: String
    public let process: Process

    /// The venv's python: `$ATTRIB_WORKER_PYTHON`, else `$ATTRIB_CACHE/worker-venv/bin/python`
    /// (default cache `~/.cache/attrib`).
    public static var defaultPython: String {
        let environment = ProcessInfo.processInfo.environment
        if let python = environment["ATTRIB_WORKER_PYTHON"], !python.isEmpty { return python }
        let cache = environment["ATTRIB_CACHE"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache/attrib")
        return cache + "/worker-venv/bin/python"
    }

    /// The environment the worker's package runs in: ours, the worker's folder on `PYTHONPATH`.
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = Repository.path("worker") + (environment["PYTHONPATH"].map { ":" + $0 } ?? "")
        return environment
    }

    /// Runs `python -m MODULE ARGUMENTS` of the worker's package to its end, its standard error
    /// passing through to ours; a failure is thrown with the last line it wrote there.
    public static func runModule(_ module: String, arguments: [String], python: String = WorkerProcess.defaultPython) throws(ServerModelError) {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ServerModelError(url: module, reason: "no worker environment at \(python): run bash scripts/install-worker.sh")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-m", module] + arguments
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        do { try process.run() } catch {
            throw ServerModelError(url: module, reason: "\(python) cannot be started: \(error.localizedDescription)")
        }
        // Passed on as it comes (a build prints a line per model, minutes apart).
        var written = Data()
        while true {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            FileHandle.standardError.write(chunk)
            written.append(chunk)
        }
        let last = written.split(separator: 0x0A).last.map { String(decoding: $0, as: UTF8.self) } ?? ""
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ServerModelError(url: module, reason: "python -m \(module) failed (exit status \(process.terminationStatus)): \(last)")
        }
    }

    /// The worker's arguments for `models` (`NAME=SPEC` or `SPEC`) on `port` (0: any free one);
    /// the worker ends when this process does, however it ends.
    public static func arguments(models: [String], port: Int, device: String?, extra: [String] = []) -> [String] {
        ["-m", "attrib_worker"] + models.flatMap { ["--model", $0] } + ["--port", "\(port)"]
            + (device.map { ["--device", $0] } ?? []) + ["--exit-with-parent"] + extra
    }

    /// Starts a worker and waits until it serves (or fails to load, which is thrown with its
    /// own sentence). Its standard error passes through to ours.
    public init(models: [String], port: Int = 0, device: String? = nil, python: String = WorkerProcess.defaultPython,
                extra: [String] = []) throws(ServerModelError) {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ServerModelError(url: "worker", reason: "no worker environment at \(python): run bash scripts/install-worker.sh")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = Self.arguments(models: models, port: port, device: device, extra: extra)
        process.environment = Self.environment
        let out = Pipe()
        process.standardOutput = out
        do { try process.run() } catch {
            throw ServerModelError(url: "worker", reason: "\(python) cannot be started: \(error.localizedDescription)")
        }
        // The first line: {"protocol": 1, "url": "http://127.0.0.1:P", "models": [...]}.
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        struct Ready: Decodable { var url: String }
        guard let ready = try? JSONDecoder().decode(Ready.self, from: line) else {
            process.waitUntilExit()
            throw ServerModelError(url: "worker", reason: "the worker for \(models.joined(separator: ", ")) did not start (exit status \(process.terminationStatus); its error is above)")
        }
        self.url = ready.url
        self.process = process
    }

    /// Stops the worker (SIGTERM, then SIGKILL after 5 s) and waits for it.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}
