import Testing
@testable import LinearAlgebra

@Suite struct MatrixTests {
    @Test func productMatchesHandComputation() throws {
        let a = Matrix([[1, 2, 3], [4, 5, 6]])
        let b = Matrix([[7, 8], [9, 10], [11, 12]])
        #expect(try a.multiplied(by: b) == Matrix([[58, 64], [139, 154]]))
        #expect(try a.multiplied(by: [1, 0, -1]) == [-2, -2])
    }

    @Test func productRejectsMismatchedShapes() {
        #expect(throws: LinearAlgebraError.self) { try Matrix([[1, 2]]).multiplied(by: Matrix([[1, 2]])) }
    }

    @Test func choleskySolvesKnownSystem() throws {
        // A = [[4, 2], [2, 3]], x = [1, 2]  =>  b = [8, 8].
        let a = Matrix([[4, 2], [2, 3]])
        let x = try a.choleskySolve(Matrix([[8], [8]]))
        #expect(abs(x[0, 0] - 1) < 1e-12 && abs(x[1, 0] - 2) < 1e-12)
        let l = try a.choleskyFactor()
        #expect(abs(l[0, 0] - 2) < 1e-12 && abs(l[1, 0] - 1) < 1e-12 && abs(l[1, 1] - 2.0.squareRoot()) < 1e-12 && l[0, 1] == 0)
        let back = try l.multiplied(by: l.transposed)
        for (u, v) in zip(back.values, a.values) { #expect(abs(u - v) < 1e-12) }
    }

    @Test func choleskyRejectsIndefiniteMatrix() {
        #expect(throws: LinearAlgebraError.notPositiveDefinite(order: 2)) {
            try Matrix([[1, 2], [2, 1]]).choleskySolve(Matrix([[1], [1]]))
        }
    }

    @Test func luSolveAndSingularity() throws {
        let x = try Matrix([[0, 1], [2, 0]]).solve([3, 4])
        #expect(abs(x[0] - 2) < 1e-12 && abs(x[1] - 3) < 1e-12)
        #expect(throws: LinearAlgebraError.singular(index: 2)) { try Matrix([[1, 2], [2, 4]]).solve([1, 2]) }
    }

    @Test func leastSquaresRecoversExactLineAndNormalEquationsSolution() throws {
        // Exact data on y = 2 + 3x.
        let xs: [Double] = [0, 1, 2, 3, 4]
        let design = Matrix(xs.map { [1, $0] })
        let fit = try design.leastSquares(xs.map { 2 + 3 * $0 })
        #expect(abs(fit[0] - 2) < 1e-12 && abs(fit[1] - 3) < 1e-12)
        // Noisy data: compare with the normal equations solved by hand.
        // x = [0, 1, 2], y = [1, 2, 4]: XtX = [[3, 3], [3, 5]], Xty = [7, 10] => [5/6, 3/2].
        let noisy = try Matrix([[1, 0], [1, 1], [1, 2]]).leastSquares([1, 2, 4])
        #expect(abs(noisy[0] - 5.0 / 6.0) < 1e-12 && abs(noisy[1] - 1.5) < 1e-12)
    }

    @Test func floatKernelsMatchDoubleProducts() {
        let a: [Float] = [1, 2, 3, 4, 5, 6]
        let x: [Float] = [1, -1, 2]
        var y = [Float](repeating: 0, count: 2)
        a.withUnsafeBufferPointer { ap in x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { FloatKernels.gemv(rows: 2, columns: 3, ap, xp, into: $0) } } }
        #expect(y == [5, 11])
        var c = [Float](repeating: 0, count: 4)
        let b: [Float] = [1, 0, 0, 1, 1, 1]
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { FloatKernels.gemm(m: 2, n: 2, k: 3, ap, bp, into: $0) } } }
        #expect(c == [4, 5, 10, 11])
    }
}
