// Legend: one image H×W pixels; A anchors of an anchor head; n negatives to score.
//
// How a trained detector scores negatives another run mined: its training heads bound to a
// forward pass of the image without ground truth, their predictions read without gradient
// (`TrainingHead.predictions`), `HeadPredictions.foregroundProbabilities` of them. The
// comparison report asks whether the final `random` model thinks a mined negative "looks like
// an object" (issue 14, item 5).
import Autograd
import TensorCore

extension TrainingHead {
    /// Scores negatives with this head bound to one image: at an anchor head by anchor index
    /// among its A anchors, at a proposal head the first n candidates (the negatives' boxes,
    /// given to the head as its proposals).
    func foregroundProbabilities(of negatives: [MinedNegative]) -> [Float?] {
        let candidates = candidates(ofImage: 0, appending: nil)
        let probabilities = predictions(ofImage: 0, for: candidates).foregroundProbabilities()
        switch head.candidates {
        case .anchors:
            return negatives.map { n in n.anchorIndex.flatMap { $0 >= 0 && $0 < probabilities.count ? probabilities[$0] : nil } }
        case .proposals:
            return negatives.indices.map { probabilities[$0] }
        }
    }
}

/// The boxes of `negatives` as [n, 4] proposals.
private func proposalBoxes(_ negatives: [MinedNegative]) -> Tensor {
    Tensor(shape: [negatives.count, 4], scalars: negatives.flatMap(\.box))
}

extension TinyFasterRCNN {
    /// Scores negatives at the RPN (objectness of each anchor index) or the RoI head (1 −
    /// P(background) of each box as a proposal), without gradient. Reference: Ren et al.,
    /// arXiv:1506.01497 (objectness); Girshick, arXiv:1504.08083 (the softmax over K + 1).
    /// - Precondition: `image` is [1, 3, H, W]; `head` is ``DetectionHead/rpn`` or ``DetectionHead/roi``.
    public func foregroundProbabilities(image: Tensor, head: DetectionHead, negatives: [MinedNegative]) -> [Float?] {
        precondition(image.rank == 4 && image.shape[0] == 1, "foregroundProbabilities: one image [1, 3, H, W], got \(image.shape)")
        precondition(heads.contains(head), "foregroundProbabilities: TinyFasterRCNN has no \(head) head")
        guard !negatives.isEmpty else { return [] }
        return withoutGradients {
            let features = self.features(image)
            if head == .roi {
                // Empty ground truth: the head's candidates are exactly the given boxes.
                return RoITrainingHead(roiHeads: roiHeads, features: features, proposals: [proposalBoxes(negatives)],
                                       groundTruth: [.empty]).foregroundProbabilities(of: negatives)
            }
            return RPNTrainingHead(rpn: rpn, output: rpn(features), groundTruth: [.empty], featureHeight: features.shape[2],
                                   featureWidth: features.shape[3]).foregroundProbabilities(of: negatives)
        }
    }
}

extension TinyRetinaNet {
    /// Scores negatives at the dense head: the highest of the K class sigmoids of each anchor
    /// index, without gradient. Reference: Lin et al., arXiv:1708.02002.
    /// - Precondition: `image` is [1, 3, H, W]; `head` is ``DetectionHead/retinaNet``.
    public func foregroundProbabilities(image: Tensor, head: DetectionHead, negatives: [MinedNegative]) -> [Float?] {
        precondition(image.rank == 4 && image.shape[0] == 1, "foregroundProbabilities: one image [1, 3, H, W], got \(image.shape)")
        precondition(heads.contains(head), "foregroundProbabilities: TinyRetinaNet has no \(head) head")
        guard !negatives.isEmpty else { return [] }
        return withoutGradients {
            let features = self.features(image)
            return RetinaNetTrainingHead(model: self, output: self(features), groundTruth: [.empty], featureHeight: features.shape[2],
                                         featureWidth: features.shape[3]).foregroundProbabilities(of: negatives)
        }
    }
}
