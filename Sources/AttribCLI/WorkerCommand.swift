import ArgumentParser
import Foundation
import ServerModels

/// `attrib worker`: a model worker (PyTorch, Hugging Face transformers) serving models in
/// batches over its JSON protocol on loopback, in the foreground until interrupted.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Serve causal language models in batches for attrib (PyTorch and transformers; worker/README.md).",
        discussion: """
            Each --model is NAME=SPEC or SPEC: a Hugging Face model directory, a .gguf file or \
            tiny:SEED (a small random model for tests). Prints one JSON line with its URL when \
            ready. Needs the worker's environment: bash scripts/install-worker.sh.
            """)

    @Option(help: "A model to serve: NAME=SPEC or SPEC (repeatable).") var model: [String]
    @Option(help: "Port on 127.0.0.1 (0: a free port, printed).") var port = 8601
    @Option(help: "cpu or cuda[:N] (default: cuda when present).") var device: String?
    // The worker declares these settings' defaults (worker/attrib_worker/__main__.py); only
    // the ones given here are passed on.
    @Option(help: "Weights' dtype: float32, bfloat16 or float64 (log-softmax is float32 or better; the worker's default: float32).") var dtype: String?
    @Option(help: "CPU threads for PyTorch (0, the worker's default: one on a CPU when every model is small, under 20 million parameters; else PyTorch's own choice).") var threads: Int?
    @Option(help: "Milliseconds a batch waits at most for requests still being read (the worker's default: 5; a lone client is never held).") var maxWaitMs: Double?
    @Option(help: "Tokens per model batch at most (0, the worker's default: 4096 on a CPU, 65536 on a GPU).") var maxBatchTokens: Int?
    @Option(help: "MiB of key/value caches the worker keeps for requests that grow a batch by one token (0: none), shared by its models (the worker's default: a quarter of the device's memory, at least 2048).") var cacheMb: Int?
    @Option(help: "The worker environment's python (default: $ATTRIB_WORKER_PYTHON or ~/.cache/attrib/worker-venv).") var python: String?

    func validate() throws {
        guard !model.isEmpty else { throw ValidationError("Give at least one --model.") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535, got \(port).") }
        if let dtype, !["float32", "bfloat16", "float64"].contains(dtype) { throw ValidationError("--dtype must be float32, bfloat16 or float64, got \(dtype).") }
        if let threads, threads < 0 { throw ValidationError("--threads cannot be negative, got \(threads).") }
        if let maxWaitMs, maxWaitMs < 0 { throw ValidationError("--max-wait-ms cannot be negative, got \(maxWaitMs).") }
        if let maxBatchTokens, maxBatchTokens < 0 { throw ValidationError("--max-batch-tokens must not be negative, got \(maxBatchTokens).") }
        if let cacheMb, cacheMb < 0 { throw ValidationError("--cache-mb must not be negative, got \(cacheMb).") }
    }

    func run() throws {
        let given: [(String, String?)] = [("--dtype", dtype), ("--threads", threads.map(String.init)), ("--max-wait-ms", maxWaitMs.map { "\($0)" }),
                                          ("--max-batch-tokens", maxBatchTokens.map(String.init)), ("--cache-mb", cacheMb.map(String.init))]
        let extra = given.flatMap { flag, value in value.map { [flag, $0] } ?? [] }
        let worker: WorkerProcess
        do {
            worker = try WorkerProcess(models: model, port: port, device: device, python: python ?? WorkerProcess.defaultPython, extra: extra)
        } catch {
            throw CommandFailure(error.description)
        }
        let ready = "{\"url\": \"\(worker.url)\", \"models\": [\(model.map { "\"\($0)\"" }.joined(separator: ", "))]}\n"
        FileHandle.standardOutput.write(Data(ready.utf8))
        worker.process.waitUntilExit()
        if worker.process.terminationStatus != 0 { throw ExitCode(worker.process.terminationStatus) }
    }
}
