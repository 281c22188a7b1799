import Common
import Foundation
import Hummingbird

/// The HTTP side of the simulator: routes `POST /query` and `GET /status` per
/// `mlmac-api.yml`, applies the fault knobs, and writes one log line per request.
struct SimulatorResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let models: any FineTuneResponder
    let tokens: TokenRegistry
    let state: SimulatorState
    let knobs: FaultKnobs
    let created: String
    let log: @Sendable (String) -> Void

    /// Thrown from a response body writer to drop the connection mid-response.
    struct DroppedConnection: Error {}

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let user = tokens.user(authorization: request.headers[.authorization])
        var note = ""
        let response: Response
        switch (request.method, request.uri.path) {
        case (.post, "/query"):
            (response, note) = try await query(request, context: context, user: user)
        case (.post, "/v1/completions"):
            (response, note) = try await completions(request, user: user)
        case (.get, "/status"):
            response = await status(user: user)
        case (_, "/query"), (_, "/status"):
            var refused = Self.json(.methodNotAllowed, ["status": "failed", "result": ["error": "method not allowed"]])
            refused.headers[.allow] = request.uri.path == "/query" ? "POST" : "GET"
            response = refused
        default:
            response = Self.json(.notFound, ["status": "failed", "result": ["error": "not found"]])
        }
        let elapsed = ContinuousClock.now - started
        let millis = Double(elapsed.components.attoseconds) * 1e-15 + Double(elapsed.components.seconds) * 1e3
        // The path and the user's name only: never the Authorization header.
        log("\(request.method.rawValue) \(request.uri.path)\(Self.modelSuffix(request)) "
            + "\(response.status.code)\(note) user=\(user ?? "-") \(String(format: "%.1f", millis))ms")
        return response
    }

    private func query(_ request: Request, context: Context, user: String?) async throws -> (Response, String) {
        guard let user else { return (Self.unauthorized, "") }
        guard let text = request.uri.queryParameters["model"], let model = Int(text),
              model >= 0, model < models.modelCount else {
            return (Self.badRequest("model must be an integer from 0 to \(models.modelCount - 1)"), "")
        }
        let bytes = try await request.body.collect(upTo: 1 << 22)
        // The spec makes `input` optional: a missing one is the empty prompt.
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any],
              case let object = ExactJSONStrings.exact(parsed, from: Data(buffer: bytes)),
              let prompt = object["input"] == nil ? "" : object["input"] as? String else {
            return (Self.badRequest("the body must be a JSON object with a string field input"), "")
        }
        switch await state.admit(user: user, model: model, prompt: prompt) {
        case .rateLimited(let retryAfter):
            var response = Self.json(.tooManyRequests, ["status": "failed", "result": ["error": "too many requests"]])
            response.headers[.retryAfter] = String(retryAfter)
            return (response, "")
        case .serverError:
            return (Self.json(.internalServerError, ["status": "failed", "result": ["error": "internal server error"]]), " injected")
        case .loading(let remaining):
            let counts = await state.counts(user: user)
            return (Self.json(.serviceUnavailable, [
                "status": "failed",
                "result": ["error": "currently loading", "estimated_time": (remaining * 1000).rounded() / 1000],
                "queries": Self.wire(counts),
            ]), " loading")
        case .answer(let sample, let fault):
            await state.began()
            if knobs.responseDelay > 0 {
                do { try await Task.sleep(for: .seconds(knobs.responseDelay)) } catch { await state.ended(); throw error }
            }
            let continuation: String
            do { continuation = try models.continuation(model: model, prompt: prompt, sample: sample); await state.ended() } catch {
                await state.ended()
                return (Self.json(.internalServerError, ["status": "failed", "result": ["error": "model failed"]]), " model-error")
            }
            let counts = await state.count(user: user, model: model, prompt: prompt)
            let body: [String: Any] = [
                "status": "success", "result": ["generated_text": prompt + continuation],
                "queries": Self.wire(counts),
            ]
            switch fault {
            case .none:
                return (Self.json(.ok, body), "")
            case .malformed:
                let full = Self.encode(body)
                let cut = ByteBuffer(bytes: full.prefix(max(1, full.count / 2)))
                return (Response(status: .ok, headers: [.contentType: "application/json"],
                                 body: .init(byteBuffer: cut)), " malformed")
            case .drop:
                return (Response(status: .ok, headers: [.contentType: "application/json"],
                                 body: ResponseBody { _ in throw DroppedConnection() }), " dropped")
            }
        }
    }

    /// `POST /v1/completions`, the OpenAI-compatible face of the same models: `model` is the
    /// model number as a string, `prompt` the text; `temperature` and `max_tokens` are
    /// honoured; counted, rate-limited and fault-injected like `/query`; `text` is the
    /// continuation alone.
    private func completions(_ request: Request, user: String?) async throws -> (Response, String) {
        guard let user else { return (Self.openAIError(.unauthorized, "invalid API key"), "") }
        let bytes = try await request.body.collect(upTo: 1 << 22)
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any],
              case let object = ExactJSONStrings.exact(parsed, from: Data(buffer: bytes)),
              let prompt = object["prompt"] as? String else {
            return (Self.openAIError(.badRequest, "the body must be a JSON object with a string field prompt"), "")
        }
        guard let name = object["model"] as? String, let model = Int(name), model >= 0, model < models.modelCount else {
            return (Self.openAIError(.badRequest, "model must be a model number from \"0\" to \"\(models.modelCount - 1)\""), "")
        }
        let requested = RequestedDecoding(temperature: (object["temperature"] as? NSNumber)?.doubleValue,
                                          maxNewTokens: (object["max_tokens"] as? NSNumber)?.intValue)
        switch await state.admit(user: user, model: model, prompt: prompt) {
        case .rateLimited(let retryAfter):
            var response = Self.openAIError(.tooManyRequests, "too many requests")
            response.headers[.retryAfter] = String(retryAfter)
            return (response, "")
        case .serverError:
            return (Self.openAIError(.internalServerError, "internal server error"), " injected")
        case .loading:
            return (Self.openAIError(.serviceUnavailable, "currently loading"), " loading")
        case .answer(let sample, _):
            await state.began()
            let continuation: String
            do {
                continuation = try models.continuation(model: model, prompt: prompt, sample: sample, requested: requested)
                await state.ended()
            } catch {
                await state.ended()
                return (Self.openAIError(.internalServerError, "model failed"), " model-error")
            }
            _ = await state.count(user: user, model: model, prompt: prompt)
            return (Self.json(.ok, [
                "object": "text_completion", "model": name,
                "choices": [["text": continuation, "index": 0, "finish_reason": "stop"]],
            ]), "")
        }
    }

    static func openAIError(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(status, ["error": ["message": message, "type": "invalid_request_error"]])
    }

    private func status(user: String?) async -> Response {
        guard let user else { return Self.unauthorized }
        let counts = await state.counts(user: user)
        // `api_key` is a label, not the token: the simulator never echoes secrets.
        return Self.json(.ok, [
            "api_key": "key-of-\(user)", "name": user, "created": created,
            "total_queries": counts.values.reduce(0, +), "queries": Self.wire(counts),
        ])
    }
}
