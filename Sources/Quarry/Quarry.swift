// The umbrella module: `import Quarry` brings in every public layer.
@_exported import AtomicFiles
@_exported import Randomness
@_exported import Kernels
@_exported import DetectionKernels
@_exported import TensorCore
@_exported import Autograd
@_exported import NN
@_exported import Detection
@_exported import Datasets
@_exported import Evaluation
@_exported import Collectives
@_exported import Training
