// S training samples, K classes; the repeat factor r_i of sample i and the epoch list built
// from the factors.
import Randomness

/// Repeat-factor sampling: an epoch visits sample i about r_i times instead of once, so images
/// with rare classes, or with few objects, are seen more often.
///
/// Class rule (Gupta et al.): f_c is the fraction of training samples that contain class c;
/// r_c = max(1, √(t / f_c)); a sample's class factor is the largest r_c over the classes it
/// contains (1 for a sample without objects).
///
/// Object-poor rule (Quarry's, the same form applied to object counts): n_i is sample i's
/// object count and n̄ the mean count over the samples with at least one object; with
/// g_i = n_i / n̄, the sample's density factor is max(1, √(t_o / g_i)) for n_i ≥ 1 and 1 for a
/// sample without objects (it has no positives to show more often). t_o = 1 repeats samples
/// with fewer objects than average √(n̄ / n_i) times (a tile with a quarter of the mean count
/// twice); t_o = 0 turns the rule off. A single-class dataset such as NEON's trees has f = 1
/// for every sample with a tree, so only this rule changes its sampling.
///
/// r_i = max(class factor, density factor). Each epoch, sample i enters the epoch's list
/// ⌊r_i⌋ times plus once more when a `unit()` draw falls below r_i − ⌊r_i⌋ (one draw per
/// sample, in index order, as detectron2's `RepeatFactorTrainingSampler` rounds
/// stochastically); the list is then shuffled with `SplitMix64.permutation(of:)`.
/// Reference: Gupta, Dollár, Girshick, "LVIS: A Dataset for Large Vocabulary Instance
/// Segmentation", CVPR 2019 (t = 0.001 there).
public struct RepeatFactorSampling: Sendable, Hashable {
    /// `repeat-factor`.
    public static let name = "repeat-factor"
    /// The class frequency threshold t, in [0, 1]: classes in fewer than this fraction of the
    /// samples are repeated (0: the class rule is off).
    public var classThreshold: Double
    /// The object-count threshold t_o ≥ 0 of the object-poor rule (0: off).
    public var objectThreshold: Double

    /// Creates a repeat-factor rule.
    /// - Precondition: `classThreshold` in [0, 1], `objectThreshold ≥ 0`.
    public init(classThreshold: Double = 0.001, objectThreshold: Double = 0) {
        precondition((0...1).contains(classThreshold) && objectThreshold >= 0,
                     "RepeatFactorSampling: classThreshold \(classThreshold) must be in [0, 1] and objectThreshold \(objectThreshold) ≥ 0")
        self.classThreshold = classThreshold
        self.objectThreshold = objectThreshold
    }

    /// The repeat factor r_i ≥ 1 of every sample (the rules of the type's doc).
    /// - Parameter targets: `[S]` the samples' ground truth.
    /// - Returns: `[S]` factors; all 1 for an empty list.
    public func factors(for targets: [DetectionTarget]) -> [Double] {
        guard !targets.isEmpty else { return [] }
        var imagesWithClass: [Int: Int] = [:]
        for target in targets {
            for label in Set(target.labels) { imagesWithClass[label, default: 0] += 1 }
        }
        let total = Double(targets.count)
        let counted = targets.filter { $0.count > 0 }
        let meanCount = counted.isEmpty ? 0 : Double(counted.reduce(0) { $0 + $1.count }) / Double(counted.count)
        return targets.map { target in
            var factor = 1.0
            if classThreshold > 0 {
                for label in Set(target.labels) {
                    let frequency = Double(imagesWithClass[label]!) / total
                    factor = max(factor, (classThreshold / frequency).squareRoot())
                }
            }
            if objectThreshold > 0 && target.count > 0 {
                factor = max(factor, (objectThreshold / (Double(target.count) / meanCount)).squareRoot())
            }
            return factor
        }
    }

    /// Draws one epoch's list of sample indices from the factors (stochastic rounding, then a
    /// shuffle; the draws of the type's doc).
    /// - Parameter factors: `[S]` repeat factors ≥ 1.
    /// - Returns: the indices, each i about r_i times, in random order.
    public static func epoch(factors: [Double], using generator: inout SplitMix64) -> [Int] {
        var list: [Int] = []
        for (index, factor) in factors.enumerated() {
            let whole = factor.rounded(.down)
            let copies = Int(whole) + (generator.unit() < factor - whole ? 1 : 0)
            list += repeatElement(index, count: copies)
        }
        return generator.permutation(of: list.count).map { list[$0] }
    }
}
