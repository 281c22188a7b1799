import Foundation
import LinearAlgebra

extension PromptBank {
    /// States whose weight is below this (linear probability) are skipped in the outer
    /// expectation; their contribution to EIG is at most this times the log-ratio range.
    public static let activeStateFloor = 1e-12

    /// EIG in nats of each prompt in `candidates` under the normalised log posterior
    /// `logWeights` over states (see the type's documentation for the formula).
    public func eig(logWeights: [Double], candidates: [Int]) -> [Double] {
        let ctx = EvaluationContext(bank: self, logWeights: logWeights)
        var out = [Double](repeating: 0, count: candidates.count)
        var b = [Float](repeating: 0, count: space.stateCount * samples)
        for (k, p) in candidates.enumerated() { out[k] = ctx.eig(prompt: p, scratch: &b) }
        return out
    }

    /// EIG in nats of every prompt of the bank.
    public func eig(logWeights: [Double]) -> [Double] { eig(logWeights: logWeights, candidates: Array(0..<count)) }

    /// Expected probability of a wrong MAP attribution after asking prompt `p` once,
    /// `E_y[1 - max_h P(h | y)]`, estimated from the tensor's samples.
    public func expectedError(afterPrompt p: Int, logWeights: [Double]) -> Double {
        let ctx = EvaluationContext(bank: self, logWeights: logWeights)
        var b = [Float](repeating: 0, count: space.stateCount * samples)
        return ctx.expectedError(prompt: p, scratch: &b)
    }
}

/// Posterior-dependent quantities shared by every prompt's evaluation.
struct EvaluationContext {
    let bank: PromptBank
    let n: Int
    let s: Int
    let weights: [Double]
    let weightsF: [Float]
    /// `w_j / W_{h(j)}`, the weight of a state within its hypothesis.
    let withinWeights: [Double]
    let active: [Int]
    let hyp: [Int]
    let g: Int

    init(bank: PromptBank, logWeights: [Double]) {
        self.bank = bank
        n = bank.space.stateCount
        s = bank.samples
        precondition(logWeights.count == n, "need one log-weight per state (\(n))")
        let w = logWeights.map { Foundation.exp($0) }
        let hyp = bank.space.hypothesisOfState
        var mass = [Double](repeating: 0, count: bank.space.hypothesisCount)
        for i in 0..<w.count { mass[hyp[i]] += w[i] }
        weights = w
        weightsF = w.map { Float($0) }
        self.hyp = hyp
        g = bank.space.gridCount
        withinWeights = (0..<w.count).map { i in mass[hyp[i]] > 0 ? w[i] / mass[hyp[i]] : 0 }
        active = (0..<w.count).filter { w[$0] >= PromptBank.activeStateFloor }
    }

    /// Fills `scratch` with `B = E_p w` for prompt `p`.
    func mix(prompt p: Int, scratch b: inout [Float]) {
        let rows = n * s
        bank.ratios.withUnsafeBufferPointer { all in
            let block = UnsafeBufferPointer(rebasing: all[(p * rows * n)..<((p + 1) * rows * n)])
            weightsF.withUnsafeBufferPointer { w in
                b.withUnsafeMutableBufferPointer { y in FloatKernels.gemv(rows: rows, columns: n, block, w, into: y) }
            }
        }
    }

    func eig(prompt p: Int, scratch b: inout [Float]) -> Double {
        mix(prompt: p, scratch: &b)
        let rows = n * s
        var total = 0.0
        bank.ratios.withUnsafeBufferPointer { all in
            let base = p * rows * n
            for i in active {
                let h = hyp[i], first = h * g
                var sumLog = 0.0
                var product = 1.0
                for smp in 0..<s {
                    let r = i * s + smp
                    var a = 1.0
                    if g > 1 {
                        a = 0
                        for j in first..<(first + g) { a += withinWeights[j] * Double(all[base + r * n + j]) }
                    }
                    product *= a / max(Double(b[r]), Double.leastNormalMagnitude)
                    // Ratios lie within about e^+-110, so four of them fit in a double.
                    if smp & 3 == 3 { sumLog += Foundation.log(product); product = 1 }
                }
                sumLog += Foundation.log(product)
                total += weights[i] * sumLog / Double(s)
            }
        }
        return total
    }

    func expectedError(prompt p: Int, scratch b: inout [Float]) -> Double {
        mix(prompt: p, scratch: &b)
        let rows = n * s
        let groups = bank.space.hypothesisCount
        var correct = 0.0
        var joint = [Double](repeating: 0, count: groups)
        bank.ratios.withUnsafeBufferPointer { all in
            let base = p * rows * n
            for i in active {
                for smp in 0..<s {
                    let r = i * s + smp
                    for k in 0..<groups { joint[k] = 0 }
                    for j in 0..<n { joint[hyp[j]] += weights[j] * Double(all[base + r * n + j]) }
                    let total = joint.reduce(0, +)
                    if total > 0 { correct += weights[i] / Double(s) * (joint.max()! / total) }
                }
            }
        }
        return max(0, 1 - correct)
    }
}
