/// The known name closest to `name` by edit distance (case-insensitive, `_` ignored), when it
/// is close enough to be a likely misspelling.
public func nearestName(to name: String, among known: [String]) -> String? {
    func normal(_ s: String) -> [Character] { Array(s.lowercased().filter { $0 != "_" }) }
    let target = normal(name)
    let scored = known.map { ($0, editDistance(normal($0), target)) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, target.count / 3) else { return nil }
    return best.0
}

/// Levenshtein distance between two character arrays.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    guard !a.isEmpty else { return b.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var previous = row[0]
        row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let keep = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = keep
        }
    }
    return row[b.count]
}

extension JSONValue {
    /// The first field of `self` (a file as read) that `known` (what a type decoded from it
    /// wrote back) lacks: a key the type does not read, by its path (`bases.2.decodng`), with
    /// the nearest name it does read at that place (`value`, the decoded value, supplies the
    /// names of its fields that were left out, by reflection). A `null` value is never unknown.
    public func unknownField(comparedTo known: JSONValue, value: Any? = nil, path: [String] = []) -> (path: String, nearest: String?)? {
        let mirror = value.map { Mirror(reflecting: Self.unwrapped($0)) }
        switch (self, known) {
        case (.object(let given), .object(let read)):
            let names = Array(read.keys) + (mirror?.children.compactMap(\.label) ?? [])
            for key in given.keys.sorted() where given[key] != .null {
                guard let inner = read[key] else {
                    return ((path + [key]).joined(separator: "."), nearestName(to: key, among: Array(Set(names))))
                }
                let child = mirror?.children.first { $0.label == key }?.value
                if let found = given[key]!.unknownField(comparedTo: inner, value: child, path: path + [key]) { return found }
            }
        case (.array(let given), .array(let read)):
            let children = mirror.map { Array($0.children.map(\.value)) } ?? []
            for (k, pair) in zip(given, read).enumerated() {
                let child = k < children.count ? children[k] : nil
                if let found = pair.0.unknownField(comparedTo: pair.1, value: child, path: path + ["\(k)"]) { return found }
            }
        default:
            break
        }
        return nil
    }

    /// `value` without an optional around it (nil stays as it is).
    private static func unwrapped(_ value: Any) -> Any {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional, let inner = mirror.children.first?.value else { return value }
        return inner
    }
}
