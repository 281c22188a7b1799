import ArgumentParser
import Calibration
import Foundation
import Workflow

/// Calibration options shared by `run` and `demo`: whether to fit beta and the answer cap on
/// calibration models, and on which text.
struct CalibrationOptions: ParsableArguments {
    @Flag(help: "Use --beta and --answer-cap as given instead of fitting them on calibration models.")
    var noCalibration = false
    @Option(help: ArgumentHelp(
        "Text the calibration models are fine-tuned on: plain UTF-8, documents separated by blank lines, never the evaluated fine-tunes' text.",
        discussion: "Default: the fine-tuning split of the installed corpora \(CalibrationText.defaultCorpora.joined(separator: ", ")).",
        valueName: "file"))
    var calibrationText: String?

    func validate() throws {
        if noCalibration, calibrationText != nil {
            throw ValidationError("--calibration-text has no effect with --no-calibration; pass one or the other.")
        }
    }

    /// A --beta that calibration would silently replace is an error.
    func validate(with engine: EngineOptions) throws {
        if !noCalibration, let beta = engine.beta {
            throw ValidationError("--beta \(beta) would be replaced by the calibration's fit; add --no-calibration to use it as given.")
        }
        if noCalibration, engine.hypothesisOffsets {
            throw ValidationError("--hypothesis-offsets are fitted by calibration; they have no effect with --no-calibration.")
        }
    }

    /// The calibration text to fit on, or nil under --no-calibration.
    var text: CalibrationText? {
        noCalibration ? nil : calibrationText.map { .file($0) } ?? .builtIn
    }

    /// The job's policy: fit on the text (cached in the folder of `store`), or fixed.
    func policy(store: String) -> AttributionJob.CalibrationPolicy {
        guard let text else { return .fixed }
        return .fit(text, excluding: [], cacheDirectory: URL(fileURLWithPath: store).deletingLastPathComponent())
    }
}
