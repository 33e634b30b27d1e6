// A bounded store of past hard negatives, ordered by score, indexed by image.
//
// Legend: K capacity, n live entries (≤ K), m an image's entries.
// Layout: entries live in an arena of slots (reused through a free list). Three views point into
// it: a min-heap (swift-collections `Heap`) of (score, sequence) for eviction of the lowest
// score; a FIFO `Deque` in insertion order for expiry (steps are non-decreasing, so the front is
// the oldest); and a dictionary image id → slots for the visit's take-out. Removals other than
// the heap minimum leave stale heap/FIFO records behind (lazy deletion: a FIFO record is live iff
// its sequence number matches its slot's; a heap record iff its score also matches, so that a
// re-scored entry (HardNegativeBuffer+Revision.swift) keeps its place in insertion order, hence
// its age, while its old heap record goes stale); both are compacted in O(n) when they exceed 2n + 32
// records, so every operation stays O(log K) amortised.

import DequeModule
import HeapModule

/// Where a buffered hard negative lies, in its image's un-flipped frame.
public enum HardNegativeLocation: Sendable, Hashable, Codable {
    /// An RPN anchor: its index (y·W + x)·A + a in the un-flipped image's anchor grid.
    case anchor(index: Int)
    /// An RoI-head proposal box (x1, y1, x2, y2) in un-flipped pixels; Double so that mirroring
    /// a Float box twice gives it back exactly.
    case box(SIMD4<Double>)
}

/// A confident false positive remembered for replay: background by IoU, high foreground score.
public struct HardNegative: Sendable, Hashable, Codable {
    /// The image (training tile) it was mined from.
    public var imageID: Int
    /// The anchor (RPN) or box (RoI head), in the un-flipped frame.
    public var location: HardNegativeLocation
    /// The predicted foreground probability when mined, in (0, 1]; the buffer's order.
    public var score: Float
    /// The training step at which it was mined.
    public var stepMined: Int

    /// Creates an entry.
    public init(imageID: Int, location: HardNegativeLocation, score: Float, stepMined: Int) {
        self.imageID = imageID
        self.location = location
        self.score = score
        self.stepMined = stepMined
    }
}

/// A bounded buffer of hard negatives that keeps the K highest-scoring entries.
///
/// Entries are ranked by score, equal scores by insertion order (earlier first). Inserting into
/// a full buffer evicts the worst entry — the lowest score, the newest among equal lowest — in
/// O(log K) if the new entry scores strictly higher, and is rejected otherwise; so the buffer
/// holds the K best of everything inserted (since the last removals) whatever the order, and
/// batch insertion (``insert(contentsOf:)``) gives exactly the result of inserting one by one.
/// Entries are taken out per image (a visit) in O(m log m) amortised and expire by age in
/// insertion order.
/// Reference: DESIGN.md "The hard-negative buffer" (the seed design); the heap is
/// swift-collections' min-max `Heap`.
public struct HardNegativeBuffer: Sendable {
    /// What an insertion did.
    public enum Insertion: Sendable, Hashable {
        /// Stored; the buffer had room.
        case inserted
        /// Stored in place of the lowest-scoring entry, returned here.
        case evicted(HardNegative)
        /// Not stored: the buffer is full of entries scoring at least as high (or K = 0).
        case rejected
    }

    /// K, the maximum number of entries (DESIGN.md: 1,000 per head; ``unbounded`` when the
    /// per-image quota alone bounds the buffer).
    public let capacity: Int

    /// The capacity that stands for "no global bound" (2³¹ − 2): a buffer with a per-image quota
    /// q then holds q entries for every image seen, i.e. q × the training images after one epoch.
    public static let unbounded = Int(Int32.max) - 1
    /// n, the number of entries held.
    public private(set) var count = 0

    /// One arena cell: the entry, its live sequence number (`.max` when free), and its position
    /// in its image's slot list.
    struct Slot: Sendable {
        var entry: HardNegative
        var sequence: UInt64
        var position: Int
    }

    /// A heap / FIFO record, ordered worst first: lower score, then among equal scores the
    /// newer entry (earlier insertions win ties, as lower indices do in the selections).
    struct Ranked: Comparable, Sendable {
        var sequence: UInt64
        var score: Float
        var slot: Int32

        static func < (a: Ranked, b: Ranked) -> Bool {
            a.score < b.score || (a.score == b.score && a.sequence > b.sequence)
        }
        static func == (a: Ranked, b: Ranked) -> Bool { a.sequence == b.sequence && a.slot == b.slot }
    }

    var slots: [Slot] = []
    var freeSlots: [Int32] = []
    var heap = Heap<Ranked>()
    var fifo = Deque<Ranked>()
    var slotsByImage: [Int: [Int32]] = [:]
    var nextSequence: UInt64 = 0
    var newestStep = Int.min

    /// Creates an empty buffer.
    /// - Parameter capacity: K ≥ 0 (1,000 by default).
    /// - Precondition: `capacity >= 0` and below 2³¹.
    public init(capacity: Int = 1_000) {
        precondition(capacity >= 0 && capacity < Int(Int32.max), "HardNegativeBuffer: capacity must be in 0..<2³¹, got \(capacity)")
        self.capacity = capacity
        // An unbounded buffer grows as images are seen; reserve a typical run's worth only.
        slots.reserveCapacity(min(capacity, 4_096))
        heap.reserveCapacity(min(capacity, 4_096))
    }

    /// The number of images with at least one entry.
    public var imageCount: Int { slotsByImage.count }

    /// The lowest score held (the next eviction candidate), or nil when empty.
    public var lowestScore: Float? {
        var lowest: Float?
        for slot in slots where slot.sequence != .max { lowest = min(lowest ?? slot.entry.score, slot.entry.score) }
        return lowest
    }

    /// Every entry, highest score first (equal scores: earlier insertion first).
    public var entries: [HardNegative] {
        slots.filter { $0.sequence != .max }.sorted(by: Self.betterFirst).map(\.entry)
    }

    /// Returns an image's entries without removing them, highest score first.
    public func entries(forImage imageID: Int) -> [HardNegative] {
        (slotsByImage[imageID] ?? []).map { slots[Int($0)] }.sorted(by: Self.betterFirst).map(\.entry)
    }

    /// Inserts an entry, evicting the worst one (lowest score; among equal, the newest) if the
    /// buffer is full and the new entry scores strictly higher.
    /// - Parameter entry: the hard negative; its `stepMined` must not precede earlier insertions'.
    /// - Returns: whether it was stored, and what it displaced.
    /// - Precondition: `entry.score` is not NaN; `entry.stepMined` ≥ every earlier insertion's.
    @discardableResult
    public mutating func insert(_ entry: HardNegative) -> Insertion {
        switch place(entry) {
        case .stored(evicting: nil): .inserted
        case .stored(evicting: let evicted?): .evicted(evicted.entry)
        case .rejected: .rejected
        }
    }

    /// The outcome of ``place(_:)``, with the evicted slot's sequence number.
    enum Placement {
        case stored(evicting: Slot?)
        case rejected
    }

    /// Stores an entry if it beats the worst one of a full buffer (see ``insert(_:)``).
    mutating func place(_ entry: HardNegative) -> Placement {
        precondition(!entry.score.isNaN, "HardNegativeBuffer.insert: NaN score for image \(entry.imageID)")
        precondition(entry.stepMined >= newestStep,
                     "HardNegativeBuffer.insert: step \(entry.stepMined) precedes an earlier insertion's step \(newestStep)")
        newestStep = entry.stepMined
        guard capacity > 0 else { return .rejected }
        guard count == capacity else {
            let record = store(entry)
            heap.insert(record)
            fifo.append(record)
            return .stored(evicting: nil)
        }
        while let worst = heap.min, !isLive(worst) { heap.removeMin() }
        let worst = heap.min!
        guard entry.score > worst.score else { return .rejected }
        let evicted = slots[Int(worst.slot)]
        _ = release(Int(worst.slot))
        let record = store(entry)
        heap.replaceMin(with: record)
        fifo.append(record)
        return .stored(evicting: evicted)
    }

    /// Takes out every entry of an image, highest score first (equal scores: earlier first).
    /// - Parameter imageID: the image being visited.
    /// - Returns: its entries, now removed from the buffer; empty if it has none.
    public mutating func removeEntries(forImage imageID: Int) -> [HardNegative] {
        guard var members = slotsByImage.removeValue(forKey: imageID) else { return [] }
        // Sort the slot numbers (not the entries) best first; images hold few entries.
        members.sort { Self.betterFirst(slots[Int($0)], slots[Int($1)]) }
        let taken = members.map { slots[Int($0)].entry }
        for slot in members { free(Int(slot)) }
        compactIfNeeded()
        return taken
    }

    /// Removes the entries whose age `currentStep − stepMined` is at least `lifetime` steps.
    /// - Parameters:
    ///   - lifetime: the age in steps at which an entry expires (epochs × steps per epoch), ≥ 0.
    ///   - currentStep: the current training step.
    /// - Returns: the number of entries removed.
    public mutating func removeExpired(lifetime: Int, currentStep: Int) -> Int {
        var expired = 0
        while let front = fifo.first {
            if isQueued(front) {
                guard currentStep - slots[Int(front.slot)].entry.stepMined >= lifetime else { break }
                _ = release(Int(front.slot))
                expired += 1
            }
            fifo.removeFirst()
        }
        compactIfNeeded()
        return expired
    }

    /// Removes every entry, keeping the capacity.
    public mutating func removeAll() {
        self = HardNegativeBuffer(capacity: capacity)
    }

    // MARK: - Arena bookkeeping

    /// Whether slot `a` ranks before `b`: higher score, then earlier insertion.
    @inline(__always)
    static func betterFirst(_ a: Slot, _ b: Slot) -> Bool {
        a.entry.score > b.entry.score || (a.entry.score == b.entry.score && a.sequence < b.sequence)
    }

    /// Whether a heap record is current: same entry and same score (a re-scored entry has a
    /// newer heap record).
    @inline(__always)
    func isLive(_ record: Ranked) -> Bool {
        let slot = slots[Int(record.slot)]
        return slot.sequence == record.sequence && slot.entry.score.bitPattern == record.score.bitPattern
    }

    /// Whether a FIFO record is current: same entry, whatever its score now.
    @inline(__always)
    func isQueued(_ record: Ranked) -> Bool { slots[Int(record.slot)].sequence == record.sequence }

    /// Puts an entry in a free slot and indexes it by image; returns its heap/FIFO record.
    mutating func store(_ entry: HardNegative) -> Ranked {
        let sequence = nextSequence
        nextSequence += 1
        let slot: Int32
        if let reused = freeSlots.popLast() {
            slot = reused
        } else {
            slot = Int32(slots.count)
            slots.append(Slot(entry: entry, sequence: .max, position: 0))
        }
        // Append to the image's list in place (one hash lookup, no copy of the list).
        let position: Int
        if let i = slotsByImage.index(forKey: entry.imageID) {
            position = slotsByImage.values[i].count
            slotsByImage.values[i].append(slot)
        } else {
            // Room for a typical visit's entries up front: one allocation instead of several.
            var list: [Int32] = []
            list.reserveCapacity(16)
            list.append(slot)
            position = 0
            slotsByImage[entry.imageID] = list
        }
        slots[Int(slot)] = Slot(entry: entry, sequence: sequence, position: position)
        count += 1
        return Ranked(sequence: sequence, score: entry.score, slot: slot)
    }

    /// Removes a live entry from its image's list (swap with the last) and frees its slot;
    /// returns the entry.
    mutating func release(_ slot: Int) -> HardNegative {
        let cell = slots[slot]
        let i = slotsByImage.index(forKey: cell.entry.imageID)!
        let last = slotsByImage.values[i].removeLast()
        if Int(last) != slot {
            slotsByImage.values[i][cell.position] = last
            slots[Int(last)].position = cell.position
        }
        if slotsByImage.values[i].isEmpty { slotsByImage.remove(at: i) }
        free(slot)
        return cell.entry
    }

    /// Marks a slot free (its heap and FIFO records become stale).
    mutating func free(_ slot: Int) {
        slots[slot].sequence = .max
        freeSlots.append(Int32(slot))
        count -= 1
    }

    /// Drops stale records once they outnumber the live ones by more than 32: each compaction
    /// costs O(records) and removes at least half of them, so O(1) amortised per removal, and
    /// the heap never holds more than 2n + 32 records (bounding the stale minima `insert` pops).
    mutating func compactIfNeeded() {
        let limit = 2 * count + 32
        if heap.count > limit { heap = Heap(heap.unordered.filter(isLive)) }
        if fifo.count > limit { fifo = Deque(fifo.filter(isQueued)) }
    }
}
