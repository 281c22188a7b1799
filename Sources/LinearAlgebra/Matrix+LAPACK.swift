import CLinearAlgebra

extension Matrix {
    /// Solves `A x = b` for symmetric positive-definite `A` = `self` by Cholesky
    /// factorisation (LAPACK `dposv`). `b` has one column per right-hand side.
    public func choleskySolve(_ b: Matrix) throws -> Matrix {
        guard rows == columns, b.rows == rows else {
            throw LinearAlgebraError.dimensionMismatch("choleskySolve of (\(rows)x\(columns)) with (\(b.rows)x\(b.columns))")
        }
        var a = values
        var x = b.values
        let info = LAPACKE_dposv(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(rows), Int32(b.columns),
                                 &a, Int32(rows), &x, Int32(b.columns))
        if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dposv", info: Int(info)) }
        if info > 0 { throw LinearAlgebraError.notPositiveDefinite(order: Int(info)) }
        return Matrix(rows: b.rows, columns: b.columns, values: x)
    }

    /// The lower-triangular Cholesky factor `L` with `self = L Lᵀ` (LAPACK `dpotrf`).
    public func choleskyFactor() throws -> Matrix {
        guard rows == columns else { throw LinearAlgebraError.dimensionMismatch("Cholesky of non-square (\(rows)x\(columns))") }
        var a = values
        let info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(rows), &a, Int32(rows))
        if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dpotrf", info: Int(info)) }
        if info > 0 { throw LinearAlgebraError.notPositiveDefinite(order: Int(info)) }
        var l = Matrix(rows: rows, columns: columns, values: a)
        for i in 0..<rows { for j in (i + 1)..<max(i + 1, columns) { l[i, j] = 0 } }
        return l
    }

    /// Solves the square system `A x = b` by LU with partial pivoting (LAPACK `dgesv`).
    public func solve(_ b: [Double]) throws -> [Double] {
        guard rows == columns, b.count == rows else {
            throw LinearAlgebraError.dimensionMismatch("solve of (\(rows)x\(columns)) with vector of \(b.count)")
        }
        var a = values
        var x = b
        var pivots = [Int32](repeating: 0, count: rows)
        let info = LAPACKE_dgesv(LAPACK_ROW_MAJOR, Int32(rows), 1, &a, Int32(rows), &pivots, &x, 1)
        if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dgesv", info: Int(info)) }
        if info > 0 { throw LinearAlgebraError.singular(index: Int(info)) }
        return x
    }

    /// The least-squares solution `x` minimising `|A x - b|_2` for a full-column-rank
    /// `A` = `self` with at least as many rows as columns (LAPACK `dgels`, QR).
    public func leastSquares(_ b: [Double]) throws -> [Double] {
        guard b.count == rows, rows >= columns else {
            throw LinearAlgebraError.dimensionMismatch("leastSquares of (\(rows)x\(columns)) with vector of \(b.count)")
        }
        var a = values
        var x = b
        let info = LAPACKE_dgels(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "N")), Int32(rows), Int32(columns), 1,
                                 &a, Int32(columns), &x, 1)
        if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dgels", info: Int(info)) }
        if info > 0 { throw LinearAlgebraError.singular(index: Int(info)) }
        return Array(x.prefix(columns))
    }
}
