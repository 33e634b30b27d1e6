// One drawn training sample on its way through the augmentation list, with the record of how
// its pixel grid relates to the stored sample's (N objects; boxes in pixels).

/// How an augmented image's pixel grid relates to the stored sample it was drawn from.
///
/// Stateful sampling strategies (the hard-negative buffer) remember candidates in the stored
/// sample's frame and mirror them through the image's flips; that is only possible while
/// every geometric change is a flip.
public enum SampleFrame: Sendable, Hashable {
    /// The stored sample's grid mirrored by a flip (`Flip.none`: untouched geometry). Pixel
    /// changes (colour, blur, noise, cutout, copy-paste) keep the frame.
    case source(Flip)
    /// A geometric change other than a flip (scale, crop, translation, quarter turn, mosaic):
    /// positions no longer correspond to the stored sample's.
    case altered

    /// The frame after a further flip: flips compose component-wise (each mirror is its own
    /// inverse and the two commute); an altered frame stays altered.
    public func flipped(_ flip: Flip) -> SampleFrame {
        guard case .source(let current) = self else { return .altered }
        return .source(Flip(horizontal: current.horizontal != flip.horizontal, vertical: current.vertical != flip.vertical))
    }
}

/// A sample being augmented: the current image and boxes, and the frame they are in.
public struct AugmentedSample: Sendable, Equatable {
    /// The image and its ground truth after the transforms applied so far.
    public var sample: DetectionSample
    /// How `sample`'s pixel grid relates to the stored sample's.
    public var frame: SampleFrame

    /// Starts from a stored sample, in its own frame.
    public init(_ sample: DetectionSample) {
        self.sample = sample
        self.frame = .source(.none)
    }

    /// Creates a record of an augmented sample and its frame.
    public init(sample: DetectionSample, frame: SampleFrame) {
        self.sample = sample
        self.frame = frame
    }

    /// The flip that maps the stored sample onto this one, or nil when the frame is altered.
    public var flip: Flip? {
        if case .source(let flip) = frame { return flip }
        return nil
    }
}
