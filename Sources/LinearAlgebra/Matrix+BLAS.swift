import CLinearAlgebra

extension Matrix {
    /// The product `self * other` (BLAS `dgemm`).
    public func multiplied(by other: Matrix) throws -> Matrix {
        guard columns == other.rows else {
            throw LinearAlgebraError.dimensionMismatch("(\(rows)x\(columns)) * (\(other.rows)x\(other.columns))")
        }
        var result = Matrix(rows: rows, columns: other.columns)
        if rows == 0 || other.columns == 0 || columns == 0 { return result }
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                result.values.withUnsafeMutableBufferPointer { c in
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                                Int32(rows), Int32(other.columns), Int32(columns),
                                1.0, a.baseAddress, Int32(columns),
                                b.baseAddress, Int32(other.columns),
                                0.0, c.baseAddress, Int32(other.columns))
                }
            }
        }
        return result
    }

    /// The product `self * vector` (BLAS `dgemv`).
    public func multiplied(by vector: [Double]) throws -> [Double] {
        guard columns == vector.count else {
            throw LinearAlgebraError.dimensionMismatch("(\(rows)x\(columns)) * vector of \(vector.count)")
        }
        var y = [Double](repeating: 0, count: rows)
        if rows == 0 || columns == 0 { return y }
        values.withUnsafeBufferPointer { a in
            vector.withUnsafeBufferPointer { x in
                y.withUnsafeMutableBufferPointer { yp in
                    cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(rows), Int32(columns),
                                1.0, a.baseAddress, Int32(columns), x.baseAddress, 1, 0.0, yp.baseAddress, 1)
                }
            }
        }
        return y
    }
}

/// Single-precision kernels used on the engine's hot path (EIG over many prompts).
public enum FloatKernels {
    /// `y = A x` for a row-major `rows` x `columns` matrix `a` of `Float` (BLAS `sgemv`).
    ///
    /// - Precondition: `a.count >= rows * columns`, `x.count == columns`, `y.count >= rows`.
    public static func gemv(rows: Int, columns: Int,
                            _ a: UnsafeBufferPointer<Float>, _ x: UnsafeBufferPointer<Float>,
                            into y: UnsafeMutableBufferPointer<Float>) {
        precondition(a.count >= rows * columns && x.count == columns && y.count >= rows,
                     "gemv operand sizes do not fit")
        if rows == 0 { return }
        if columns == 0 { for i in 0..<rows { y[i] = 0 }; return }
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(rows), Int32(columns),
                    1.0, a.baseAddress, Int32(columns), x.baseAddress, 1, 0.0, y.baseAddress, 1)
    }

    /// `C = A B` for row-major `Float` matrices: `a` is `m` x `k`, `b` is `k` x `n` (BLAS `sgemm`).
    public static func gemm(m: Int, n: Int, k: Int,
                            _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>,
                            into c: UnsafeMutableBufferPointer<Float>) {
        precondition(a.count >= m * k && b.count >= k * n && c.count >= m * n, "gemm operand sizes do not fit")
        if m == 0 || n == 0 { return }
        if k == 0 { for i in 0..<(m * n) { c[i] = 0 }; return }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    1.0, a.baseAddress, Int32(k), b.baseAddress, Int32(n), 0.0, c.baseAddress, Int32(n))
    }
}
