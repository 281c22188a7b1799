import Common
import Corpora

/// Loads each corpus once per process (cleaning the large ones takes seconds).
final class CorpusCache: Sendable {
    /// The process's cache: every step that needs a corpus asks it.
    static let shared = CorpusCache()

    private let loaded = Locked<[String: Corpus]>([:])

    func corpus(_ name: String) throws -> Corpus {
        try loaded.withLock { loaded in
            if let c = loaded[name] { return c }
            let c = try Corpus.load(name)
            loaded[name] = c
            return c
        }
    }
}
