// The one door to OpenBLAS and LAPACKE (and to glibc's allocator settings, which come through
// the same C shim): no other file imports CShims but BLASCoreCheck.swift, which checks, before
// the first call, that OpenBLAS runs the CPU's widest kernels.
//
// Legend: M rows of op(A) and C, N columns of op(B) and C, K the shared dimension.
// All matrices are row-major. `lda`, `ldb`, `ldc` are the row strides (in elements) of A, B
// and C as stored, i.e. before the transpose flag is applied: a row-major M×K matrix stored
// densely has lda = K; the same matrix used transposed (op(A) = Aᵀ, stored K×M) has lda = M.
import CShims

/// Raw-buffer kernels: BLAS wrappers, element-wise loops, im2col, losses and box kernels.
///
/// Every kernel takes `Unsafe(Mutable)BufferPointer<Float>` and explicit `Int` dimensions,
/// writes its outputs first in the argument list (llm.c style) and allocates nothing that
/// outlives the call. Shapes are checked with `precondition`s that name them.
public enum Kernels {}

// MARK: - Threads

extension Kernels {
    /// Sets the number of threads OpenBLAS uses for every later call.
    ///
    /// Call once, at start-up (the `quarry` command does). Quarry never runs its own parallel
    /// loops around a BLAS call, so the two never nest.
    /// - Precondition: `count >= 1`.
    public static func setBLASThreadCount(_ count: Int) {
        precondition(count >= 1, "BLAS thread count must be at least 1, got \(count)")
        ensureBLASCoreCheck()
        openblas_set_num_threads(Int32(clamping: count))
    }

    /// The number of threads OpenBLAS currently uses.
    public static var blasThreadCount: Int { Int(openblas_get_num_threads()) }

    /// Runs the BLAS self-check (BLASCoreCheck.swift) if this process has not yet: every entry
    /// point that computes with BLAS calls this first, so the right core runs the first GEMM.
    @inline(__always)
    static func ensureBLASCoreCheck() { _ = blasCoreCheck }
}

// MARK: - Memory

extension Kernels {
    /// Makes the C allocator keep freed memory for reuse instead of handing it back to the
    /// system: with glibc, blocks under 32 MiB come from the heap, which is never trimmed.
    ///
    /// Call once, at start-up of a training process (the `quarry` command does, and so does
    /// the benchmark executable). Why: a training step allocates and frees tens of MB of
    /// tensors, and glibc's default returns much of it, so the next step faults it in again
    /// (measured on the K11 step: 4,500 page faults per step and 15% of its CPU time). The
    /// process then keeps its peak heap. Process-wide; the library never calls it itself.
    /// - Returns: whether the allocator took the settings (false where there is no glibc).
    @discardableResult
    public static func retainFreedMemory() -> Bool {
        #if os(Linux)
        // 32 MiB is glibc's largest mmap threshold on 64-bit; setting it also stops glibc's
        // dynamic threshold adjustment, so the trim threshold is set explicitly too.
        return mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1
        #else
        return false
        #endif
    }
}

// MARK: - GEMM

extension Kernels {
    /// Converts a size to BLAS's 32-bit integer, trapping with the name of the size if it does not fit.
    @inline(__always)
    static func blasInt(_ value: Int, _ name: StaticString) -> Int32 {
        guard let v = Int32(exactly: value) else {
            preconditionFailure("\(name) = \(value) does not fit BLAS's 32-bit integer")
        }
        return v
    }

    /// Computes `C = alpha · op(A) · op(B) + beta · C` in single precision (row-major).
    ///
    /// - Parameters:
    ///   - c: output, M rows of `ldc` elements; only the first N of each row are written.
    ///   - a: op(A) is [M, K]; stored [M, lda] when `transposeA` is false, [K, lda] when true.
    ///   - b: op(B) is [K, N]; stored [K, ldb] when `transposeB` is false, [N, ldb] when true.
    ///   - beta: 0 overwrites C (its old contents may be uninitialised), 1 accumulates.
    /// - Precondition: all sizes ≥ 0 and below 2³¹; leading dimensions at least the stored
    ///   row length; each buffer large enough for the rows it holds.
    /// - Note: Wraps OpenBLAS `cblas_sgemm` with `CblasRowMajor`.
    public static func sgemm(
        _ c: UnsafeMutableBufferPointer<Float>, ldc: Int,
        _ a: UnsafeBufferPointer<Float>, lda: Int, transposeA: Bool,
        _ b: UnsafeBufferPointer<Float>, ldb: Int, transposeB: Bool,
        m: Int, n: Int, k: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
        let aRows = transposeA ? k : m, aCols = transposeA ? m : k
        let bRows = transposeB ? n : k, bCols = transposeB ? k : n
        precondition(lda >= max(1, aCols), "sgemm: lda=\(lda) < columns of stored A (\(aCols))")
        precondition(ldb >= max(1, bCols), "sgemm: ldb=\(ldb) < columns of stored B (\(bCols))")
        precondition(ldc >= max(1, n), "sgemm: ldc=\(ldc) < n=\(n)")
        if m == 0 || n == 0 { return }
        precondition(c.count >= (m - 1) * ldc + n, "sgemm: C holds \(c.count) < \((m - 1) * ldc + n) elements")
        if k == 0 || alpha == 0 {
            // BLAS would only scale C; do it here so empty A/B buffers need no base address.
            for i in 0..<m {
                let row = UnsafeMutableBufferPointer(rebasing: c[(i * ldc)..<(i * ldc + n)])
                if beta == 0 { row.update(repeating: 0) } else { for j in row.indices { row[j] *= beta } }
            }
            return
        }
        precondition(a.count >= (aRows - 1) * lda + aCols, "sgemm: A holds \(a.count) < \((aRows - 1) * lda + aCols) elements")
        precondition(b.count >= (bRows - 1) * ldb + bCols, "sgemm: B holds \(b.count) < \((bRows - 1) * ldb + bCols) elements")
        ensureBLASCoreCheck()
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            blasInt(m, "m"), blasInt(n, "n"), blasInt(k, "k"),
            alpha, a.baseAddress, blasInt(lda, "lda"),
            b.baseAddress, blasInt(ldb, "ldb"),
            beta, c.baseAddress, blasInt(ldc, "ldc"))
    }

    /// Computes `y = alpha · x + y` (OpenBLAS `cblas_saxpy`).
    /// - Precondition: `x.count == y.count`.
    public static func saxpy(_ y: UnsafeMutableBufferPointer<Float>, alpha: Float, _ x: UnsafeBufferPointer<Float>) {
        precondition(x.count == y.count, "saxpy: x has \(x.count) elements, y has \(y.count)")
        if x.isEmpty { return }
        ensureBLASCoreCheck()
        cblas_saxpy(blasInt(x.count, "n"), alpha, x.baseAddress, 1, y.baseAddress, 1)
    }
}

// MARK: - LAPACK

extension Kernels {
    /// Replaces the [M, N] row-major matrix `a` (M ≥ N) by the Q factor of its QR
    /// decomposition, with the signs fixed so that R's diagonal is non-negative
    /// (the convention of `torch.nn.init.orthogonal_`).
    ///
    /// - Returns: `false` if LAPACK reports an error (the contents of `a` are then unspecified).
    /// - Precondition: `m >= n >= 1`, `a.count == m * n`.
    /// - Note: Wraps LAPACKE `sgeqrf` and `sorgqr`.
    public static func orthonormalizeColumns(_ a: UnsafeMutableBufferPointer<Float>, m: Int, n: Int) -> Bool {
        precondition(m >= n && n >= 1, "orthonormalizeColumns: need m >= n >= 1, got m=\(m) n=\(n)")
        precondition(a.count == m * n, "orthonormalizeColumns: buffer holds \(a.count), expected \(m)×\(n)")
        ensureBLASCoreCheck()
        var tau = [Float](repeating: 0, count: n)
        let mm = blasInt(m, "m"), nn = blasInt(n, "n")
        let info = LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, mm, nn, a.baseAddress, nn, &tau)
        if info != 0 { return false }
        var diagonalSigns = [Float](repeating: 1, count: n)
        for j in 0..<n { diagonalSigns[j] = a[j * n + j] < 0 ? -1 : 1 }
        let info2 = LAPACKE_sorgqr(LAPACK_ROW_MAJOR, mm, nn, nn, a.baseAddress, nn, tau)
        if info2 != 0 { return false }
        for i in 0..<m { for j in 0..<n { a[i * n + j] *= diagonalSigns[j] } }
        return true
    }
}
