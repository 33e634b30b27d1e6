// The reference learning-rate schedule: linear warm-up times step decay, as a pure function
// of the iteration (0-based), so resuming from a checkpoint needs only the iteration number.
import Foundation

/// A learning rate per iteration: linear warm-up, then multiplicative decay at milestones.
///
/// lr(i) = base · w(i) · γ^(number of milestones ≤ i), with the warm-up factor
/// w(i) = f + (1 − f) · i / W for i < W and 1 afterwards. This is torchvision's detection
/// reference `warmup_lr_scheduler` (`f·(1 − i/W) + i/W`) and `torch.optim.lr_scheduler.LinearLR
/// (start_factor=f, total_iters=W)` chained with `MultiStepLR(milestones, gamma)`, both stepped
/// once per iteration. With the reference (base 0.01, f = 0.1, W = 100): lr(0) = 0.001,
/// lr(50) = 0.0055, lr(99) = 0.00991, lr(100) = 0.01.
public struct LearningRateSchedule: Sendable, Equatable {
    /// The learning rate after warm-up and before any decay.
    public var baseLearningRate: Float
    /// W: iterations 0..<W are warm-up; 0 disables warm-up.
    public var warmupIterations: Int
    /// f: the warm-up factor at iteration 0, in [0, 1].
    public var warmupFactor: Float
    /// Iterations from which the rate is multiplied by `decayFactor` once more (sorted).
    public var milestones: [Int]
    /// γ: the factor applied at each milestone.
    public var decayFactor: Float

    /// Creates a schedule.
    /// - Precondition: `warmupIterations ≥ 0`, `warmupFactor` in [0, 1], milestones ≥ 0.
    public init(baseLearningRate: Float, warmupIterations: Int = 0, warmupFactor: Float = 1,
                milestones: [Int] = [], decayFactor: Float = 0.1) {
        precondition(warmupIterations >= 0 && (0...1).contains(warmupFactor),
                     "LearningRateSchedule: warm-up \(warmupIterations) iterations from factor \(warmupFactor)")
        precondition(milestones.allSatisfy { $0 >= 0 }, "LearningRateSchedule: negative milestone in \(milestones)")
        self.baseLearningRate = baseLearningRate
        self.warmupIterations = warmupIterations
        self.warmupFactor = warmupFactor
        self.milestones = milestones.sorted()
        self.decayFactor = decayFactor
    }

    /// The reference detector's schedule for a run of `iterations` iterations: base 0.01, warm-up
    /// from factor 0.1 over iterations 0–99, ×0.1 from iteration round(2n/3) and again from
    /// round(8n/9). (2n/3 and 8n/9 are never exactly halfway between integers, so the rounding
    /// rule does not matter; n = 600 gives milestones 400 and 533.)
    /// - Precondition: `iterations ≥ 0`.
    public static func reference(iterations n: Int, baseLearningRate: Float = 0.01) -> LearningRateSchedule {
        precondition(n >= 0, "LearningRateSchedule.reference: negative iteration count \(n)")
        let first = Int((2 * Double(n) / 3).rounded()), second = Int((8 * Double(n) / 9).rounded())
        return LearningRateSchedule(baseLearningRate: baseLearningRate, warmupIterations: 100, warmupFactor: 0.1,
                                    milestones: [first, second], decayFactor: 0.1)
    }

    /// The multiplier of the base rate at `iteration`: warm-up factor times γ^(milestones passed).
    /// - Precondition: `iteration ≥ 0`.
    public func factor(at iteration: Int) -> Double {
        precondition(iteration >= 0, "LearningRateSchedule: negative iteration \(iteration)")
        var factor = 1.0
        if iteration < warmupIterations {
            let f = Double(warmupFactor), alpha = Double(iteration) / Double(warmupIterations)
            factor = f + (1 - f) * alpha
        }
        let passed = milestones.filter { $0 <= iteration }.count
        return factor * Foundation.pow(Double(decayFactor), Double(passed))
    }

    /// The learning rate for `iteration` (0-based): `baseLearningRate · factor(at:)`.
    /// - Precondition: `iteration ≥ 0`.
    public func learningRate(at iteration: Int) -> Float {
        Float(Double(baseLearningRate) * factor(at: iteration))
    }
}
