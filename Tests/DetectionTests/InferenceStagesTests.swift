// Proposal filtering, detection post-processing and RoI Align (forward and gradient) on
// hand-computed cases.
import Autograd
import Detection
import DetectionKernels
import Foundation
import TensorCore
import Testing
import TestSupport

@Suite struct InferenceStagesTests {
    @Test func proposalFilterTopKClipTinyAndNMS() {
        // a3 scores best but lies outside the 40×40 image (clipped to a point, dropped); a1
        // overlaps a0 with IoU 0.82 > 0.7 (suppressed); a2 misses the top 3.
        let anchors = Tensor(shape: [4, 4], scalars: [0, 0, 10, 10,   1, 0, 11, 10,   20, 20, 30, 30,   50, 50, 60, 60])
        let filter = ProposalFilter(preNMSTopN: 3, postNMSTopN: 10)
        let (boxes, scores) = filter.proposals(objectness: [3, 2, 1, 4], deltas: .zeros([4, 4]), anchors: anchors,
                                               imageHeight: 40, imageWidth: 40)
        #expect(boxes.scalars == [0, 0, 10, 10])
        expectClose(scores, [Float(1 / (1 + exp(-3.0)))])
        let all = ProposalFilter(preNMSTopN: 4, postNMSTopN: 1).proposals(
            objectness: [3, 2, 5, 4], deltas: .zeros([4, 4]), anchors: anchors, imageHeight: 40, imageWidth: 40)
        #expect(all.boxes.scalars == [20, 20, 30, 30])
    }

    @Test func postprocessingByHand() {
        let proposals = Tensor(shape: [4, 4], scalars: [0, 0, 10, 10,   0, 0, 10, 10,   1, 0, 11, 10,   30, 30, 50, 50])
        let logits = Tensor(shape: [4, 2], scalars: [0, Float(log(9.0)),   0, -5,   0, Float(log(4.0)),   0, Float(log(3.0))])
        let found = DetectionPostprocessor().detections(classLogits: logits, boxDeltas: .zeros([4, 8]), proposals: proposals,
                                                        imageHeight: 40, imageWidth: 40)
        // Row 1 is below 0.05, row 2 is suppressed by row 0 (IoU 0.82), row 3 is clipped.
        #expect(found.labels == [1, 1])
        expectClose(found.scores, [0.9, 0.75])
        #expect(found.boxes.scalars == [0, 0, 10, 10,   30, 30, 40, 40])
        let none = DetectionPostprocessor().detections(classLogits: Tensor(shape: [0, 2], scalars: []),
                                                       boxDeltas: Tensor(shape: [0, 8], scalars: []),
                                                       proposals: Tensor(shape: [0, 4], scalars: []), imageHeight: 40,
                                                       imageWidth: 40)
        #expect(none == .empty)
    }

    @Test func roiAlignOfAConstantMapAndItsGradient() {
        let constant = Variable(Tensor(repeating: 3, shape: [1, 2, 6, 6]))
        let rois = Tensor(shape: [2, 5], scalars: [0, 2, 2, 8, 9,   0, 0.5, 1, 11, 7.5])
        let pooled = constant.roiAlign(rois, outputSize: 2, spatialScale: 0.5, samplingRatio: 2, aligned: true)
        #expect(pooled.shape == [2, 2, 2, 2])
        expectClose(pooled.value.scalars, [Float](repeating: 3, count: 16))
        let input = Tensor(shape: [2, 2, 5, 5], scalars: randomFloats(100, seed: 11))
        let twoImages = Tensor(shape: [2, 5], scalars: [1, 1.3, 0.7, 6.2, 5.9,   0, 3, 2.5, 9.5, 9])
        checkGradients(of: { $0[0].roiAlign(twoImages, outputSize: 3, spatialScale: 0.5, samplingRatio: 2, aligned: true) },
                       at: [input])
    }
}
