// Choosing a detector by name: a closed enum and a `switch`, as `SamplerKind` chooses a strategy.

/// The built-in detectors, named as on the command line (`--model faster-rcnn`).
public enum DetectorKind: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// The two-stage reference detector of DESIGN.md (``TinyFasterRCNN``).
    case fasterRCNN = "faster-rcnn"
    /// The one-stage dense detector on the same backbone and anchors (``TinyRetinaNet``).
    case retinaNet = "retinanet"

    /// The command-line name.
    public var description: String { rawValue }

    /// Every valid name, in declaration order, comma-separated (for messages and help).
    public static var validNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Parses a detector name (exact, lower case, as ``DetectorKind/validNames`` lists).
    /// - Parameter name: e.g. `"retinanet"`.
    /// - Throws: ``UnknownDetectorError`` naming the input and listing the valid names.
    public init(parsing name: String) throws(UnknownDetectorError) {
        guard let kind = DetectorKind(rawValue: name) else { throw UnknownDetectorError(name: name) }
        self = kind
    }

    /// Whether the detector has an RPN whose proposals feed a second stage (TinyFasterRCNN), so
    /// that the configuration's pre- and post-NMS top-N apply to it.
    public var makesProposals: Bool { self == .fasterRCNN }

    /// Builds a freshly initialised detector of this kind.
    /// - Parameters:
    ///   - classCount: K ≥ 1 foreground classes.
    ///   - configuration: anchors, backbone width, proposal counts, RoI size, tiling (DESIGN.md's
    ///     reference unless given).
    ///   - generator: the random source of the initialisation.
    /// - Returns: the detector.
    /// - Precondition: K ≥ 1; the configuration is valid.
    public func makeDetector(classCount: Int, configuration: DetectorConfiguration = DetectorConfiguration(),
                             using generator: inout some RandomNumberGenerator) -> any Detector {
        switch self {
        case .fasterRCNN: TinyFasterRCNN(classCount: classCount, configuration: configuration, using: &generator)
        case .retinaNet: TinyRetinaNet(classCount: classCount, configuration: configuration, using: &generator)
        }
    }

    /// The parameter whose shape tells the class count, and that shape for K classes: the box
    /// head's class-logit bias [K + 1] (Faster R-CNN), the classification subnet's last bias
    /// [9·K] (TinyRetinaNet). Checked before a detector of a file's size is allocated.
    /// - Parameters:
    ///   - classCount: K.
    ///   - anchorsPerLocation: A (9 for the reference anchors).
    /// - Returns: the parameter's name and expected shape.
    public func classParameter(classCount: Int, anchorsPerLocation: Int = TinyRetinaNet.anchorsPerLocation) -> (name: String, shape: [Int]) {
        switch self {
        case .fasterRCNN: ("box_head.cls_score.bias", [classCount + 1])
        case .retinaNet: ("head.classification_head.cls_logits.bias", [anchorsPerLocation * classCount])
        }
    }
}

/// The error of parsing a detector name that is not one of ``DetectorKind``'s.
public struct UnknownDetectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The name as given.
    public var name: String

    /// Creates the error for a name.
    public init(name: String) { self.name = name }

    /// "unknown model 'x'; valid names: faster-rcnn, retinanet".
    public var description: String { "unknown model '\(name)'; valid names: \(DetectorKind.validNames)" }
}
