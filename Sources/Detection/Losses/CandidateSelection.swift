// Legend: N candidates of one image and head (anchors, or proposals + ground truth at the RoI
// head); labels [N] as ≥ 1 foreground, 0 background, −1 ignored.
//
// A selection is the contract between whatever chooses the candidates (a sampling strategy)
// and the loss evaluation: which candidates, with what weights. The loss code never chooses;
// the chooser never computes a loss.

/// The candidates of one image and one head that enter the loss, with optional weights.
///
/// Indices refer to the head's candidate list (anchor index at the RPN and RetinaNet; proposal,
/// then appended ground-truth, then extra-proposal index at the RoI head). Ignored candidates
/// must not be selected. A candidate selected twice counts twice.
public struct CandidateSelection: Sendable, Equatable {
    /// Selected candidate indices, each in 0..<N.
    public var indices: [Int]
    /// One weight per selected index multiplying its classification and box loss, or nil for 1.
    public var weights: [Float]?

    /// Creates a selection.
    /// - Precondition: `weights`, if given, has one entry per index.
    public init(indices: [Int], weights: [Float]? = nil) {
        precondition(weights == nil || weights!.count == indices.count,
                     "CandidateSelection: \(weights?.count ?? 0) weights for \(indices.count) indices")
        self.indices = indices
        self.weights = weights
    }

    /// Selects every non-ignored candidate, in index order (no sampling).
    /// - Parameter labels: [N] ≥ 1 foreground, 0 background, −1 ignored.
    public static func allNonIgnored(_ labels: [Int32]) -> CandidateSelection {
        CandidateSelection(indices: labels.indices.filter { labels[$0] >= 0 })
    }
}
