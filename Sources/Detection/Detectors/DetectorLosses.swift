// Legend: H heads of a detector, in the order its training step runs them; two terms per head
// (classification, box), so 2·H terms.
import Autograd

/// The losses of one training step of a detector: each head's two terms and its strategy's
/// mining statistics, in the order the detector runs its heads.
///
/// Terms are named `<head>_<term>` — `rpn_objectness`, `rpn_box`, `roi_classification`,
/// `roi_box` for Faster R-CNN, `retina_classification`, `retina_box` for TinyRetinaNet — which
/// the loss log uses as its columns.
public struct DetectorLosses {
    /// One record per head, in running order.
    public var heads: [SampledHeadLoss]

    /// Creates the record.
    /// - Precondition: at least one head, each named once.
    public init(heads: [SampledHeadLoss]) {
        precondition(!heads.isEmpty && Set(heads.map(\.head.name)).count == heads.count,
                     "DetectorLosses: need distinct heads, got \(heads.map(\.head.name))")
        self.heads = heads
    }

    /// Every term with its column name, head by head (classification, then box).
    public var terms: [(name: String, value: Variable)] {
        heads.flatMap { record in
            [("\(record.head.name)_\(record.head.classificationTermName)", record.loss.classification),
             ("\(record.head.name)_box", record.loss.box)]
        }
    }

    /// The sum of every term, added left to right in ``terms`` order; call `total.backward()`.
    public var total: Variable {
        let values = terms.map(\.value)
        return values.dropFirst().reduce(values[0]) { $0 + $1 }
    }

    /// The record of one head.
    /// - Precondition: the detector has that head.
    public subscript(head: DetectionHead) -> SampledHeadLoss {
        guard let record = heads.first(where: { $0.head == head }) else {
            preconditionFailure("DetectorLosses: no \(head) head among \(heads.map(\.head.name))")
        }
        return record
    }
}
