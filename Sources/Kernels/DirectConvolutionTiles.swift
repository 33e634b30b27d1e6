// The register tiles of the direct convolution (DirectConvolution.swift), in SIMD16<Float>:
// one AVX-512 register per vector when Kernels is built for such a CPU (QUARRY_AVX512).
//
// Legend: a "source row" is a pointer into a zero-padded buffer plus an offset; q a column.
// - productTile: out[r][q] (+)= Σ_j w[j][r] · src[offset_j + q] for 4 rows r and 96 columns q,
//   the 24 accumulators in registers over all j (the convolution forward, rows = filters and
//   j = (channel, tap); and the input gradient, rows = channels and j = (filter, tap)).
// - weightGradientTile*: acc[k][f] += Σ_q gT[q][f] · src[offset_k + q] for a block of filters
//   (1, 2 or 4 vectors of 16) and of source rows k (12, 12 or 6), over a range of q; the
//   filter vector is contiguous in gT, the source value is broadcast.
// Why by hand: the loops must keep 24 accumulators in registers and load each operand once
// per use; written as loops over arrays of SIMD values, the compiler keeps them in memory.
// Swift's SIMD32/SIMD64 have no vector lowering (their operations become scalar loops), so
// every tile is written with SIMD16.

/// One 16-float vector.
typealias FloatVector = SIMD16<Float>

extension Kernels {
    /// Columns a `productTile` covers: 6 vectors of 16.
    static let productTileColumns = 96
    /// Rows a `productTile` covers.
    static let productTileRows = 4

    /// Loads 16 floats from any address.
    @inline(__always)
    static func loadVector(_ p: UnsafePointer<Float>) -> FloatVector {
        UnsafeRawPointer(p).loadUnaligned(as: FloatVector.self)
    }

    /// Stores 16 floats at any address.
    @inline(__always)
    static func storeVector(_ p: UnsafeMutablePointer<Float>, _ v: FloatVector) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: FloatVector.self)
    }

    /// acc + a·b: one fused multiply-add per lane with `QUARRY_FMA` (as the scalar
    /// `multiplyAdd`), else a multiply and an add (`addingProduct` would become 16 libm calls).
    @inline(__always)
    static func addProduct(_ acc: FloatVector, _ a: FloatVector, _ b: FloatVector) -> FloatVector {
        #if QUARRY_FMA
        return acc.addingProduct(a, b)
        #else
        return acc + a * b
        #endif
    }

    /// out[r·ldo + q] (= or +=) Σ_{j < count} w[j·ldw + r] · src[offsets[j] + q], for r in 0..<4
    /// and q in 0..<96; `accumulate` false overwrites `out`.
    ///
    /// Every read src[offsets[j] + q] must lie in the caller's buffer and be finite.
    @inline(never)
    static func productTile(
        _ out: UnsafeMutablePointer<Float>, ldo: Int, accumulate: Bool,
        _ src: UnsafePointer<Float>, offsets: UnsafePointer<Int>, _ w: UnsafePointer<Float>, ldw: Int, count: Int
    ) {
        var a00 = FloatVector(), a01 = FloatVector(), a02 = FloatVector(), a03 = FloatVector(), a04 = FloatVector(), a05 = FloatVector()
        var a10 = FloatVector(), a11 = FloatVector(), a12 = FloatVector(), a13 = FloatVector(), a14 = FloatVector(), a15 = FloatVector()
        var a20 = FloatVector(), a21 = FloatVector(), a22 = FloatVector(), a23 = FloatVector(), a24 = FloatVector(), a25 = FloatVector()
        var a30 = FloatVector(), a31 = FloatVector(), a32 = FloatVector(), a33 = FloatVector(), a34 = FloatVector(), a35 = FloatVector()
        if accumulate {
            let o0 = UnsafePointer(out), o1 = o0 + ldo, o2 = o1 + ldo, o3 = o2 + ldo
            a00 = loadVector(o0); a01 = loadVector(o0 + 16); a02 = loadVector(o0 + 32)
            a03 = loadVector(o0 + 48); a04 = loadVector(o0 + 64); a05 = loadVector(o0 + 80)
            a10 = loadVector(o1); a11 = loadVector(o1 + 16); a12 = loadVector(o1 + 32)
            a13 = loadVector(o1 + 48); a14 = loadVector(o1 + 64); a15 = loadVector(o1 + 80)
            a20 = loadVector(o2); a21 = loadVector(o2 + 16); a22 = loadVector(o2 + 32)
            a23 = loadVector(o2 + 48); a24 = loadVector(o2 + 64); a25 = loadVector(o2 + 80)
            a30 = loadVector(o3); a31 = loadVector(o3 + 16); a32 = loadVector(o3 + 32)
            a33 = loadVector(o3 + 48); a34 = loadVector(o3 + 64); a35 = loadVector(o3 + 80)
        }
        var wj = w, offset = offsets
        for _ in 0..<count {
            let s = src + offset.pointee
            let x0 = loadVector(s), x1 = loadVector(s + 16), x2 = loadVector(s + 32)
            let x3 = loadVector(s + 48), x4 = loadVector(s + 64), x5 = loadVector(s + 80)
            var b = FloatVector(repeating: wj[0])
            a00 = addProduct(a00, x0, b); a01 = addProduct(a01, x1, b); a02 = addProduct(a02, x2, b)
            a03 = addProduct(a03, x3, b); a04 = addProduct(a04, x4, b); a05 = addProduct(a05, x5, b)
            b = FloatVector(repeating: wj[1])
            a10 = addProduct(a10, x0, b); a11 = addProduct(a11, x1, b); a12 = addProduct(a12, x2, b)
            a13 = addProduct(a13, x3, b); a14 = addProduct(a14, x4, b); a15 = addProduct(a15, x5, b)
            b = FloatVector(repeating: wj[2])
            a20 = addProduct(a20, x0, b); a21 = addProduct(a21, x1, b); a22 = addProduct(a22, x2, b)
            a23 = addProduct(a23, x3, b); a24 = addProduct(a24, x4, b); a25 = addProduct(a25, x5, b)
            b = FloatVector(repeating: wj[3])
            a30 = addProduct(a30, x0, b); a31 = addProduct(a31, x1, b); a32 = addProduct(a32, x2, b)
            a33 = addProduct(a33, x3, b); a34 = addProduct(a34, x4, b); a35 = addProduct(a35, x5, b)
            wj += ldw
            offset += 1
        }
        let o0 = out, o1 = o0 + ldo, o2 = o1 + ldo, o3 = o2 + ldo
        storeVector(o0, a00); storeVector(o0 + 16, a01); storeVector(o0 + 32, a02)
        storeVector(o0 + 48, a03); storeVector(o0 + 64, a04); storeVector(o0 + 80, a05)
        storeVector(o1, a10); storeVector(o1 + 16, a11); storeVector(o1 + 32, a12)
        storeVector(o1 + 48, a13); storeVector(o1 + 64, a14); storeVector(o1 + 80, a15)
        storeVector(o2, a20); storeVector(o2 + 16, a21); storeVector(o2 + 32, a22)
        storeVector(o2 + 48, a23); storeVector(o2 + 64, a24); storeVector(o2 + 80, a25)
        storeVector(o3, a30); storeVector(o3 + 16, a31); storeVector(o3 + 32, a32)
        storeVector(o3 + 48, a33); storeVector(o3 + 64, a34); storeVector(o3 + 80, a35)
    }

    /// acc[k·lda + f] += Σ_{q0 ≤ q < q1} gT[q·ldg + f] · src[offsets[k] + q] for 64 filters f
    /// (4 vectors) and 6 source rows k.
    @inline(never)
    static func weightGradientTile4x6(
        _ acc: UnsafeMutablePointer<Float>, lda: Int, _ gT: UnsafePointer<Float>, ldg: Int,
        _ src: UnsafePointer<Float>, offsets: UnsafePointer<Int>, from q0: Int, to q1: Int
    ) {
        let p0 = acc, p1 = p0 + lda, p2 = p1 + lda, p3 = p2 + lda, p4 = p3 + lda, p5 = p4 + lda
        var a00 = loadVector(p0), a01 = loadVector(p0 + 16), a02 = loadVector(p0 + 32), a03 = loadVector(p0 + 48)
        var a10 = loadVector(p1), a11 = loadVector(p1 + 16), a12 = loadVector(p1 + 32), a13 = loadVector(p1 + 48)
        var a20 = loadVector(p2), a21 = loadVector(p2 + 16), a22 = loadVector(p2 + 32), a23 = loadVector(p2 + 48)
        var a30 = loadVector(p3), a31 = loadVector(p3 + 16), a32 = loadVector(p3 + 32), a33 = loadVector(p3 + 48)
        var a40 = loadVector(p4), a41 = loadVector(p4 + 16), a42 = loadVector(p4 + 32), a43 = loadVector(p4 + 48)
        var a50 = loadVector(p5), a51 = loadVector(p5 + 16), a52 = loadVector(p5 + 32), a53 = loadVector(p5 + 48)
        let s0 = src + offsets[0], s1 = src + offsets[1], s2 = src + offsets[2]
        let s3 = src + offsets[3], s4 = src + offsets[4], s5 = src + offsets[5]
        var g = gT + q0 * ldg
        for q in q0..<q1 {
            let y0 = loadVector(g), y1 = loadVector(g + 16), y2 = loadVector(g + 32), y3 = loadVector(g + 48)
            var b = FloatVector(repeating: s0[q])
            a00 = addProduct(a00, y0, b); a01 = addProduct(a01, y1, b); a02 = addProduct(a02, y2, b); a03 = addProduct(a03, y3, b)
            b = FloatVector(repeating: s1[q])
            a10 = addProduct(a10, y0, b); a11 = addProduct(a11, y1, b); a12 = addProduct(a12, y2, b); a13 = addProduct(a13, y3, b)
            b = FloatVector(repeating: s2[q])
            a20 = addProduct(a20, y0, b); a21 = addProduct(a21, y1, b); a22 = addProduct(a22, y2, b); a23 = addProduct(a23, y3, b)
            b = FloatVector(repeating: s3[q])
            a30 = addProduct(a30, y0, b); a31 = addProduct(a31, y1, b); a32 = addProduct(a32, y2, b); a33 = addProduct(a33, y3, b)
            b = FloatVector(repeating: s4[q])
            a40 = addProduct(a40, y0, b); a41 = addProduct(a41, y1, b); a42 = addProduct(a42, y2, b); a43 = addProduct(a43, y3, b)
            b = FloatVector(repeating: s5[q])
            a50 = addProduct(a50, y0, b); a51 = addProduct(a51, y1, b); a52 = addProduct(a52, y2, b); a53 = addProduct(a53, y3, b)
            g += ldg
        }
        storeVector(p0, a00); storeVector(p0 + 16, a01); storeVector(p0 + 32, a02); storeVector(p0 + 48, a03)
        storeVector(p1, a10); storeVector(p1 + 16, a11); storeVector(p1 + 32, a12); storeVector(p1 + 48, a13)
        storeVector(p2, a20); storeVector(p2 + 16, a21); storeVector(p2 + 32, a22); storeVector(p2 + 48, a23)
        storeVector(p3, a30); storeVector(p3 + 16, a31); storeVector(p3 + 32, a32); storeVector(p3 + 48, a33)
        storeVector(p4, a40); storeVector(p4 + 16, a41); storeVector(p4 + 32, a42); storeVector(p4 + 48, a43)
        storeVector(p5, a50); storeVector(p5 + 16, a51); storeVector(p5 + 32, a52); storeVector(p5 + 48, a53)
    }

    /// As `weightGradientTile4x6` for 32 filters (2 vectors) and 12 source rows.
    @inline(never)
    static func weightGradientTile2x12(
        _ acc: UnsafeMutablePointer<Float>, lda: Int, _ gT: UnsafePointer<Float>, ldg: Int,
        _ src: UnsafePointer<Float>, offsets: UnsafePointer<Int>, from q0: Int, to q1: Int
    ) {
        let p0 = acc, p1 = p0 + lda, p2 = p1 + lda, p3 = p2 + lda, p4 = p3 + lda, p5 = p4 + lda
        let p6 = p5 + lda, p7 = p6 + lda, p8 = p7 + lda, p9 = p8 + lda, p10 = p9 + lda, p11 = p10 + lda
        var a00 = loadVector(p0), a01 = loadVector(p0 + 16), a10 = loadVector(p1), a11 = loadVector(p1 + 16)
        var a20 = loadVector(p2), a21 = loadVector(p2 + 16), a30 = loadVector(p3), a31 = loadVector(p3 + 16)
        var a40 = loadVector(p4), a41 = loadVector(p4 + 16), a50 = loadVector(p5), a51 = loadVector(p5 + 16)
        var a60 = loadVector(p6), a61 = loadVector(p6 + 16), a70 = loadVector(p7), a71 = loadVector(p7 + 16)
        var a80 = loadVector(p8), a81 = loadVector(p8 + 16), a90 = loadVector(p9), a91 = loadVector(p9 + 16)
        var aA0 = loadVector(p10), aA1 = loadVector(p10 + 16), aB0 = loadVector(p11), aB1 = loadVector(p11 + 16)
        let s0 = src + offsets[0], s1 = src + offsets[1], s2 = src + offsets[2], s3 = src + offsets[3]
        let s4 = src + offsets[4], s5 = src + offsets[5], s6 = src + offsets[6], s7 = src + offsets[7]
        let s8 = src + offsets[8], s9 = src + offsets[9], s10 = src + offsets[10], s11 = src + offsets[11]
        var g = gT + q0 * ldg
        for q in q0..<q1 {
            let y0 = loadVector(g), y1 = loadVector(g + 16)
            var b = FloatVector(repeating: s0[q]); a00 = addProduct(a00, y0, b); a01 = addProduct(a01, y1, b)
            b = FloatVector(repeating: s1[q]); a10 = addProduct(a10, y0, b); a11 = addProduct(a11, y1, b)
            b = FloatVector(repeating: s2[q]); a20 = addProduct(a20, y0, b); a21 = addProduct(a21, y1, b)
            b = FloatVector(repeating: s3[q]); a30 = addProduct(a30, y0, b); a31 = addProduct(a31, y1, b)
            b = FloatVector(repeating: s4[q]); a40 = addProduct(a40, y0, b); a41 = addProduct(a41, y1, b)
            b = FloatVector(repeating: s5[q]); a50 = addProduct(a50, y0, b); a51 = addProduct(a51, y1, b)
            b = FloatVector(repeating: s6[q]); a60 = addProduct(a60, y0, b); a61 = addProduct(a61, y1, b)
            b = FloatVector(repeating: s7[q]); a70 = addProduct(a70, y0, b); a71 = addProduct(a71, y1, b)
            b = FloatVector(repeating: s8[q]); a80 = addProduct(a80, y0, b); a81 = addProduct(a81, y1, b)
            b = FloatVector(repeating: s9[q]); a90 = addProduct(a90, y0, b); a91 = addProduct(a91, y1, b)
            b = FloatVector(repeating: s10[q]); aA0 = addProduct(aA0, y0, b); aA1 = addProduct(aA1, y1, b)
            b = FloatVector(repeating: s11[q]); aB0 = addProduct(aB0, y0, b); aB1 = addProduct(aB1, y1, b)
            g += ldg
        }
        storeVector(p0, a00); storeVector(p0 + 16, a01); storeVector(p1, a10); storeVector(p1 + 16, a11)
        storeVector(p2, a20); storeVector(p2 + 16, a21); storeVector(p3, a30); storeVector(p3 + 16, a31)
        storeVector(p4, a40); storeVector(p4 + 16, a41); storeVector(p5, a50); storeVector(p5 + 16, a51)
        storeVector(p6, a60); storeVector(p6 + 16, a61); storeVector(p7, a70); storeVector(p7 + 16, a71)
        storeVector(p8, a80); storeVector(p8 + 16, a81); storeVector(p9, a90); storeVector(p9 + 16, a91)
        storeVector(p10, aA0); storeVector(p10 + 16, aA1); storeVector(p11, aB0); storeVector(p11 + 16, aB1)
    }

    /// As `weightGradientTile4x6` for 16 filters (1 vector) and 12 source rows.
    @inline(never)
    static func weightGradientTile1x12(
        _ acc: UnsafeMutablePointer<Float>, lda: Int, _ gT: UnsafePointer<Float>, ldg: Int,
        _ src: UnsafePointer<Float>, offsets: UnsafePointer<Int>, from q0: Int, to q1: Int
    ) {
        let p0 = acc, p1 = p0 + lda, p2 = p1 + lda, p3 = p2 + lda, p4 = p3 + lda, p5 = p4 + lda
        let p6 = p5 + lda, p7 = p6 + lda, p8 = p7 + lda, p9 = p8 + lda, p10 = p9 + lda, p11 = p10 + lda
        var a0 = loadVector(p0), a1 = loadVector(p1), a2 = loadVector(p2), a3 = loadVector(p3)
        var a4 = loadVector(p4), a5 = loadVector(p5), a6 = loadVector(p6), a7 = loadVector(p7)
        var a8 = loadVector(p8), a9 = loadVector(p9), a10 = loadVector(p10), a11 = loadVector(p11)
        let s0 = src + offsets[0], s1 = src + offsets[1], s2 = src + offsets[2], s3 = src + offsets[3]
        let s4 = src + offsets[4], s5 = src + offsets[5], s6 = src + offsets[6], s7 = src + offsets[7]
        let s8 = src + offsets[8], s9 = src + offsets[9], s10 = src + offsets[10], s11 = src + offsets[11]
        var g = gT + q0 * ldg
        for q in q0..<q1 {
            let y = loadVector(g)
            a0 = addProduct(a0, y, FloatVector(repeating: s0[q])); a1 = addProduct(a1, y, FloatVector(repeating: s1[q]))
            a2 = addProduct(a2, y, FloatVector(repeating: s2[q])); a3 = addProduct(a3, y, FloatVector(repeating: s3[q]))
            a4 = addProduct(a4, y, FloatVector(repeating: s4[q])); a5 = addProduct(a5, y, FloatVector(repeating: s5[q]))
            a6 = addProduct(a6, y, FloatVector(repeating: s6[q])); a7 = addProduct(a7, y, FloatVector(repeating: s7[q]))
            a8 = addProduct(a8, y, FloatVector(repeating: s8[q])); a9 = addProduct(a9, y, FloatVector(repeating: s9[q]))
            a10 = addProduct(a10, y, FloatVector(repeating: s10[q])); a11 = addProduct(a11, y, FloatVector(repeating: s11[q]))
            g += ldg
        }
        storeVector(p0, a0); storeVector(p1, a1); storeVector(p2, a2); storeVector(p3, a3)
        storeVector(p4, a4); storeVector(p5, a5); storeVector(p6, a6); storeVector(p7, a7)
        storeVector(p8, a8); storeVector(p9, a9); storeVector(p10, a10); storeVector(p11, a11)
    }

    /// dst[i·ldd + k] = src[k·lds + i] for i, k in 0..<16: a 16 × 16 transpose in registers.
    ///
    /// Four rounds of "even lanes of two rows, then odd lanes" (a perfect unshuffle) transpose
    /// the block; measured 6× faster than the scalar loop for the weight gradient's gOut' chunks.
    @inline(never)
    static func transpose16(_ dst: UnsafeMutablePointer<Float>, ldd: Int, _ src: UnsafePointer<Float>, lds: Int) {
        @inline(__always) func even(_ a: FloatVector, _ b: FloatVector) -> FloatVector {
            FloatVector(lowHalf: a.evenHalf, highHalf: b.evenHalf)
        }
        @inline(__always) func odd(_ a: FloatVector, _ b: FloatVector) -> FloatVector {
            FloatVector(lowHalf: a.oddHalf, highHalf: b.oddHalf)
        }
        var r = (loadVector(src), loadVector(src + lds), loadVector(src + 2 * lds), loadVector(src + 3 * lds),
                 loadVector(src + 4 * lds), loadVector(src + 5 * lds), loadVector(src + 6 * lds), loadVector(src + 7 * lds),
                 loadVector(src + 8 * lds), loadVector(src + 9 * lds), loadVector(src + 10 * lds), loadVector(src + 11 * lds),
                 loadVector(src + 12 * lds), loadVector(src + 13 * lds), loadVector(src + 14 * lds), loadVector(src + 15 * lds))
        for _ in 0..<4 {
            r = (even(r.0, r.1), even(r.2, r.3), even(r.4, r.5), even(r.6, r.7),
                 even(r.8, r.9), even(r.10, r.11), even(r.12, r.13), even(r.14, r.15),
                 odd(r.0, r.1), odd(r.2, r.3), odd(r.4, r.5), odd(r.6, r.7),
                 odd(r.8, r.9), odd(r.10, r.11), odd(r.12, r.13), odd(r.14, r.15))
        }
        storeVector(dst, r.0); storeVector(dst + ldd, r.1); storeVector(dst + 2 * ldd, r.2); storeVector(dst + 3 * ldd, r.3)
        storeVector(dst + 4 * ldd, r.4); storeVector(dst + 5 * ldd, r.5); storeVector(dst + 6 * ldd, r.6); storeVector(dst + 7 * ldd, r.7)
        storeVector(dst + 8 * ldd, r.8); storeVector(dst + 9 * ldd, r.9); storeVector(dst + 10 * ldd, r.10); storeVector(dst + 11 * ldd, r.11)
        storeVector(dst + 12 * ldd, r.12); storeVector(dst + 13 * ldd, r.13); storeVector(dst + 14 * ldd, r.14); storeVector(dst + 15 * ldd, r.15)
    }
}
