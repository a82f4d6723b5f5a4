import Testing
@testable import CharNN

/// The SIMD kernels against the plain triple loop, on sizes that exercise every tail path.
@Suite struct KernelTests {
    func random(_ n: Int, _ rng: inout Xoshiro256) -> [Float] { (0..<n).map { _ in rng.nextFloat(in: -1, 1) } }

    @Test(arguments: [
        (1, 1, 1), (1, 18, 315), (3, 37, 9), (2, 64, 33), (5, 7, 70), (4, 256, 59), (7, 33, 41),
        (1, 130, 20), (3, 200, 17), (1, 256, 256),
    ])
    func gemmVariantsMatchTheNaiveProduct(m: Int, n: Int, k: Int) {
        var rng = Xoshiro256(seed: UInt64(m * 1000 + n * 10 + k))
        let a = random(m * k, &rng), b = random(k * n, &rng), bt = random(n * k, &rng), at = random(k * m, &rng)
        let c0 = random(m * n, &rng)
        for accumulate in [false, true] {
            var nn = c0, nt = c0, tn = c0
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    nn.withUnsafeMutableBufferPointer { pc in
                        Kernels.gemmNN(
                            m: m, n: n, k: k, a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: n,
                            c: pc.baseAddress!, ldc: n, accumulate: accumulate)
                    }
                }
            }
            a.withUnsafeBufferPointer { pa in
                bt.withUnsafeBufferPointer { pb in
                    nt.withUnsafeMutableBufferPointer { pc in
                        Kernels.gemmNT(
                            m: m, n: n, k: k, a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: k,
                            c: pc.baseAddress!, ldc: n, accumulate: accumulate)
                    }
                }
            }
            at.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    tn.withUnsafeMutableBufferPointer { pc in
                        Kernels.gemmTN(
                            m: m, n: n, k: k, a: pa.baseAddress!, lda: m, b: pb.baseAddress!, ldb: n,
                            c: pc.baseAddress!, ldc: n, accumulate: accumulate)
                    }
                }
            }
            for i in 0..<m {
                for j in 0..<n {
                    var sNN: Float = accumulate ? c0[i * n + j] : 0, sNT = sNN, sTN = sNN
                    for p in 0..<k {
                        sNN += a[i * k + p] * b[p * n + j]
                        sNT += a[i * k + p] * bt[j * k + p]
                        sTN += at[p * m + i] * b[p * n + j]
                    }
                    #expect(abs(nn[i * n + j] - sNN) < 1e-4, "NN \(i),\(j)")
                    #expect(abs(nt[i * n + j] - sNT) < 1e-4, "NT \(i),\(j)")
                    #expect(abs(tn[i * n + j] - sTN) < 1e-4, "TN \(i),\(j)")
                }
            }
        }
    }

    @Test func dotAndAxpyTails() {
        var rng = Xoshiro256(seed: 1)
        for n in [0, 1, 7, 8, 9, 15, 16, 17, 33] {
            let a = random(n, &rng), b = random(n, &rng)
            var y = b
            let d = a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    Kernels.dot(
                        pa.baseAddress ?? UnsafePointer(bitPattern: 64)!,
                        pb.baseAddress ?? UnsafePointer(bitPattern: 64)!, n)
                }
            }
            #expect(abs(d - zip(a, b).map(*).reduce(0, +)) < 1e-5)
            a.withUnsafeBufferPointer { pa in
                y.withUnsafeMutableBufferPointer { py in
                    if n > 0 { Kernels.axpy(0.5, pa.baseAddress!, py.baseAddress!, n) }
                }
            }
            for i in 0..<n { #expect(abs(y[i] - (b[i] + 0.5 * a[i])) < 1e-6) }
        }
    }
}
