/// Appends little-endian integers, LEB128 varints and doubles to a byte buffer.
/// Used by the model file format; the same values always give the same bytes.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

    mutating func writeUInt32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func writeUInt64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func writeDouble(_ value: Double) { writeUInt64(value.bitPattern) }

    /// Unsigned LEB128.
    mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func writeVarint(_ value: Int) {
        precondition(value >= 0, "varints are unsigned")
        writeVarint(UInt64(value))
    }

    /// A length-prefixed byte string.
    mutating func writeBlob(_ blob: [UInt8]) {
        writeVarint(blob.count)
        bytes.append(contentsOf: blob)
    }

    mutating func writeString(_ text: String) { writeBlob(Array(text.utf8)) }
}

/// Reads what `ByteWriter` wrote; every read names the field it is for, so a truncated or
/// corrupt file fails with a message saying where.
struct ByteReader {
    let bytes: [UInt8]
    let source: String
    private(set) var offset = 0

    init(_ bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    var isAtEnd: Bool { offset == bytes.count }

    private func fail(_ field: @autoclosure () -> String, _ reason: String) -> LanguageModelError {
        .corruptModelFile(path: source, field: field(), reason: "\(reason) at byte \(offset)")
    }

    mutating func readBytes(_ count: Int, field: @autoclosure () -> String) throws -> ArraySlice<UInt8> {
        guard count >= 0, offset + count <= bytes.count else { throw fail(field(), "unexpected end of data") }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func readUInt32(field: @autoclosure () -> String) throws -> UInt32 {
        let raw = try readBytes(4, field: field())
        return raw.reversed().reduce(0) { ($0 << 8) | UInt32($1) }
    }

    mutating func readUInt64(field: @autoclosure () -> String) throws -> UInt64 {
        let raw = try readBytes(8, field: field())
        return raw.reversed().reduce(0) { ($0 << 8) | UInt64($1) }
    }

    mutating func readDouble(field: @autoclosure () -> String) throws -> Double {
        Double(bitPattern: try readUInt64(field: field()))
    }

    mutating func readVarint(field: @autoclosure () -> String) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw fail(field(), "unexpected end of data") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw fail(field(), "varint too long") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// A varint that must fit `limit` (inclusive), as an `Int`.
    mutating func readCount(field: @autoclosure () -> String, limit: Int = Int(Int32.max)) throws -> Int {
        let value = try readVarint(field: field())
        guard value <= UInt64(limit) else { throw fail(field(), "value \(value) exceeds \(limit)") }
        return Int(value)
    }

    mutating func readBlob(field: @autoclosure () -> String) throws -> [UInt8] {
        let count = try readCount(field: field(), limit: bytes.count - offset)
        return Array(try readBytes(count, field: field()))
    }

    mutating func readString(field: @autoclosure () -> String) throws -> String {
        let blob = try readBlob(field: field())
        let text = String(decoding: blob, as: UTF8.self)
        guard Array(text.utf8) == blob else { throw fail(field(), "invalid UTF-8") }
        return text
    }
}
