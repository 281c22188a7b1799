import Common
/// What calibration fits and on how long trajectories. Keys are the property names.
public struct CalibrationSettings: SettingsGroup {
    /// Answers each calibration model gives: the length of the trajectories whose threshold
    /// stops the fit keeps honest. By default the budget per model, at most
    /// `CalibrationLength.maximum`: a run that goes on longer than calibration looked is
    /// stopped on evidence calibration never checked (round2-like at budget 100: 63 of 71
    /// threshold stops right with 12 answers, 59 of 60 with 30;
    /// `Results/round2-like-calibration-answers/`; the default measured against 12 on
    /// round1-like, round2-like and check-a in `Results/*-calibration-budget/`).
    /// Settings written before this was a setting read as 12 answers, what they ran.
    public var calibrationAnswers = CalibrationLength.budget
    /// Fit per-hypothesis offsets on the calibration models and subtract them from every
    /// answer's log-likelihoods and every tensor row (`ObservationSettings.answerOffsets`): a
    /// bias correction for hypotheses that explain other bases' fine-tunes too well. Off by
    /// default: on round1-like it cost about one right attribution in twelve at budgets 3 to
    /// 10, trading errors between relatives (`Results/round1-like-offsets/`).
    public var hypothesisOffsets = false

    public init() {}

    /// The command line's help for each setting, by key (`attrib --help` shows these).
    public static let helpTexts: [String: String] = [
        "hypothesisOffsets": "Fit per-hypothesis offsets (nats per answer) on the calibration models and subtract them from every answer's and tensor row's log-likelihoods: a correction for hypotheses that explain other bases' fine-tunes too well.",
        "calibrationAnswers": "Answers each calibration model gives (a trajectory's length), or budget: the budget per model, at most \(CalibrationLength.maximum). Calibration keeps stops honest only up to this many answers.",
    ]

    public func problems() -> [(key: String, reason: String)] { [] }
}
