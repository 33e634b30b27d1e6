// Rank keys for loss-ordered selection: one UInt64 per candidate whose integer order is
// "higher loss first, then lower index first", plus partial selection and sorting on them.
//
// Legend: n keys, k kept. A key packs the loss, bit-flipped so that larger losses give smaller
// integers, in the high 32 bits and the candidate index in the low 32 bits. Keys are unique
// (indices are), so ties in loss are broken by index with no extra comparison, and the
// selection and sort below never see equal keys.
import Kernels

extension Kernels {
    /// The key that sorts (loss descending, index ascending) as ascending UInt64.
    ///
    /// −0 is folded into +0 (so the two tie); every NaN ranks above +∞, as in `torch.topk`
    /// (x86's default NaN has its sign bit set, so NaNs are canonicalised first).
    /// Requires `index < 2³²` (checked by the callers).
    @inline(__always)
    static func rankKey(loss: Float, index: Int) -> UInt64 {
        let bits = loss != loss ? Float.nan.bitPattern : (loss + 0).bitPattern
        // Ascending-float order as unsigned integers: negatives have all bits flipped,
        // non-negatives only the sign bit. Complementing that gives descending order.
        let ascending = bits ^ (UInt32(bitPattern: Int32(bitPattern: bits) &>> 31) | 0x8000_0000)
        return (UInt64(~ascending) &<< 32) | UInt64(UInt32(truncatingIfNeeded: index))
    }

    /// The candidate index stored in a rank key.
    @inline(__always)
    static func rankKeyIndex(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: key & 0xFFFF_FFFF)
    }

    /// Reorders `keys[0..<n]` so that its first k entries are the k smallest (in no set order).
    ///
    /// Quickselect (Hoare partition, median-of-three pivot), finishing with insertion sort on
    /// ranges of at most 16; expected O(n). Keys must be distinct.
    static func partitionSmallest(_ keys: UnsafeMutablePointer<UInt64>, count n: Int, keeping k: Int) {
        guard k > 0, k < n else { return }
        let target = k - 1
        var lo = 0, hi = n - 1
        while hi - lo > 16 {
            let (j, i) = hoarePartition(keys, lo, hi)
            if target <= j { hi = j } else if target >= i { lo = i } else { return }
        }
        insertionSort(keys, lo, hi)
    }

    /// Sorts `keys[0..<n]` ascending (quicksort with insertion sort below 17 elements).
    static func sortKeys(_ keys: UnsafeMutablePointer<UInt64>, count n: Int) {
        guard n > 1 else { return }
        quicksort(keys, 0, n - 1)
    }

    /// Reorders distinct `keys` so that their first min(k, count) entries are the k smallest, in
    /// ascending order (the rest in no set order): a partial sort, O(n + k log k) expected.
    ///
    /// For top-k selections over large candidate sets (the RPN's 2,000 of 22,500 proposals per
    /// image), where sorting every key cost about 2% of a K11 training step.
    /// - Precondition: the keys are distinct.
    public static func sortSmallestKeys(_ keys: UnsafeMutableBufferPointer<UInt64>, keeping k: Int) {
        guard let base = keys.baseAddress, keys.count > 1, k > 0 else { return }
        let kept = min(k, keys.count)
        partitionSmallest(base, count: keys.count, keeping: kept)
        sortKeys(base, count: kept)
    }

    // MARK: - Pieces

    private static func quicksort(_ keys: UnsafeMutablePointer<UInt64>, _ lo: Int, _ hi: Int) {
        var lo = lo, hi = hi
        while hi - lo > 16 {
            let (j, i) = hoarePartition(keys, lo, hi)
            // Recurse into the smaller side, loop on the larger: O(log n) stack depth.
            if j - lo < hi - i {
                quicksort(keys, lo, j); lo = i
            } else {
                quicksort(keys, i, hi); hi = j
            }
        }
        insertionSort(keys, lo, hi)
    }

    /// Partitions keys[lo...hi] around a median-of-three pivot; returns (j, i) with
    /// keys[lo...j] ≤ pivot ≤ keys[i...hi] and everything strictly between equal to the pivot.
    @inline(__always)
    private static func hoarePartition(_ keys: UnsafeMutablePointer<UInt64>, _ lo: Int, _ hi: Int) -> (Int, Int) {
        let a = keys[lo], b = keys[lo + (hi - lo) / 2], c = keys[hi]
        let pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b))
        var i = lo, j = hi
        while i <= j {
            while keys[i] < pivot { i += 1 }
            while keys[j] > pivot { j -= 1 }
            if i <= j {
                keys.swapAt(i, j)
                i += 1; j -= 1
            }
        }
        return (j, i)
    }

    @inline(__always)
    private static func insertionSort(_ keys: UnsafeMutablePointer<UInt64>, _ lo: Int, _ hi: Int) {
        guard hi > lo else { return }
        for i in (lo + 1)...hi {
            let key = keys[i]
            var j = i - 1
            while j >= lo && keys[j] > key {
                keys[j + 1] = keys[j]
                j -= 1
            }
            keys[j + 1] = key
        }
    }
}

extension UnsafeMutablePointer where Pointee == UInt64 {
    /// Exchanges the elements at offsets i and j.
    @inline(__always)
    fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]; self[i] = self[j]; self[j] = t
    }
}
