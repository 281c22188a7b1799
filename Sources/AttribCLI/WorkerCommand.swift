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
    @Option(help: "Weights' dtype: float32, bfloat16 or float64 (log-softmax is float32 or better).") var dtype = "float32"
    @Option(help: "CPU threads for PyTorch (0: its default).") var threads = 0
    @Option(help: "Milliseconds a batch waits for more requests.") var maxWaitMs = 5.0
    @Option(help: "Tokens per model batch at most (0: 4096 on a CPU, 65536 on a GPU).") var maxBatchTokens = 0
    @Option(help: "MiB of key/value caches the worker keeps for requests that grow a batch by one token (0: none), shared by its models.") var cacheMb = 2048
    @Option(help: "The worker environment's python (default: $ATTRIB_WORKER_PYTHON or ~/.cache/attrib/worker-venv).") var python: String?

    func validate() throws {
        guard !model.isEmpty else { throw ValidationError("Give at least one --model.") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535, got \(port).") }
        guard ["float32", "bfloat16", "float64"].contains(dtype) else { throw ValidationError("--dtype must be float32, bfloat16 or float64, got \(dtype).") }
        guard threads >= 0 else { throw ValidationError("--threads cannot be negative, got \(threads).") }
        guard maxWaitMs >= 0 else { throw ValidationError("--max-wait-ms cannot be negative, got \(maxWaitMs).") }
        guard maxBatchTokens >= 0 else { throw ValidationError("--max-batch-tokens must not be negative, got \(maxBatchTokens).") }
        guard cacheMb >= 0 else { throw ValidationError("--cache-mb must not be negative, got \(cacheMb).") }
    }

    func run() throws {
        let extra = ["--dtype", dtype, "--threads", "\(threads)", "--max-wait-ms", "\(maxWaitMs)", "--max-batch-tokens", "\(maxBatchTokens)", "--cache-mb", "\(cacheMb)"]
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
