import Engine
import Common
import Corpora
import LanguageModels

/// The built-in prompt pool: short openings of held-out documents of every corpus.
///
/// Drawn deterministically from the `heldout` split, which no zoo model trains or fine-tunes
/// on. Prompts are short on purpose: MLMAC's length limit counts the prompt, so a short
/// prompt buys up to ~19 tokens of response and a long one a single token. Lengths run from
/// one word to a few words, and every source contributes in turn.
public enum DefaultPool {
    /// `count` distinct prompts, cycling through `corpora`.
    public static func make(corpora: [Corpus], count: Int = 64, seed: UInt64 = 7) -> PromptPool {
        var rng = SeededGenerator(seed: seed)
        let documents = corpora.map { $0.documents(in: .heldout) }.filter { !$0.isEmpty }
        precondition(!documents.isEmpty, "the default pool needs held-out text")
        var prompts = [String](), seen = Set<String>()
        var attempts = 0
        while prompts.count < count && attempts < count * 50 {
            attempts += 1
            let docs = documents[prompts.count % documents.count]
            let doc = docs[Int(rng.next() % UInt64(docs.count))]
            let words = doc.split(whereSeparator: \.isWhitespace)
            guard !words.isEmpty else { continue }
            let take = 1 + Int(rng.next() % UInt64(min(4, words.count)))
            // Keep the space after the last word half of the time: it changes the next token.
            var prompt = words.prefix(take).joined(separator: " ")
            if rng.next() % 2 == 0 { prompt += " " }
            guard prompt.utf8.count <= 40, seen.insert(prompt).inserted else { continue }
            prompts.append(prompt)
        }
        return PromptPool(prompts: prompts)
    }
}
