// swift-tools-version: 6.1
// Quarry: object-detector training on the CPU, with interchangeable sampling strategies.
//
// Dependency direction (each module imports only those to its left; scripts/check-imports.sh
// enforces it for every folder of Sources/):
//   Randomness, CShims, CCPU ← Kernels ← TensorCore ← Autograd ← NN ← Detection ← Training ← Quarry ← CLI
//   CMPI (only with the MPI trait) ← Collectives (communicators, the work queue; Foundation) ← Training
//   Kernels ← DetectionKernels (boxes, anchors, matching, NMS, RoI Align, selection) ← Autograd, Detection
//   CImageCodecs, Randomness, TensorCore ← Datasets (images, annotations, flips, tiling) ← Detection
//   Evaluation (Foundation, AtomicFiles) ← Training
//   Randomness (SplitMix64 and its bounded draw; no dependencies) ← Kernels, Datasets, Detection, Training
//   AtomicFiles (Foundation only) ← NN, Datasets, Evaluation, Training
//   Randomness, Kernels, DetectionKernels … Detection ← KernelContract (DESIGN.md's benchmark workloads) ← CLI, QuarryBenchmarks
// Swift packages come from the local copies on the build machine (git maps github.com there).
import PackageDescription

// Opt-in native build of the kernels: `QUARRY_TARGET_CPU=<LLVM CPU name>` (e.g. `znver4`, or the
// `scripts/native-cpu.sh` answer for this machine) compiles the Kernels module for that CPU, with
// fused multiply-add in the polynomial kernels, so the loss loops use its full vector width
// (AVX-512 on the reference Zen 4). The CPU must have FMA (x86-64-v3 or newer). Without it the
// build is portable (baseline x86-64 / AArch64) and a package that depends on Quarry sees no
// unsafe flags. docs/benchmarks.md gives both builds' figures.
// A CPU with AVX-512 (32 registers of 16 floats) also gets QUARRY_AVX512: the convolution then
// runs its own register tiles instead of OpenBLAS GEMMs (Sources/Kernels/DirectConvolution.swift).
let avx512CPUs: Set<String> = [
    "skylake-avx512", "cascadelake", "cooperlake", "cannonlake", "icelake-client", "icelake-server", "tigerlake",
    "rocketlake", "sapphirerapids", "emeraldrapids", "graniterapids", "graniterapids-d", "diamondrapids",
    "znver4", "znver5", "x86-64-v4",
]
let nativeKernelSettings: [SwiftSetting] = Context.environment["QUARRY_TARGET_CPU"].map { cpu in
    [.unsafeFlags(["-target-cpu", cpu]), .define("QUARRY_FMA")] + (avx512CPUs.contains(cpu) ? [.define("QUARRY_AVX512")] : [])
} ?? []

let package = Package(
    name: "Quarry",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Quarry", targets: ["Quarry"]),
        .executable(name: "quarry", targets: ["QuarryCLI"]),
    ],
    // Opt-in Open MPI (`swift build --traits MPI`, Debian's libopenmpi-dev): the Collectives
    // module then has `MPICommunicator`, and `mpirun -np N quarry compare` spreads the runs over
    // the ranks (docs/distributed.md). The default build needs no MPI.
    traits: [
        .trait(name: "MPI", description: "Open MPI collectives (libopenmpi-dev) for runs across processes and machines"),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        // MARK: - C shims
        .systemLibrary(name: "CShims", path: "CShims/BLAS"),
        // CPUID/XGETBV and OpenBLAS's run-time core re-selection, for the BLAS self-check.
        .target(name: "CCPU", path: "CShims/CPU", linkerSettings: [.linkedLibrary("dl")]),
        // Open MPI's mpi.h with static inline functions for its handle macros; pkg-config `ompi`
        // gives the include and library paths. Built only with the MPI trait.
        .systemLibrary(name: "CMPI", path: "CShims/MPI", pkgConfig: "ompi", providers: [.apt(["libopenmpi-dev"])]),
        .target(
            name: "CImageCodecs",
            path: "CShims/ImageCodecs",
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg")]
        ),

        // MARK: - Library modules
        .target(name: "AtomicFiles", dependencies: []),
        .target(name: "Randomness", dependencies: []),
        // All-reduce, all-gather, broadcast, barrier and messages behind `Communicator`: one
        // process by default, Open MPI with the MPI trait; the comparison's work queue.
        .target(name: "Collectives", dependencies: [.target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
        .target(name: "Kernels", dependencies: ["Randomness", "CShims", "CCPU"], swiftSettings: nativeKernelSettings),
        // Box, anchor, matching, NMS, RoI Align and selection kernels: the detection-specific
        // half of the raw-buffer loops, extending the same `Kernels` namespace.
        .target(name: "DetectionKernels", dependencies: ["Kernels", "Randomness"], swiftSettings: nativeKernelSettings),
        .target(name: "TensorCore", dependencies: ["Kernels"]),
        .target(name: "Autograd", dependencies: ["TensorCore", "Kernels", "DetectionKernels"]),
        .target(name: "NN", dependencies: ["Autograd", "TensorCore", "Kernels", "AtomicFiles"]),
        .target(name: "Datasets", dependencies: ["TensorCore", "Randomness", "CImageCodecs", "AtomicFiles"]),
        .target(
            name: "Detection",
            dependencies: [
                "NN", "Autograd", "TensorCore", "Kernels", "DetectionKernels", "Randomness", "Datasets",
                // Only the two modules the hard-negative buffer uses: the umbrella `Collections`
                // product would also compile BitCollections, HashTreeCollections, OrderedCollections
                // and _RopeModule into every release build.
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(name: "Evaluation", dependencies: ["AtomicFiles"]),
        .target(
            name: "Training",
            dependencies: [
                "Detection", "Datasets", "Evaluation", "NN", "Autograd", "TensorCore", "Kernels", "Randomness", "AtomicFiles",
                "Collectives",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Quarry",
            dependencies: ["AtomicFiles", "Randomness", "Kernels", "DetectionKernels", "TensorCore", "Autograd", "NN", "Detection", "Datasets", "Evaluation", "Collectives", "Training"]
        ),
        // The kernel contract's workloads, defined once for the benchmark executable and `quarry bench`.
        .target(name: "KernelContract", dependencies: ["Randomness", "Kernels", "DetectionKernels", "TensorCore", "Autograd", "NN", "Detection"]),
        .executableTarget(
            name: "QuarryCLI",
            dependencies: [
                "Quarry", "KernelContract",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/CLI"
        ),

        // MARK: - Benchmarks (ordo-one/benchmark; run with `swift package benchmark`)
        .executableTarget(
            name: "QuarryBenchmarks",
            dependencies: [
                "KernelContract",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/QuarryBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // MARK: - Tests
        .target(name: "TestSupport", dependencies: ["Randomness", "Kernels", "DetectionKernels", "TensorCore", "Autograd"], path: "Tests/TestSupport"),
        .testTarget(name: "AtomicFilesTests", dependencies: ["AtomicFiles"]),
        .testTarget(name: "RandomnessTests", dependencies: ["Randomness"]),
        .testTarget(name: "CollectivesTests", dependencies: ["Collectives"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "Randomness", "TestSupport"]),
        .testTarget(name: "DetectionKernelsTests", dependencies: ["DetectionKernels", "Kernels", "Randomness", "TestSupport"]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "Randomness", "TestSupport"]),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Randomness", "TestSupport"]),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "DetectionKernels", "Datasets", "Randomness", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Randomness", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "TestSupport"]),
        .testTarget(name: "KernelContractTests", dependencies: ["KernelContract"]),
        .testTarget(name: "CLITests", dependencies: ["QuarryCLI", "KernelContract", "TestSupport"]),
    ]
)
