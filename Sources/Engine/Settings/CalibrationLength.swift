/// How many answers each calibration model gives: the length of the trajectories whose
/// threshold stops calibration keeps honest (`CalibrationSettings.answers`).
///
/// A run stopped after more answers than calibration looked at is stopped on evidence that
/// calibration never checked; a calibration much longer than the run costs time and fits beta
/// and the cap to trajectories the run never reaches. So by default the length follows the
/// run's budget per model, up to `maximum`.
///
/// Written in settings files and specs as a number of answers or as `"budget"`.
public enum CalibrationLength: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Exactly this many answers per calibration model.
    case answers(Int)
    /// The run's budget per model, at most `maximum` answers.
    case budget

    /// The longest calibration `.budget` asks for, in answers per calibration model: the
    /// longest measured. Calibration's time grows with its length (100 answers: about 75 s on
    /// round1-like and 85 s on check-a, against 15 s at 12), while at budget 100 a 30-answer
    /// calibration left threshold stops right only 41 of 46 times on round1-like and 70 of 83
    /// on check-a, and a 100-answer one 30 of 30 and 69 of 72
    /// (`Results/*-calibration-100/`).
    public static let maximum = 100

    /// What settings written before the length was a setting used: 12 answers, whatever the budget.
    public static let beforeItWasASetting = CalibrationLength.answers(12)

    /// The answers per calibration model for a run of `budgetPerModel` queries per model.
    public func answers(budgetPerModel: Int) -> Int {
        switch self {
        case .answers(let n): n
        case .budget: max(1, min(budgetPerModel, Self.maximum))
        }
    }

    /// Parses `"budget"` or a positive number of answers; nil for anything else.
    public init?(argument: String) {
        if argument == "budget" { self = .budget; return }
        guard let n = Int(argument), n >= 1 else { return nil }
        self = .answers(n)
    }

    /// As people and files write it: "budget" or the number.
    public var description: String {
        switch self {
        case .answers(let n): "\(n)"
        case .budget: "budget"
        }
    }
}

extension CalibrationLength: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) {
            guard n >= 1 else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "must be at least 1, got \(n)") }
            self = .answers(n)
            return
        }
        let text = try c.decode(String.self)
        guard text == "budget" else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "must be a number of answers or \"budget\", got \"\(text)\"")
        }
        self = .budget
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .answers(let n): try c.encode(n)
        case .budget: try c.encode("budget")
        }
    }
}
