import Foundation
import Testing
@testable import CharNN

/// The vectorised exponential family against double-precision references.
@Suite struct SIMDMathTests {
    /// Every 1/64 from -87 to 87, and the tails of every vector width, through Math's buffer maps.
    static let inputs: [Float] = (-87 * 64...87 * 64).map { Float($0) / 64 } + [-1e-7, 0, 1e-7, 1e-30, -100, 100]

    /// The largest error of `apply` against `reference` over `inputs`: relative (|y − r| / |r|)
    /// when `relative`, else absolute.
    func worstError(
        _ apply: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
        _ reference: (Double) -> Double, inputs x: [Float], relative: Bool
    ) -> (Double, Float) {
        var y = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { apply(px.baseAddress!, $0.baseAddress!, x.count) }
        }
        var worst = 0.0, at: Float = 0
        for (xi, yi) in zip(x, y) {
            let r = reference(Double(xi))
            let error = abs(Double(yi) - r) / (relative ? abs(r) : 1)
            if !(error <= worst) { worst = error; at = xi }
        }
        return (worst, at)
    }

    @Test func expIsWithinAFewUlp() {
        let (error, at) = worstError(
            Math.exp, { Foundation.exp($0) }, inputs: Self.inputs.filter { abs($0) <= 87 },
            relative: true)
        #expect(error <= 3.6e-7, "relative error \(error) at x = \(at)")  // 3 ulp
        // Beyond ±88 it saturates (e^88 ≈ 1.65e38, e^-88 ≈ 0) instead of reaching inf.
        var y: [Float] = [0, 0, 0]
        [Float(100), 1000, -1000].withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { Math.exp(x.baseAddress!, $0.baseAddress!, 3) }
        }
        #expect(y[0].isFinite && y[0] > 1.6e38 && y[1] == y[0] && y[2] >= 0 && y[2] < 1e-38)
    }

    @Test func sigmoidAndTanhAreWithinTwoTenthsOfAMillionth() {
        let (s, sAt) = worstError(Math.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }, inputs: Self.inputs, relative: false)
        #expect(s <= 2e-7, "sigmoid: absolute error \(s) at x = \(sAt)")
        let (t, tAt) = worstError(Math.tanh, { Foundation.tanh($0) }, inputs: Self.inputs, relative: false)
        #expect(t <= 2e-7, "tanh: absolute error \(t) at x = \(tAt)")
    }

    @Test func partialLoadsAndStoresTouchOnlyTheirLanes() {
        var buffer: [Float] = Array(repeating: 9, count: 8)
        let values: [Float] = [1, 2, 3]
        let v = values.withUnsafeBufferPointer { Kernels.load($0.baseAddress!, count: 3) }
        #expect(Array(0..<8).map { v[$0] } == [1, 2, 3, 0, 0, 0, 0, 0])
        buffer.withUnsafeMutableBufferPointer { Kernels.store(v * 2, $0.baseAddress!, count: 3) }
        #expect(buffer == [2, 4, 6, 9, 9, 9, 9, 9])
    }
}
