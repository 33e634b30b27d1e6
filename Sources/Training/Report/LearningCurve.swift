// A run's learning curve: AP50 on the test split at intervals during training, against
// iterations and against training seconds, and the check whether it was still rising at the end.

/// One evaluation of a run on the test split during (or at the end of) training.
public struct LearningCurvePoint: Sendable, Equatable, Codable {
    /// Iterations trained when evaluated (1...n; n is the final evaluation).
    public var iteration: Int
    /// Wall-clock seconds of training so far (steps including batch preparation), evaluation
    /// time excluded — the x axis of the equal-time plot.
    public var seconds: Double
    /// VOC AP50 on the test split.
    public var ap50: Double
    /// The 95% percentile-bootstrap interval of `ap50` over test images (nil without test images
    /// or ground truth).
    public var ap50Interval: ConfidenceInterval?

    /// Creates a point.
    public init(iteration: Int, seconds: Double, ap50: Double, ap50Interval: ConfidenceInterval?) {
        self.iteration = iteration; self.seconds = seconds; self.ap50 = ap50; self.ap50Interval = ap50Interval
    }

    enum CodingKeys: String, CodingKey {
        case iteration, seconds, ap50
        case ap50Interval = "ap50_ci"
    }
}

/// Whether a learning curve was still rising at its end: the gain from the second-to-last to
/// the last evaluation, with a paired bootstrap interval over the test images.
///
/// The rule (why this one): the curve is still rising when the 95% percentile-bootstrap
/// interval of AP50(last) − AP50(previous), both recomputed on the same resample of test images,
/// lies above 0. Both evaluations score the same images, so the variation that comes from which
/// images are in the test set largely cancels in the difference; comparing the gain with the
/// unpaired per-run half-width would count that variation twice and miss real gains, and a trend
/// test over the last third of the curve has too few points at the default interval (3 at
/// 600 iterations with `--eval-every 100`) for its t multiplier to be useful. Caveat: the
/// learning rate drops ×0.1 at 2/3 and ×0.01 at 8/9 of the run, which flattens every curve's end,
/// so a curve that is not rising may still gain from a longer run (a different schedule).
public struct StillRisingCheck: Sendable, Equatable, Codable {
    /// The iterations of the two evaluations compared (previous, last).
    public var fromIteration: Int, toIteration: Int
    /// AP50(last) − AP50(previous).
    public var gain: Double
    /// The paired bootstrap interval of the gain over test images (nil without test images).
    public var gainInterval: ConfidenceInterval?

    /// Creates a check.
    public init(fromIteration: Int, toIteration: Int, gain: Double, gainInterval: ConfidenceInterval?) {
        self.fromIteration = fromIteration; self.toIteration = toIteration; self.gain = gain; self.gainInterval = gainInterval
    }

    /// Whether the gain's interval lies above 0.
    public var isRising: Bool { (gainInterval?.lower ?? 0) > 0 }

    enum CodingKeys: String, CodingKey {
        case gain
        case fromIteration = "from_iteration", toIteration = "to_iteration", gainInterval = "gain_ci", isRising = "still_rising"
    }

    /// Decodes the form `encode(to:)` writes (`still_rising` is derived, so not read).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fromIteration = try c.decode(Int.self, forKey: .fromIteration)
        toIteration = try c.decode(Int.self, forKey: .toIteration)
        gain = try c.decode(Double.self, forKey: .gain)
        gainInterval = try c.decodeIfPresent(ConfidenceInterval.self, forKey: .gainInterval)
    }

    /// Encodes `{"from_iteration", "to_iteration", "gain", "gain_ci": [lower, upper] or null,
    /// "still_rising"}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(fromIteration, forKey: .fromIteration)
        try c.encode(toIteration, forKey: .toIteration)
        try c.encode(gain, forKey: .gain)
        try c.encode(gainInterval, forKey: .gainInterval)
        try c.encode(isRising, forKey: .isRising)
    }
}
