import Common
import Foundation
import Transport

/// One inference server: its base URL (`http://127.0.0.1:8080`) and the model name sent in
/// requests (servers that serve one model ignore it).
public struct ServerEndpoint: Sendable, Hashable, Codable {
    public var url: String
    public var model: String

    public init(url: String, model: String = "") {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.model = model
    }

    /// `model` may be left out (servers of one model ignore it).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(url: try c.decode(String.self, forKey: .url), model: try c.decodeIfPresent(String.self, forKey: .model) ?? "")
    }
}

/// Several endpoints that serve the same model file, behind one blocking `post`: each request
/// goes to the healthy replica with the fewest requests in flight, at most
/// `concurrencyPerReplica` at once per replica (callers wait their turn). A replica that fails
/// (no response, or a 5xx) is routed around for `cooldown` seconds, doubling on each further
/// failure up to a minute, and then tried again; a request fails only when no replica has
/// answered it within `patience` seconds. This is the scale-out path: more servers on more
/// GPUs behind one bases-file entry.
public final class ReplicaSet: Sendable {
    public let endpoints: [ServerEndpoint]
    public let concurrencyPerReplica: Int
    /// Seconds a failed replica is left alone before it is tried again (doubles per failure).
    public let cooldown: Double
    /// Seconds one request may spend waiting for and retrying across replicas.
    public let patience: Double
    /// Seconds one HTTP exchange may take.
    public let requestTimeout: Double

    private struct Replica {
        var inFlight = 0
        var downUntil: Date? = nil
        var consecutiveFailures = 0
        var served = 0
        var failures = 0
    }

    private let client = BlockingHTTPClient()
    private let state: Locked<[Replica]>
    private let wake = NSCondition()

    public init(endpoints: [ServerEndpoint], concurrencyPerReplica: Int = 2, cooldown: Double = 2,
                patience: Double = 300, requestTimeout: Double = 120) {
        precondition(!endpoints.isEmpty, "a replica set needs at least one endpoint")
        self.endpoints = endpoints
        self.concurrencyPerReplica = max(1, concurrencyPerReplica)
        self.cooldown = cooldown
        self.patience = patience
        self.requestTimeout = requestTimeout
        state = Locked(Array(repeating: Replica(), count: endpoints.count))
    }

    /// Requests answered and failures seen, per replica, in endpoint order.
    public func counts() -> [(served: Int, failures: Int)] {
        state.withLock { $0.map { ($0.served, $0.failures) } }
    }

    /// Sends `body` as JSON to `path` on one replica and returns the decoded answer; `model`
    /// fills the request's model name per replica. A 4xx answer is the caller's error and is
    /// not retried elsewhere. `replica` pins the request to one endpoint; `timeout` (seconds)
    /// replaces the request timeout and the patience, for work known to be long (fine-tuning),
    /// where a server error is final too (`finalServerErrors`: retrying would redo the work).
    func post<Body: Encodable, Answer: Decodable>(_ path: String, _ make: (ServerEndpoint) -> Body, as: Answer.Type,
                                                  replica: Int? = nil, timeout: Double? = nil,
                                                  finalServerErrors: Bool = false) throws(ServerModelError) -> Answer {
        let bytes = try exchange(path, method: .post, make: { endpoint in
            (try? JSONEncoder().encode(make(endpoint))).map { Array($0) } ?? []
        }, only: replica, timeout: timeout, finalServerErrors: finalServerErrors)
        do {
            return try attribJSONDecoder().decode(Answer.self, from: Data(bytes.body))
        } catch {
            throw ServerModelError(url: bytes.url + path, reason: "the answer is not the expected JSON (\(error))")
        }
    }

    /// `GET path` on one replica (on `replica` when given), decoded.
    func get<Answer: Decodable>(_ path: String, as: Answer.Type, replica: Int? = nil) throws(ServerModelError) -> Answer {
        let bytes = try exchange(path, method: .get, make: { _ in [] }, only: replica)
        do {
            return try attribJSONDecoder().decode(Answer.self, from: Data(bytes.body))
        } catch {
            throw ServerModelError(url: bytes.url + path, reason: "the answer is not the expected JSON (\(error))")
        }
    }

    private func exchange(_ path: String, method: HTTPRequest.Method, make: (ServerEndpoint) -> [UInt8],
                          only: Int? = nil, timeout: Double? = nil, finalServerErrors: Bool = false) throws(ServerModelError) -> (url: String, body: [UInt8]) {
        let patience = max(self.patience, timeout ?? 0)
        let deadline = Date().addingTimeInterval(patience)
        var lastProblem = "no replica answered"
        while true {
            guard let index = checkOut(until: deadline, only: only) else {
                throw ServerModelError(url: endpoints.map(\.url).joined(separator: ", "),
                                       reason: "no replica answered \(path) within \(Int(patience)) s (last: \(lastProblem))")
            }
            let endpoint = endpoints[index]
            let request = HTTPRequest(method: method, url: endpoint.url + path,
                                      headers: [("Content-Type", "application/json")], body: make(endpoint),
                                      connectTimeout: 5, totalTimeout: timeout ?? requestTimeout)
            let outcome: Result<HTTPResponse, TransportError>
            do { outcome = .success(try client.send(request)) } catch { outcome = .failure(error) }
            switch outcome {
            case .success(let response) where response.status == 200:
                checkIn(index, failed: false)
                return (endpoint.url, response.body)
            case .success(let response) where ((400..<500).contains(response.status) && response.status != 429)
                                            || (finalServerErrors && response.status >= 500):
                checkIn(index, failed: false)
                throw ServerModelError(url: endpoint.url + path, reason: "HTTP \(response.status): \(response.bodyText.prefix(300))")
            case .success(let response):
                // The server's own sentence, so that a failure the retries cannot cure names its cause.
                lastProblem = "\(endpoint.url) HTTP \(response.status): \(response.bodyText.prefix(300))"
                checkIn(index, failed: true)
            case .failure(let error):
                lastProblem = "\(endpoint.url) \(error)"
                checkIn(index, failed: true)
            }
        }
    }

    /// Waits for a healthy replica with a free slot (or for a failed one's cooldown to end)
    /// and takes the slot; nil once `deadline` passes.
    private func checkOut(until deadline: Date, only: Int?) -> Int? {
        wake.lock()
        defer { wake.unlock() }
        while true {
            let now = Date()
            if now >= deadline { return nil }
            let (choice, nextRetry) = state.withLock { replicas -> (Int?, Date?) in
                var best: Int? = nil
                var nextRetry: Date? = nil
                for (k, r) in replicas.enumerated() where only == nil || only == k {
                    if let down = r.downUntil, down > now {
                        nextRetry = min(nextRetry ?? down, down)
                        continue
                    }
                    guard r.inFlight < concurrencyPerReplica else { continue }
                    if best == nil || r.inFlight < replicas[best!].inFlight { best = k }
                }
                if let best { replicas[best].inFlight += 1 }
                return (best, nextRetry)
            }
            if let choice { return choice }
            _ = wake.wait(until: min(deadline, nextRetry ?? deadline, now.addingTimeInterval(1)))
        }
    }

    private func checkIn(_ index: Int, failed: Bool) {
        wake.lock()
        state.withLock { replicas in
            replicas[index].inFlight -= 1
            if failed {
                replicas[index].failures += 1
                replicas[index].consecutiveFailures += 1
                let wait = min(60, cooldown * pow(2, Double(replicas[index].consecutiveFailures - 1)))
                replicas[index].downUntil = Date().addingTimeInterval(wait)
            } else {
                replicas[index].served += 1
                replicas[index].consecutiveFailures = 0
                replicas[index].downUntil = nil
            }
        }
        wake.broadcast()
        wake.unlock()
    }
}
