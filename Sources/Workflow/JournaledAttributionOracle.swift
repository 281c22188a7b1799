import Engine
import Oracles

/// The live API behind the query journal, as the engine's oracle: answered queries replay
/// from the journal, new ones are journaled before they are sent.
public struct JournaledAttributionOracle: AttributionOracle {
    public let journaled: JournaledOracle

    public init(_ journaled: JournaledOracle) { self.journaled = journaled }

    public func respond(model: Int, prompt: String, sequence: Int) async throws -> String {
        let answer = try await journaled.ask(model: model, prompt: prompt)
        guard answer.sequence == sequence else {
            throw WorkflowError.sequenceMismatch(model: model, engine: sequence, journal: answer.sequence)
        }
        return answer.continuation
    }
}

/// A failure of a workflow step, as a sentence.
public enum WorkflowError: Error, Equatable, CustomStringConvertible {
    case sequenceMismatch(model: Int, engine: Int, journal: Int)
    case invalid(file: String, field: String, reason: String)
    case busy(directory: String)

    public var description: String {
        switch self {
        case .busy(let d):
            return "\(d) is in use by another attrib demo (it holds \(d)/.lock); wait for it to finish, or pass another --work folder"
        case .sequenceMismatch(let m, let e, let j):
            return "model \(m): the engine asked query \(e) but the journal is at query \(j); was the journal written by another run?"
        case .invalid(let f, let field, let r): return "\(f): field \"\(field)\": \(r)"
        }
    }
}
