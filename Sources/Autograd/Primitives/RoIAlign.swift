// Legend: features [N, C, H, W] (cells); K RoIs [K, 5] as (image index, x1, y1, x2, y2) in
// input-image pixels; output [K, C, PH, PW].
import DetectionKernels
import Kernels
import TensorCore

extension Variable {
    /// Pools a PH×PW grid of features from each RoI by bilinear sampling (RoI Align), as a
    /// differentiable operation: the gradient flows to the features, never to the RoIs.
    ///
    /// Each bin averages `samplingRatio`² bilinear samples. `spatialScale` is feature size over
    /// image size: 1/8 for TinyFasterRCNN's stride-8 map, so a RoI edge at x = 80 px lands on
    /// feature column 10 (torchvision's example: 1/16 for a 224-px image and a 14×14 map).
    /// `aligned` shifts the RoI by −0.5 cell so that pixel centres line up (Detectron2's fix of
    /// the paper's off-by-half-pixel sampling); TinyFasterRCNN uses it.
    /// - Parameters:
    ///   - rois: [K, 5] RoIs (image index, x1, y1, x2, y2), pixels; a constant.
    ///   - outputSize: PH = PW, bins per side (7 in the RoI head).
    ///   - spatialScale: feature cells per image pixel.
    ///   - samplingRatio: sample points per bin side (≤ 0: adaptive, as torchvision).
    ///   - aligned: apply the half-cell offset.
    /// - Returns: [K, C, PH, PW] pooled features.
    /// - Precondition: self is [N, C, H, W]; rois are [K, 5] with integer image indices in 0..<N.
    ///
    /// Reference: He et al., "Mask R-CNN", arXiv:1703.06870; torchvision.ops.roi_align.
    public func roiAlign(_ rois: Tensor, outputSize: Int, spatialScale: Float, samplingRatio: Int,
                         aligned: Bool) -> Variable {
        precondition(value.rank == 4, "roiAlign: features \(shape) must be [N, C, H, W]")
        precondition(rois.rank == 2 && rois.shape[1] == 5, "roiAlign: RoIs \(rois.shape) must be [K, 5]")
        let geometry = RoIAlignGeometry(
            batchSize: shape[0], channels: shape[1], height: shape[2], width: shape[3], roiCount: rois.shape[0],
            pooledHeight: outputSize, pooledWidth: outputSize, spatialScale: spatialScale,
            samplingRatio: samplingRatio, aligned: aligned)
        let outputShape = [rois.shape[0], shape[1], outputSize, outputSize]
        var output = [Float](repeating: 0, count: outputShape.reduce(1, *))
        value.scalars.withUnsafeBufferPointer { input in
            rois.scalars.withUnsafeBufferPointer { r in
                output.withUnsafeMutableBufferPointer { Kernels.roiAlignForward($0, input, rois: r, geometry: geometry) }
            }
        }
        let featureShape = shape
        return Variable(Tensor(shape: outputShape, scalars: output), parents: [self]) { gradOutput in
            var gradInput = [Float](repeating: 0, count: featureShape.reduce(1, *))
            gradOutput.scalars.withUnsafeBufferPointer { g in
                rois.scalars.withUnsafeBufferPointer { r in
                    gradInput.withUnsafeMutableBufferPointer {
                        Kernels.roiAlignBackward($0, g, rois: r, geometry: geometry)
                    }
                }
            }
            return [Tensor(shape: featureShape, scalars: gradInput)]
        }
    }
}
