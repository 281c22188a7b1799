import Foundation
import Testing
@testable import Corpora

/// Markup rules on small synthetic inputs (markup, not corpus text).
@Suite struct CleaningRuleTests {
    @Test func dictdBase64Numbers() {
        #expect(TextCleaning.decodeBase64Number("A") == 0)
        #expect(TextCleaning.decodeBase64Number("BA") == 64)
        #expect(TextCleaning.decodeBase64Number("/") == 63)
        #expect(TextCleaning.decodeBase64Number("Fz") == 5 * 64 + 51)
        #expect(TextCleaning.decodeBase64Number("a-b") == nil)
    }

    @Test func dictionaryEntryMarkup() {
        let raw = "Aba \\A*ba\"\\, n. [Ar.]\n   A {fabric}.\n   [1913 Webster]\n\n   <legal> See {B}.\n\n   (2014-11-27)\n"
        #expect(TextCleaning.dictionaryEntry(raw) == "Aba, n. [Ar.] A fabric.\nSee B.")
    }

    @Test func roffEscapesAndMacros() {
        #expect(TextCleaning.unescapeRoff("\\fBls\\fP \\-l \\(em a\\(aqb \\*(lqq\\*(rq \\s-1X\\s0 \\[rs]") == "ls -l — a'b “q” X \\")
        let page = """
        .\\" comment
        .TH LS 1
        .SH NAME
        ls \\- list directory contents here
        .SH DESCRIPTION
        List information about the
        .B FILEs
        (the current directory by default).
        .TP
        .B \\-a
        do not ignore entries starting with a dot.
        .EX
        $ ls -a
        .EE
        .SH SEE ALSO
        .BR dir (1)
        """
        #expect(TextCleaning.manPageSections(page) == [
            "ls - list directory contents here",
            "List information about the FILEs (the current directory by default).\ndo not ignore entries starting with a dot.",
        ])
        #expect(TextCleaning.manPageSections(".so man3/other.3\n").isEmpty)
    }

    @Test func crlfIsNotOneLine() {
        #expect(TextCleaning.lines("a\r\nb\nc") == ["a", "b", "c"])
    }
}

/// The cleaners on the real package files: markup must be gone, text must remain.
@Suite(.enabled(if: corporaInstalled, "run `bash scripts/install-corpora.sh` first"))
struct RealCorporaTests {
    // gcide and wordnet (78 MB raw) take minutes to clean in a debug build; their
    // cleaning rules are the dictionary ones exercised here on jargon, foldoc and devil.
    static let sources = CorpusCatalog.sources.filter { !["gcide", "wordnet"].contains($0.name) }

    @Test(arguments: sources)
    func loadsCleanAndSplits(source: CorpusSource) throws {
        let corpus = try Corpus.load(source.name, root: corporaRoot)
        #expect(corpus.documents.count >= 100, "\(source.name): \(corpus.documents.count) documents")
        for split in CorpusSplit.allCases {
            let share = Double(corpus.documents(in: split).count) / Double(corpus.documents.count) * 100
            #expect(abs(share - Double(split.percent)) < 4, "\(source.name) \(split): \(share)%")
        }
        for doc in corpus.documents {
            #expect(doc == doc.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(!doc.contains("  ") && !doc.contains("\t") && !doc.contains("\r"))
            #expect(!doc.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" })
        }
        let all = corpus.documents.joined(separator: "\n")
        switch source.format {
        case .dictionary:
            #expect(!all.contains("{") && !all.contains("[1913 Webster]") && !all.contains("00-database"))
        case .bibleChapters:
            #expect(corpus.documents.count == 1189)   // chapters of the KJV
            #expect(!corpus.documents.joined(separator: "\n").split(separator: "\n").contains { $0.first!.isNumber && $0.dropFirst().first == " " })
            #expect(corpus.documents[0].hasPrefix("In the beginning God created the heaven and the earth.\n"))
        case .fortunes:
            #expect(!all.split(separator: "\n").contains("%") && !all.contains("BOFH excuse #"))
        case .manPage:
            // man(7), man-pages(7) and dir_colors(5) document roff itself, so a few lines
            // legitimately quote escapes and macros; leftover markup would show in hundreds.
            let markup = ["\\fB", "\\fI", "\\fR", "\\fP", "\\(em", "\\(aq", "\\-"]
            let macros = [".SH", ".SS", ".TP", ".PP", ".IP", ".B ", ".BR ", ".TH", ".EX", ".in "]
            let residue = all.split(separator: "\n").filter { line in
                markup.contains { line.contains($0) } || macros.contains { line.hasPrefix($0) }
            }
            #expect(residue.count <= 10, "\(residue.prefix(20))")
        case .plainText, .info:
            #expect(!all.contains("|") && !all.contains("\u{1F}") && !all.contains("****"))
        }
        // Capped text is deterministic and within the cap.
        let capped = corpus.text(in: .finetune, maxBytes: 20_000)
        #expect(capped.utf8.count <= 20_000 && capped.utf8.count > 0)
        let reordered = Corpus(source: source, documents: corpus.documents.reversed()).text(in: .finetune, maxBytes: 20_000)
        #expect(Set(capped.components(separatedBy: "\n\n")) == Set(reordered.components(separatedBy: "\n\n")))
    }
}
