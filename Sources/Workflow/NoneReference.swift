import Corpora
import LanguageModels

/// The generative model of the `None` hypothesis for the embedded challenge: a generic
/// model that is none of the candidates, trained on held-out text pooled from every corpus
/// (like using another public model as the reference for "fine-tuned from something else").
/// It never sees a zoo model's training or fine-tuning text, and it is not the zoo's hidden
/// reference models, which the attributor does not know.
public enum NoneReference {
    /// Bytes of held-out text taken from each corpus.
    public static let bytesPerCorpus = 30_000

    public static func train(corpora: [Corpus], tokenizer: TokenizerConfiguration = .bpe(vocabularySize: 1000),
                             order: Int = 3) throws -> NGramLanguageModel {
        let documents = corpora.flatMap { corpus in
            corpus.text(in: .heldout, maxBytes: bytesPerCorpus).components(separatedBy: "\n\n")
        }
        return try NGramLanguageModel(tokenizer: tokenizer, order: order, documents: documents)
    }
}
