// swift-tools-version:5.4
// libFuzzer harnesses for every file format Quarry reads, kept out of the main package so that
// neither `swift build` nor `swift test` there builds them. Build and run with
// `scripts/fuzz.sh [seconds]` (see docs/reliability.md).
//
// Why tools version 5.4: from 5.5 on, SwiftPM renames an executable's `main` to
// `<module>_main` and links with `--defsym main=<module>_main`, which clashes with the `main`
// that libFuzzer supplies. Each harness is a single file compiled with `-parse-as-library`
// (passed by the script), so it has no top-level code and libFuzzer's `main` runs it.
import PackageDescription

/// One harness per format: the folder `Sources/<name>` holds its `LLVMFuzzerTestOneInput`.
let harnesses = ["FuzzVOC", "FuzzCOCO", "FuzzCSV", "FuzzPNG", "FuzzJPEG", "FuzzSafetensors",
                 "FuzzConfiguration"]

let package = Package(
    name: "QuarryFuzzTesting",
    dependencies: [
        .package(name: "Quarry", path: ".."),
    ],
    targets: harnesses.map { name in
        .executableTarget(name: name, dependencies: [.product(name: "Quarry", package: "Quarry")])
    }
)
