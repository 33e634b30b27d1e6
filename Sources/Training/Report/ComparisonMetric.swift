// The metrics a comparison pairs strategies on, with their names in results.json and the
// report, and which direction is better.

/// A per-run metric that strategies are compared on, seed by seed.
public enum ComparisonMetric: String, CaseIterable, Sendable, Equatable {
    /// VOC AP at IoU 0.5 on the test split: the primary metric.
    case ap50
    /// COCO AP@[.5:.95] at maxDets 100.
    case cocoAP = "coco_ap"
    /// COCO AP@[.5:.95] at maxDets 300.
    case cocoAP300 = "coco_ap_maxdets300"
    /// COCO AP at IoU 0.75.
    case ap75
    /// COCO AR at maxDets 100.
    case ar100
    /// Wall-clock training seconds per iteration (evaluation excluded).
    case secondsPerIteration = "seconds_per_iteration"

    /// The name in prose and tables ("AP50", "s/iteration").
    public var label: String {
        switch self {
        case .ap50: "AP50"
        case .cocoAP: "COCO AP"
        case .cocoAP300: "COCO AP (maxDets 300)"
        case .ap75: "AP75"
        case .ar100: "AR@100"
        case .secondsPerIteration: "s/iteration"
        }
    }

    /// The words for a higher and a lower value: better/worse for accuracy, slower/faster for time.
    public var comparatives: (higher: String, lower: String) {
        self == .secondsPerIteration ? ("slower", "faster") : ("better", "worse")
    }

    /// The metric's value in one run.
    public func value(of run: SeedRun) -> Double {
        switch self {
        case .ap50: run.ap50
        case .cocoAP: run.cocoAP
        case .cocoAP300: run.cocoAP300
        case .ap75: run.ap75
        case .ar100: run.ar100
        case .secondsPerIteration: run.secondsPerIteration
        }
    }
}
