import Engine
import Corpora
import Foundation

/// The text the calibration models are fine-tuned on: never the evaluated fine-tunes' text.
///
/// `attrib demo` and `attrib run` both fit beta and the answer cap on fine-tunes of the
/// candidate bases toward this text (`Calibration.fit`). The built-in text is the fine-tuning
/// split of `defaultCorpora` (installed by `scripts/install-corpora.sh`); a user may bring
/// their own, closer to what they expect the API's fine-tunes to have been trained on.
public enum CalibrationText: Sendable, Equatable {
    /// The fine-tuning split of `defaultCorpora`, `bytesPerCorpus` bytes of each.
    case builtIn
    /// A plain UTF-8 text file; documents are separated by blank lines.
    case file(String)

    /// Corpora whose fine-tuning split is the built-in calibration text. None of them is the
    /// fine-tuning domain of a shipped zoo's model (a test checks it): the zoos fine-tune on the
    /// same split, so a shared corpus would calibrate on near copies of evaluated fine-tunes.
    public static let defaultCorpora = ["developers-reference", "bofh-excuses"]
    /// Bytes of each default corpus's fine-tuning split used, at most.
    public static let bytesPerCorpus = 40_000
    /// Fewest documents a calibration text must hold: each calibration model is a fine-tune on
    /// all of them, and a handful of paragraphs would calibrate on near copies of the bases.
    public static let minimumDocuments = 10

    /// The text in words, for progress lines.
    public var name: String {
        switch self {
        case .builtIn: return "the built-in calibration text (\(Self.defaultCorpora.joined(separator: ", ")))"
        case .file(let path): return path
        }
    }

    /// The calibration documents. `corpus` loads a corpus by name (the demo passes its cache);
    /// the built-in text leaves out the corpora in `excluding` (the demo passes its zoo's
    /// fine-tuning domains).
    public func documents(corpus: (String) throws -> Corpus = { try Corpus.load($0) },
                          excluding: Set<String> = []) throws -> [String] {
        switch self {
        case .builtIn:
            let names = Self.defaultCorpora.filter { !excluding.contains($0) }
            guard !names.isEmpty else { throw CalibrationTextError.everyCorpusExcluded(Self.defaultCorpora) }
            do {
                return try names.flatMap {
                    Self.split(try corpus($0).text(in: .finetune, maxBytes: Self.bytesPerCorpus))
                }
            } catch {
                throw CalibrationTextError.corporaMissing(reason: "\(error)")
            }
        case .file(let path):
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw CalibrationTextError.unreadable(path: path, reason: (error as NSError).localizedDescription)
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw CalibrationTextError.unreadable(path: path, reason: "it is not UTF-8 text")
            }
            let documents = Self.split(text)
            guard documents.count >= Self.minimumDocuments else {
                throw CalibrationTextError.tooShort(path: path, documents: documents.count)
            }
            return documents
        }
    }

    /// Documents of `text`: its blank-line separated paragraphs, trimmed, empty ones dropped.
    /// Windows line ends count as line ends.
    public static func split(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n", with: "\n")
            .components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
    }
}

/// A calibration text that cannot be used; the message names the file or the missing corpora.
public enum CalibrationTextError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case tooShort(path: String, documents: Int)
    case corporaMissing(reason: String)
    case everyCorpusExcluded([String])

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "calibration text \(path): cannot be read: \(reason)"
        case .tooShort(let path, let documents):
            return "calibration text \(path): \(documents) document\(documents == 1 ? "" : "s") (paragraphs separated by blank lines); "
                + "calibration needs at least \(CalibrationText.minimumDocuments)"
        case .corporaMissing(let reason):
            return "the built-in calibration text needs the corpora \(CalibrationText.defaultCorpora.joined(separator: ", ")) "
                + "(bash scripts/install-corpora.sh), or pass --calibration-text FILE, or --no-calibration to use --beta and "
                + "--answer-cap as given: \(reason)"
        case .everyCorpusExcluded(let names):
            return "the built-in calibration text (\(names.joined(separator: ", "))) is the fine-tuning text of a model being "
                + "evaluated; pass --calibration-text FILE with other text"
        }
    }
}
