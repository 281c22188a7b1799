import AttributionCore
import Common

/// Everything that shapes the engine of a run, by concern, with the defaults `attrib run` and
/// `attrib demo` use, plus the engine's seed and its threads.
///
/// Written flat: every group's keys side by side in one JSON object (what `report.json` and
/// experiment cells record). A key missing from a file is a setting that did not exist when it
/// was written: it takes its default, which is the behaviour from before the setting existed
/// (an absent optional is nil, as written), or, where the default has changed since, what it
/// was then (`keysBeforeTheyWereSettings`).
public struct EngineSettings: Sendable, Equatable {
    public var observation = ObservationSettings()
    public var stopping = StoppingSettings()
    public var scheduling = SchedulingSettings()
    public var calibration = CalibrationSettings()
    /// Random seed of the engine (tensor sampling, tie-breaks, calibration models).
    public var seed: UInt64 = 1
    /// Threads for precomputing tensors.
    public var threads = 2

    public init() {}

    /// The command line's help for each setting, by key (`attrib --help` shows these).
    public static let helpTexts: [String: String] = [
        "seed": "Random seed of the engine (tensor sampling, tie-breaks).",
        "threads": "Threads for precomputing tensors.",
    ]

    /// Keys whose default changed after they became settings, with the value a file written
    /// before then ran with.
    public static let keysBeforeTheyWereSettings: [String: JSONValue] = [
        "calibrationAnswers": .integer(12),
    ]

    /// Every key of every group, and the engine's own.
    public static var keys: [String] {
        ObservationSettings.keys + StoppingSettings.keys + SchedulingSettings.keys + CalibrationSettings.keys + ["seed", "threads"]
    }

    /// Answers per calibration model for these settings' budget.
    public var calibrationAnswerCount: Int { calibration.calibrationAnswers.answers(budgetPerModel: stopping.budgetPerModel) }

    /// Every problem with these settings, as (key, reason).
    public func problems() -> [(key: String, reason: String)] {
        observation.problems() + stopping.problems() + scheduling.problems() + calibration.problems()
            + (threads < 1 ? [("threads", "must be at least 1, got \(threads)")] : [])
    }

    /// The settings as one flat JSON object.
    public var jsonObject: [String: JSONValue] {
        var o = observation.jsonObject
        o.merge(stopping.jsonObject) { a, _ in a }
        o.merge(scheduling.jsonObject) { a, _ in a }
        o.merge(calibration.jsonObject) { a, _ in a }
        o["seed"] = .unsigned(seed)
        o["threads"] = .integer(Int64(threads))
        return o
    }

    /// These settings with the keys of `object` read over them (a key absent keeps its value;
    /// `null` makes an optional nil). Unknown keys are refused.
    public func patched(by object: [String: JSONValue]) throws -> EngineSettings {
        if let unknown = object.keys.sorted().first(where: { !Self.keys.contains($0) }) {
            throw SettingsError(field: unknown, reason: "is not a setting" + (Self.nearestKey(to: unknown).map { " (did you mean \($0)?)" } ?? ""))
        }
        var s = self
        s.observation = try .reading(object, over: observation)
        s.stopping = try .reading(object, over: stopping)
        s.scheduling = try .reading(object, over: scheduling)
        s.calibration = try .reading(object, over: calibration)
        if let v = object["seed"] { s.seed = try v.decode(UInt64.self) }
        if let v = object["threads"] { s.threads = try v.decode(Int.self) }
        return s
    }

    /// The known key closest to `key` by edit distance, when it is close.
    public static func nearestKey(to key: String) -> String? { nearestName(to: key, among: keys) }

    /// A fingerprint of `keys`' values (all when nil): the canonical JSON of those settings.
    public func fingerprint(of keys: [String]? = nil) -> String {
        let o = jsonObject
        let chosen = keys.map { k in o.filter { k.contains($0.key) } } ?? o
        var h = StableHash()
        h.combine(JSONValue.object(chosen).canonical)
        return h.hex
    }
}

extension EngineSettings: Codable {
    public init(from decoder: any Decoder) throws {
        let given = try [String: JSONValue](from: decoder)
        var object = Self.keysBeforeTheyWereSettings.filter { given[$0.key] == nil }
        // A record written with every setting: an optional it leaves out was nil.
        let optional = ObservationSettings.optionalKeys.union(StoppingSettings.optionalKeys)
            .union(SchedulingSettings.optionalKeys).union(CalibrationSettings.optionalKeys)
        for key in optional where given[key] == nil { object[key] = .null }
        for (key, value) in given where Self.keys.contains(key) { object[key] = value }
        self = try EngineSettings().patched(by: object)
    }

    public func encode(to encoder: any Encoder) throws {
        try jsonObject.encode(to: encoder)
    }
}
