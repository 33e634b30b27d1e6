// Legend: N images, H×W image (pixels), P proposals per image, D detections per image.
import Autograd
import TensorCore

extension TinyFasterRCNN {
    /// Detects objects in a batch of images (no graph is recorded).
    ///
    /// Inference proposals (the configuration's counts: 1,000 → NMS 0.7 → 300 by default), RoI head, then per image: softmax,
    /// per-class decode, clip, score > 0.05, sides ≥ 0.01 px, per-class NMS 0.5, top 100.
    /// - Parameter images: [N, 3, H, W] RGB pixels in 0...255.
    /// - Returns: N detection sets, each by decreasing score.
    /// - Precondition: images are [N, 3, H, W].
    public func detect(images: Tensor) -> [Detections] {
        withoutGradients {
            let height = images.shape[2], width = images.shape[3]
            let features = self.features(images)
            let output = rpn(features)
            let proposals = rpn.proposals(output, imageHeight: height, imageWidth: width, filter: rpn.inferenceFilter)
            let (logits, deltas) = roiHeads(features, rois: RoIHeads.rois(proposals))
            let l = roiHeads.boxHead.classCount
            var start = 0
            return proposals.map { boxes in
                let p = boxes.shape[0]
                defer { start += p }
                return roiHeads.postprocessor.detections(
                    classLogits: logits.value.slice(alongAxis: 0, start..<(start + p)).reshaped(to: [p, l]),
                    boxDeltas: deltas.value.slice(alongAxis: 0, start..<(start + p)).reshaped(to: [p, 4 * l]),
                    proposals: boxes, imageHeight: height, imageWidth: width)
            }
        }
    }
}

extension TinyFasterRCNN: ProposalDetector {
    /// The RPN's inference proposals (the configuration's pre-NMS top-N → NMS 0.7 → its post-NMS
    /// count; 1,000 and 300 by default), as `detect(images:)` makes them.
    /// - Parameter images: [N, 3, H, W] RGB pixels in 0...255.
    /// - Returns: per image, [P ≤ post-NMS count, 4] proposals, pixels, by decreasing objectness.
    /// - Precondition: images are [N, 3, H, W].
    public func proposals(images: Tensor) -> [Tensor] {
        withoutGradients {
            rpn.proposals(rpn(features(images)), imageHeight: images.shape[2], imageWidth: images.shape[3], filter: rpn.inferenceFilter)
        }
    }
}
