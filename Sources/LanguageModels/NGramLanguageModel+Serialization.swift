import Common
import Foundation

extension NGramLanguageModel {
    static let magic = Array("ATTRIBNG".utf8)
    static let formatVersion: UInt32 = 1

    /// The model file's bytes: magic, version, tokenizer, order, then the sorted n-grams with
    /// front coding (tokens shared with the previous n-gram are skipped) and varint counts.
    /// The same model always gives the same bytes.
    public func serialized() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(Self.magic)
        writer.writeUInt32(Self.formatVersion)
        vocabulary.write(to: &writer)
        writer.writeVarint(order)
        writer.writeVarint(counts.keys.count)
        var previous: TokenTuple? = nil
        for (key, count) in zip(counts.keys, counts.counts) {
            var shared = 0
            if let previous {
                while shared < order, previous.token(at: shared) == key.token(at: shared) { shared += 1 }
            }
            writer.writeVarint(shared)
            for slot in shared..<order { writer.writeVarint(key.token(at: slot)) }
            writer.writeVarint(Int(count))
            previous = key
        }
        return writer.bytes
    }

    /// Parses `serialized()` output; `source` names the file in errors.
    public init(serialized bytes: [UInt8], source: String = "<memory>") throws {
        var reader = ByteReader(bytes, source: source)
        guard Array(try reader.readBytes(8, field: "magic")) == Self.magic else {
            throw LanguageModelError.corruptModelFile(path: source, field: "magic", reason: "not an attrib n-gram model")
        }
        let version = try reader.readUInt32(field: "version")
        guard version == Self.formatVersion else {
            throw LanguageModelError.corruptModelFile(path: source, field: "version", reason: "unsupported version \(version)")
        }
        let vocabulary = try AnyTokenizer.read(from: &reader)
        let order = try reader.readCount(field: "order", limit: TokenTuple.slots)
        guard order >= 1 else { throw LanguageModelError.corruptModelFile(path: source, field: "order", reason: "order 0") }
        let entryCount = try reader.readCount(field: "ngramCount", limit: bytes.count)
        var keys: [TokenTuple] = []
        var counts: [Int64] = []
        keys.reserveCapacity(entryCount)
        counts.reserveCapacity(entryCount)
        var current = TokenTuple.zero
        for index in 0..<entryCount {
            let shared = try reader.readCount(field: "ngrams[\(index)].shared", limit: index == 0 ? 0 : order - 1)
            for slot in shared..<order {
                let token = try reader.readCount(field: "ngrams[\(index)].token", limit: vocabulary.vocabularySize - 1)
                current.set(slot, token)
            }
            let count = try reader.readCount(field: "ngrams[\(index)].count", limit: Int(Int64.max))
            guard count > 0, keys.last.map({ $0 < current }) ?? true else {
                throw LanguageModelError.corruptModelFile(path: source, field: "ngrams[\(index)]", reason: "zero count or out of order")
            }
            keys.append(current)
            counts.append(Int64(count))
        }
        guard reader.isAtEnd else {
            throw LanguageModelError.corruptModelFile(path: source, field: "end", reason: "trailing bytes")
        }
        try self.init(vocabulary: vocabulary, counts: NGramCounts(order: order, keys: keys, counts: counts))
    }

    /// Writes the model file atomically (a temporary file renamed into place).
    public func write(to url: URL) throws {
        do {
            try Data(serialized()).write(to: url, options: .atomic)
        } catch {
            throw LanguageModelError.fileAccess(path: url.path, reason: "\(error.localizedDescription)")
        }
    }

    /// Loads a model file written by `write(to:)`.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw LanguageModelError.fileAccess(path: url.path, reason: "\(error.localizedDescription)")
        }
        try self.init(serialized: [UInt8](data), source: url.path)
    }

    /// A stable hash of the model file's bytes (16 hex digits).
    public var contentHash: String {
        var hash = StableHash()
        hash.combine(serialized())
        return hash.hex
    }
}
