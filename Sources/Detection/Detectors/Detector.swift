// Legend: N images, H×W image (pixels), K foreground classes (labels 1…K).
//
// A detector is its training heads plus inference. The trainer, the loss log, the progress
// line, the reports and the commands see only this protocol: a detector's heads name its loss
// terms and its strategies, `trainingLoss` runs one step, `detect` runs inference.
import Autograd
import Foundation
import NN
import TensorCore

/// An object detector that Quarry trains with one sampling strategy per head and runs for
/// inference.
///
/// Conformers: ``TinyFasterRCNN`` (heads ``DetectionHead/rpn`` and ``DetectionHead/roi``) and
/// ``TinyRetinaNet`` (head ``DetectionHead/retinaNet``). Parameters are reference-type
/// `Variable`s shared by copies of the value, so a detector can be passed around freely.
/// Reference: DESIGN.md "The reference detector"; torchvision's detection models (one module
/// per stage, `forward` returning losses in training and detections in evaluation — here two
/// separate methods instead of a mode flag).
public protocol Detector {
    /// Which detector this is (its command-line name and checkpoint metadata).
    var kind: DetectorKind { get }
    /// K, the number of foreground classes (labels 1...K).
    var classCount: Int { get }
    /// The settings it was built with (anchors, backbone width, proposal counts, tiling).
    var configuration: DetectorConfiguration { get }
    /// The training heads in the order ``trainingLoss(images:groundTruth:samplingImages:progress:strategies:using:)``
    /// runs them; one strategy per head.
    var heads: [DetectionHead] { get }
    /// Every parameter under its PyTorch name (the checkpoint's names).
    var parameters: [Parameter] { get }

    /// Computes one training step's losses, each head's candidates chosen by its strategy.
    /// - Parameters:
    ///   - images: [N, 3, H, W] RGB pixels in 0...255, as trained on (already flipped).
    ///   - groundTruth: N ground-truth sets in the same frame; empty: background only.
    ///   - samplingImages: N image descriptions (id = the training tile's index, size, flips).
    ///   - progress: the current step and steps per epoch.
    ///   - strategies: one strategy per head, in ``heads`` order, kept across steps by the caller.
    ///   - generator: the random source of every selection.
    /// - Returns: each head's terms and mining statistics.
    /// - Precondition: N ground-truth sets and sampling images; labels in 1...K; one strategy
    ///   per head, serving that head.
    func trainingLoss(images: Tensor, groundTruth: [GroundTruth], samplingImages: [SamplingImage], progress: TrainingProgress,
                      strategies: inout [any SamplingStrategy], using generator: inout some RandomNumberGenerator) -> DetectorLosses

    /// Detects objects in a batch of images (no graph is recorded).
    /// - Parameter images: [N, 3, H, W] RGB pixels in 0...255.
    /// - Returns: N detection sets, each by decreasing score.
    /// - Precondition: images are [N, 3, H, W].
    func detect(images: Tensor) -> [Detections]

    /// Sets a head's classification bias so that every candidate starts with foreground
    /// probability π: RetinaNet's prior for the focal loss, −log((1 − π)/π) ≈ −4.595 for π = 0.01.
    ///
    /// A sigmoid head (objectness, or K sigmoids) gets −log((1 − π)/π) on every logit; a softmax
    /// head over K + 1 classes gets log(K·(1 − π)/π) on its background logit and 0 on the others,
    /// so that P(background) = 1 − π at zero input (``FocalStrategy/backgroundPriorBias(prior:classCount:)``).
    /// Reference: Lin et al., arXiv:1708.02002, §3.3 and §4.1 ("Initialization").
    /// - Precondition: 0 < π < 1; `head` is one of ``heads``.
    func initializeClassificationPrior(of head: DetectionHead, probability: Float)

    /// Computes a head's foreground probability for given negatives of one image, without
    /// gradient: the score the head gives them (ForegroundScoring.swift).
    ///
    /// At an anchor head, the probability of the anchor at ``MinedNegative/anchorIndex`` (the
    /// RPN's objectness sigmoid, RetinaNet's highest class sigmoid); at a proposal head, of the
    /// box ``MinedNegative/box`` given to the head as a proposal (the RoI head's 1 − softmax
    /// background probability). `HeadPredictions.foregroundProbabilities` in both cases.
    /// - Parameters:
    ///   - image: [1, 3, H, W] RGB pixels in 0...255, the frame the negatives are in.
    ///   - head: one of ``heads``.
    ///   - negatives: the negatives to score.
    /// - Returns: one probability in [0, 1] per negative; nil for an anchor negative without an
    ///   anchor index (or outside the grid).
    /// - Precondition: one image; `head` is one of ``heads``.
    func foregroundProbabilities(image: Tensor, head: DetectionHead, negatives: [MinedNegative]) -> [Float?]
}

extension Detector {
    /// Loads every parameter by name from a safetensors file (e.g. one written by PyTorch).
    ///
    /// Nothing changes unless every name is present with the right shape and float32 type.
    /// - Throws: `CheckpointError` naming the file and the first missing, misshapen,
    ///   wrongly typed or unexpected tensor, or the I/O / format error.
    public func load(from url: URL) throws(CheckpointError) {
        try Checkpoint(contentsOf: url).restore(into: parameters)
    }

    /// Writes every parameter to a safetensors file under its PyTorch name, atomically.
    /// - Throws: `CheckpointError` for an I/O failure, naming the file.
    public func save(to url: URL) throws(CheckpointError) {
        try Checkpoint(model: parameters).write(to: url)
    }
}
