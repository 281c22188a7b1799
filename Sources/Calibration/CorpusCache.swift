import Engine
import Common
import Corpora

/// Loads each corpus once per cache (cleaning the large ones takes seconds): a job, a demo or
/// an experiment holds one and hands it to the steps that need corpora.
public final class CorpusCache: Sendable {
    private let loaded = Locked<[String: Corpus]>([:])

    public init() {}

    public func corpus(_ name: String) throws -> Corpus {
        try loaded.withLock { loaded in
            if let c = loaded[name] { return c }
            let c = try Corpus.load(name)
            loaded[name] = c
            return c
        }
    }
}
