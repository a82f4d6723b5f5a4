/// The dense kernels every op and layer runs on: SIMD8 (AVX2 + FMA when the build targets
/// x86-64-v3) over raw pointers. Callers check shapes first; these trust their sizes.
///
/// Matrices are row-major with a leading dimension (the distance between rows), so a kernel can
/// work on a block of a bigger matrix (a gate's rows, a time step's columns) without copying.
enum Kernels {
    typealias V = SIMD8<Float>

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    /// Lanes 0..<count of p (count ≤ 8), the rest zero: the tail of a row, read as a full vector.
    @inline(__always) static func load(_ p: UnsafePointer<Float>, count: Int) -> V {
        if count == 8 { return load(p) }
        var v = V()
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    /// Writes lanes 0..<count of v (count ≤ 8).
    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, count: Int) {
        if count == 8 { return store(v, p) }
        for i in 0..<count { p[i] = v[i] }
    }

    /// Calls body(offset, lanes) for each group of 8 elements of 0..<n, the last group possibly
    /// shorter: one code path for whole vectors and the tail (with `load(_:count:)`).
    @inline(__always) static func forEachLanes(_ n: Int, _ body: (Int, Int) -> Void) {
        var j = 0
        while j + 8 <= n {
            body(j, 8)
            j += 8
        }
        if j < n { body(j, n - j) }
    }

    /// Σ a[i]·b[i] over n elements.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = V(), acc1 = V()
        var i = 0
        while i + 16 <= n {
            acc0.addProduct(load(a + i), load(b + i))
            acc1.addProduct(load(a + i + 8), load(b + i + 8))
            i += 16
        }
        if i + 8 <= n {
            acc0.addProduct(load(a + i), load(b + i))
            i += 8
        }
        var sum = (acc0 + acc1).sum()
        while i < n {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// y[i] += alpha · x[i] over n elements.
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let va = V(repeating: alpha)
        var i = 0
        while i + 8 <= n {
            store(load(y + i).addingProduct(va, load(x + i)), y + i)
            i += 8
        }
        while i < n {
            y[i] += alpha * x[i]
            i += 1
        }
    }

    /// C[m×n] = (accumulate ? C : 0) + A[m×k] · B[n×k]ᵀ: every row of A dotted with every row
    /// of B (a linear layer's forward, x·Wᵀ). Eight rows of B share each load of A, and their
    /// eight independent sums hide the FMA latency.
    static func gemmNT(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        if m >= 16 && k >= 16 {  // enough rows and depth to repay the copies
            return gemmPacked(
                m: m, n: n, k: k, a: a, aRow: lda, aCol: 1, b: b, bRow: 1, bCol: ldb,
                c: c, ldc: ldc, accumulate: accumulate)
        }
        // Blocks of 8 rows of B (8·k floats, in L1) meet every row of A before the next block
        // is read, so B streams from memory once however many rows A has.
        var j = 0
        while j + 8 <= n {
            let b0 = b + j * ldb
            for i in 0..<m {
                let ai = a + i * lda
                var s0 = V(), s1 = V(), s2 = V(), s3 = V(), s4 = V(), s5 = V(), s6 = V(), s7 = V()
                var p = 0
                while p + 8 <= k {
                    let x = load(ai + p)
                    let bp = b0 + p
                    s0.addProduct(x, load(bp))
                    s1.addProduct(x, load(bp + ldb))
                    s2.addProduct(x, load(bp + 2 * ldb))
                    s3.addProduct(x, load(bp + 3 * ldb))
                    s4.addProduct(x, load(bp + 4 * ldb))
                    s5.addProduct(x, load(bp + 5 * ldb))
                    s6.addProduct(x, load(bp + 6 * ldb))
                    s7.addProduct(x, load(bp + 7 * ldb))
                    p += 8
                }
                var r = SIMD8<Float>(s0.sum(), s1.sum(), s2.sum(), s3.sum(), s4.sum(), s5.sum(), s6.sum(), s7.sum())
                while p < k {
                    let x = ai[p]
                    for q in 0..<8 { r[q] += x * b0[q * ldb + p] }
                    p += 1
                }
                let ci = c + i * ldc + j
                store(accumulate ? load(ci) + r : r, ci)
            }
            j += 8
        }
        while j < n {
            for i in 0..<m {
                let r = dot(a + i * lda, b + j * ldb, k)
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + r : r
            }
            j += 1
        }
    }

    /// C[m×n] = (accumulate ? C : 0) + A[m×k] · B[k×n], A read through strides so the same
    /// kernel does Aᵀ·B: element A(i, p) is a[i·rowStride + p·colStride]. Rows of C are built
    /// 32 columns at a time in registers while B's rows stream past.
    static func gemmNN(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, rowStride: Int, colStride: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        if m >= 16 && k >= 16 {  // enough rows and depth to repay the copies
            return gemmPacked(
                m: m, n: n, k: k, a: a, aRow: rowStride, aCol: colStride, b: b, bRow: ldb, bCol: 1,
                c: c, ldc: ldc, accumulate: accumulate)
        }
        var i = 0
        // Two rows of C at a time share every load of B.
        while i + 2 <= m {
            let a0 = a + i * rowStride, a1 = a0 + rowStride
            let c0 = c + i * ldc, c1 = c0 + ldc
            var j = 0
            while j + 32 <= n {
                var x0 = accumulate ? load(c0 + j) : V(), x1 = accumulate ? load(c0 + j + 8) : V()
                var x2 = accumulate ? load(c0 + j + 16) : V(), x3 = accumulate ? load(c0 + j + 24) : V()
                var y0 = accumulate ? load(c1 + j) : V(), y1 = accumulate ? load(c1 + j + 8) : V()
                var y2 = accumulate ? load(c1 + j + 16) : V(), y3 = accumulate ? load(c1 + j + 24) : V()
                for p in 0..<k {
                    let bp = b + p * ldb + j
                    let u = V(repeating: a0[p * colStride]), w = V(repeating: a1[p * colStride])
                    let b0 = load(bp), b1 = load(bp + 8), b2 = load(bp + 16), b3 = load(bp + 24)
                    x0.addProduct(u, b0); x1.addProduct(u, b1); x2.addProduct(u, b2); x3.addProduct(u, b3)
                    y0.addProduct(w, b0); y1.addProduct(w, b1); y2.addProduct(w, b2); y3.addProduct(w, b3)
                }
                store(x0, c0 + j); store(x1, c0 + j + 8); store(x2, c0 + j + 16); store(x3, c0 + j + 24)
                store(y0, c1 + j); store(y1, c1 + j + 8); store(y2, c1 + j + 16); store(y3, c1 + j + 24)
                j += 32
            }
            if j < n {
                gemmNNTail(
                    k: k, from: j, to: n, a: a0, colStride: colStride, b: b, ldb: ldb, c: c0, accumulate: accumulate)
                gemmNNTail(
                    k: k, from: j, to: n, a: a1, colStride: colStride, b: b, ldb: ldb, c: c1, accumulate: accumulate)
            }
            i += 2
        }
        if i < m {
            // One row: 64 columns (eight registers) at a time, so eight sums are in flight.
            let ai = a + i * rowStride, ci = c + i * ldc
            var j = 0
            while j + 64 <= n {
                var x0 = accumulate ? load(ci + j) : V(), x1 = accumulate ? load(ci + j + 8) : V()
                var x2 = accumulate ? load(ci + j + 16) : V(), x3 = accumulate ? load(ci + j + 24) : V()
                var x4 = accumulate ? load(ci + j + 32) : V(), x5 = accumulate ? load(ci + j + 40) : V()
                var x6 = accumulate ? load(ci + j + 48) : V(), x7 = accumulate ? load(ci + j + 56) : V()
                for p in 0..<k {
                    let bp = b + p * ldb + j
                    let u = V(repeating: ai[p * colStride])
                    x0.addProduct(u, load(bp)); x1.addProduct(u, load(bp + 8))
                    x2.addProduct(u, load(bp + 16)); x3.addProduct(u, load(bp + 24))
                    x4.addProduct(u, load(bp + 32)); x5.addProduct(u, load(bp + 40))
                    x6.addProduct(u, load(bp + 48)); x7.addProduct(u, load(bp + 56))
                }
                store(x0, ci + j); store(x1, ci + j + 8); store(x2, ci + j + 16); store(x3, ci + j + 24)
                store(x4, ci + j + 32); store(x5, ci + j + 40); store(x6, ci + j + 48); store(x7, ci + j + 56)
                j += 64
            }
            while j + 32 <= n {
                var x0 = accumulate ? load(ci + j) : V(), x1 = accumulate ? load(ci + j + 8) : V()
                var x2 = accumulate ? load(ci + j + 16) : V(), x3 = accumulate ? load(ci + j + 24) : V()
                for p in 0..<k {
                    let bp = b + p * ldb + j
                    let u = V(repeating: ai[p * colStride])
                    x0.addProduct(u, load(bp)); x1.addProduct(u, load(bp + 8))
                    x2.addProduct(u, load(bp + 16)); x3.addProduct(u, load(bp + 24))
                }
                store(x0, ci + j); store(x1, ci + j + 8); store(x2, ci + j + 16); store(x3, ci + j + 24)
                j += 32
            }
            if j < n {
                gemmNNTail(
                    k: k, from: j, to: n, a: ai, colStride: colStride, b: b, ldb: ldb, c: ci, accumulate: accumulate)
            }
        }
    }

    /// C[m×n] (+)= A·B for any layout, element A(i, p) at a[i·aRow + p·aCol] and B(p, j) at
    /// b[p·bRow + j·bCol]: the kernel for many rows, blocked for the caches. For each slice of
    /// 256 along k, A is copied 96 rows at a time into 6-row strips (contiguous, in L2) and B 16
    /// columns at a time into a panel (256 × 16 floats, in L1); every strip then sweeps the
    /// panel with a 6 × 16 block of C in twelve registers: per step of k, 6 broadcasts and 2 loads
    /// feed 12 FMAs. The copies cost (m + n)·k against m·n·k multiply-adds (m ≥ 16 here).
    static func gemmPacked(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, aRow: Int, aCol: Int,
        b: UnsafePointer<Float>, bRow: Int, bCol: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        let (kc, mc) = (256, 96)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: kc * 16 + mc * kc + 32) { storage in
            let panel = UnsafeMutablePointer<Float>(bitPattern: (UInt(bitPattern: storage.baseAddress!) + 63) & ~63)!
            let strips = panel + kc * 16
            var p0 = 0
            repeat {
                let depth = min(kc, k - p0)
                let add = accumulate || p0 > 0
                var i0 = 0
                while i0 < m {
                    let rows = min(mc, m - i0)
                    packStrips(
                        a + (i0 &* aRow &+ p0 &* aCol), aRow: aRow, aCol: aCol, rows: rows, k: depth, into: strips)
                    var j = 0
                    while j < n {
                        let width = min(16, n - j)
                        packPanel(
                            b + (p0 &* bRow &+ j &* bCol), bRow: bRow, bCol: bCol, k: depth, width: width, into: panel)
                        var i = 0
                        while i < rows {
                            packedBlock(
                                rows: min(6, rows - i), width: width, k: depth, strip: strips + i &* depth,
                                panel: panel, c: c + ((i0 &+ i) &* ldc &+ j), ldc: ldc, accumulate: add)
                            i += 6
                        }
                        j += 16
                    }
                    i0 += mc
                }
                p0 += kc
            } while p0 < k
        }
    }

    /// A[0..<rows, 0..<k] as strips of 6 rows, each k steps of 6 floats (zeros past `rows`):
    /// strip s holds rows 6s ..< 6s + 6 at strip + 6s·k, element (r, p) at [p·6 + r].
    @inline(__always)
    static func packStrips(
        _ a: UnsafePointer<Float>, aRow: Int, aCol: Int, rows: Int, k: Int,
        into strips: UnsafeMutablePointer<Float>
    ) {
        var s = 0
        while s < rows {
            let strip = strips + s &* k
            let height = min(6, rows - s)
            if height < 6 { strip.update(repeating: 0, count: 6 * k) }
            for r in 0..<height {
                let row = a + (s &+ r) &* aRow
                if aCol == 1 {
                    for p in 0..<k { strip[p &* 6 &+ r] = row[p] }
                } else {
                    for p in 0..<k { strip[p &* 6 &+ r] = row[p &* aCol] }
                }
            }
            s += 6
        }
    }

    /// B[0..<k, 0..<width] as k rows of 16 floats (zeros past width).
    @inline(__always)
    private static func packPanel(
        _ b: UnsafePointer<Float>, bRow: Int, bCol: Int, k: Int, width: Int,
        into panel: UnsafeMutablePointer<Float>
    ) {
        if bCol == 1 && width == 16 {
            for p in 0..<k {
                store(load(b + p &* bRow), panel + p &* 16)
                store(load(b + (p &* bRow &+ 8)), panel + (p &* 16 &+ 8))
            }
        } else if bRow == 1 {
            // Columns of B are rows in memory (a weight read as Wᵀ): copy each one down the panel.
            if width < 16 { panel.update(repeating: 0, count: k * 16) }
            for q in 0..<width {
                let column = b + q &* bCol
                for p in 0..<k { panel[p &* 16 &+ q] = column[p] }
            }
        } else {
            for p in 0..<k {
                for q in 0..<16 { panel[p &* 16 &+ q] = q < width ? b[p &* bRow &+ q &* bCol] : 0 }
            }
        }
    }

    /// One block of up to 6 rows × 16 columns of C from a strip of A and a panel of B
    /// (wrapping arithmetic on indices: the sizes were checked by the caller, and overflow
    /// checks would double the loop).
    @inline(__always)
    static func packedBlock(
        rows: Int, width: Int, k: Int, strip: UnsafePointer<Float>,
        panel: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool
    ) {
        let low = min(8, width), high = width - low
        @inline(__always) func row(_ r: Int) -> UnsafeMutablePointer<Float> { c + (r < rows ? r : 0) &* ldc }
        @inline(__always) func read(_ r: Int) -> (V, V) {
            guard accumulate && r < rows else { return (V(), V()) }
            return (load(row(r), count: low), high > 0 ? load(row(r) + 8, count: high) : V())
        }
        var (c00, c01) = read(0), (c10, c11) = read(1), (c20, c21) = read(2)
        var (c30, c31) = read(3), (c40, c41) = read(4), (c50, c51) = read(5)
        var x = strip, column = panel
        for _ in 0..<k {
            let b0 = load(column), b1 = load(column + 8)
            var a = V(repeating: x[0]); c00.addProduct(a, b0); c01.addProduct(a, b1)
            a = V(repeating: x[1]); c10.addProduct(a, b0); c11.addProduct(a, b1)
            a = V(repeating: x[2]); c20.addProduct(a, b0); c21.addProduct(a, b1)
            a = V(repeating: x[3]); c30.addProduct(a, b0); c31.addProduct(a, b1)
            a = V(repeating: x[4]); c40.addProduct(a, b0); c41.addProduct(a, b1)
            a = V(repeating: x[5]); c50.addProduct(a, b0); c51.addProduct(a, b1)
            x += 6
            column += 16
        }
        @inline(__always) func write(_ r: Int, _ x: V, _ y: V) {
            guard r < rows else { return }
            store(x, row(r), count: low)
            if high > 0 { store(y, row(r) + 8, count: high) }
        }
        write(0, c00, c01); write(1, c10, c11); write(2, c20, c21)
        write(3, c30, c31); write(4, c40, c41); write(5, c50, c51)
    }

    /// Columns from..<to of one row of C for gemmNN: 8 at a time, then one at a time.
    @inline(__always)
    private static func gemmNNTail(
        k: Int, from: Int, to: Int, a: UnsafePointer<Float>, colStride: Int,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>,
        accumulate: Bool
    ) {
        var j = from
        while j + 8 <= to {
            var x = accumulate ? load(c + j) : V()
            for p in 0..<k { x.addProduct(V(repeating: a[p * colStride]), load(b + p * ldb + j)) }
            store(x, c + j)
            j += 8
        }
        while j < to {
            // Fused like the vector lanes, so every path gives each element the same bits.
            var x: Float = accumulate ? c[j] : 0
            for p in 0..<k { x.addProduct(a[p * colStride], b[p * ldb + j]) }
            c[j] = x
            j += 1
        }
    }

    /// C[m×n] (+)= A[k×m]ᵀ · B[k×n]: weight gradients, Σ over rows (batch or time) of outer products.
    @inline(__always)
    static func gemmTN(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        gemmNN(
            m: m, n: n, k: k, a: a, rowStride: 1, colStride: lda, b: b, ldb: ldb,
            c: c, ldc: ldc, accumulate: accumulate)
    }

    /// C[m×n] (+)= A[m×k] · B[k×n].
    @inline(__always)
    static func gemmNN(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        gemmNN(
            m: m, n: n, k: k, a: a, rowStride: lda, colStride: 1, b: b, ldb: ldb,
            c: c, ldc: ldc, accumulate: accumulate)
    }
}
