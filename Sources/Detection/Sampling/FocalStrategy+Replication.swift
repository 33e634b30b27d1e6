// Focal's moving-average normaliser under data-parallel training (ReplicatedSamplingStrategy.swift).
//
// One process updates the average once per step with the batch's positives P:
// n ← m·n + (1 − m)·max(1, P), then divides the classification sum by n. A rank sees only its
// share of the batch, one image per pass: during the step each image's term is divided by its
// own max(1, P_i) and the rank counts its positives; at the step's end every rank sums all
// ranks' counts (P = Σ P_i), updates the average it started the step with once, and the
// trainer rescales each image's term to it (term_i · max(1, P_i) / n). So every replica holds
// the same average, the one the one-process run holds.
import Foundation

/// The average when a shared step began and this rank's positives so far.
struct FocalSharedStep: Equatable, Sendable {
    /// n before the step.
    var average: Double
    /// Σ P_i over this rank's images of the step.
    var positives = 0
}

extension FocalStrategy: ReplicatedSamplingStrategy {
    /// Remembers the average and starts counting this rank's positives.
    public mutating func beginSharedStep() {
        sharedStep = FocalSharedStep(average: positiveCountAverage)
    }

    /// This rank's positives of the step, as 8 little-endian bytes.
    public func sharedStepUpdates() -> [UInt8] {
        precondition(sharedStep != nil, "\(name): sharedStepUpdates() outside a shared step")
        return withUnsafeBytes(of: Int64(sharedStep!.positives).littleEndian) { Array($0) }
    }

    /// Restores the step's starting average and, under `.positiveCountAverage`, takes in the
    /// whole batch's count once: n ← m·n + (1 − m)·max(1, Σ ranks' positives).
    /// - Throws: ``StrategyStateError`` naming the rank whose update is not 8 bytes or holds a
    ///   negative count.
    public mutating func endSharedStep(applying updates: [[UInt8]]) throws(StrategyStateError) {
        precondition(sharedStep != nil, "\(name): endSharedStep(applying:) outside a shared step")
        var total: Int64 = 0
        for (rank, bytes) in updates.enumerated() {
            guard bytes.count == 8 else {
                throw StrategyStateError(strategy: name, reason: "rank \(rank)'s step update has \(bytes.count) bytes, expected 8")
            }
            let count = Int64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) })
            guard count >= 0 else { throw StrategyStateError(strategy: name, reason: "rank \(rank) reports \(count) positives") }
            total += count
        }
        positiveCountAverage = sharedStep!.average
        sharedStep = nil
        if normalization == .positiveCountAverage {
            positiveCountAverage = momentum * positiveCountAverage + (1 - momentum) * Double(max(1, total))
        }
    }

    /// The average after the step, under `.positiveCountAverage`; nil otherwise (the batch's count).
    public var sharedStepClassificationDivisor: Double? {
        normalization == .positiveCountAverage ? positiveCountAverage : nil
    }
}
