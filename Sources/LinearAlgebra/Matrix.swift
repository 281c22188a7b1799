/// A dense row-major matrix of `Double`.
///
/// The storage is `rows * columns` values, element `(i, j)` at `values[i * columns + j]`.
public struct Matrix: Equatable, Sendable, CustomStringConvertible {
    public let rows: Int
    public let columns: Int
    public var values: [Double]

    /// A matrix from row-major values; `values.count` must equal `rows * columns`.
    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative")
        precondition(values.count == rows * columns,
                     "Matrix of \(rows)x\(columns) needs \(rows * columns) values, got \(values.count)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A `rows` x `columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.init(rows: rows, columns: columns, values: Array(repeating: value, count: rows * columns))
    }

    /// A matrix from an array of equally long rows.
    public init(_ rowArrays: [[Double]]) {
        let columns = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == columns }, "Matrix rows must have equal length")
        self.init(rows: rowArrays.count, columns: columns, values: rowArrays.flatMap { $0 })
    }

    /// The `n` x `n` identity.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Double] { Array(values[(i * columns)..<((i + 1) * columns)]) }

    /// The transpose.
    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        for i in 0..<rows { for j in 0..<columns { t[j, i] = self[i, j] } }
        return t
    }

    public var description: String {
        (0..<rows).map { row($0).map { String($0) }.joined(separator: " ") }.joined(separator: "\n")
    }
}

/// A failure reported by LAPACK, with the routine and its `info` code.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// The dimensions of the operands do not fit together.
    case dimensionMismatch(String)
    /// The matrix is not (numerically) positive definite: the leading minor of `order` is not positive.
    case notPositiveDefinite(order: Int)
    /// The matrix is singular or rank-deficient: pivot `index` (1-based) is exactly zero.
    case singular(index: Int)
    /// LAPACK reported an illegal argument (`info` < 0) in `routine`.
    case illegalArgument(routine: String, info: Int)

    public var description: String {
        switch self {
        case .dimensionMismatch(let what): return "dimension mismatch: \(what)"
        case .notPositiveDefinite(let k): return "matrix is not positive definite (leading minor of order \(k) is not positive)"
        case .singular(let i): return "matrix is singular or rank-deficient (zero pivot at \(i))"
        case .illegalArgument(let r, let info): return "LAPACK \(r) rejected argument \(-info)"
        }
    }
}
