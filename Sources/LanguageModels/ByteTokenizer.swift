/// One token per UTF-8 byte (ids 0...255) plus end-of-text (256).
public struct ByteTokenizer: Tokenizer, Equatable {
    public init() {}

    public var identifier: String { "byte" }
    public var vocabularySize: Int { 257 }
    public var endOfTextToken: Int { 256 }

    public func encode(_ text: String) -> [Int] {
        text.utf8.map { Int($0) }
    }

    public func piece(of token: Int) -> [UInt8] {
        precondition(token >= 0 && token <= 256, "token \(token) outside vocabulary of 257")
        return token == 256 ? [] : [UInt8(token)]
    }
}
