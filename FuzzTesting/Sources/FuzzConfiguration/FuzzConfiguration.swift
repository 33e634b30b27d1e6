// libFuzzer harness: the run configuration (`--config` JSON through TrainingConfiguration.decode,
// its strict keys and value checks) and the two small languages of the command line, strategy
// variants (`focal(gamma=1)`) and augmentation lists (`flip, scale-jitter(0.5-2.0)`). Every input
// must end in a value or a typed error; a value must survive its own round trip.
import Foundation
import Quarry

/// The file name errors report; nothing is read from it.
let configurationFile = "/nonexistent/fuzz/run.json"

/// libFuzzer's entry point: reads `count` bytes at `start` as a configuration document and, as
/// UTF-8 text, as a strategy variant and an augmentation list.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Data(bytes: $0, count: count) } ?? Data()
    if let configuration = try? TrainingConfiguration.decode(bytes, file: configurationFile) {
        // What decodes and validates is written as Quarry writes it into a checkpoint, and must
        // read back as the same configuration.
        let again = try? TrainingConfiguration.decode(configuration.jsonData(), file: configurationFile)
        if again != configuration { fatalError("configuration round trip changed: \(configuration) → \(String(describing: again))") }
    }
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? StrategyVariant(parsing: text)
    if let list = try? AugmentationList(parsing: text) {
        let again = try? AugmentationList(parsing: list.description)
        if again != list { fatalError("augmentation list round trip changed: \(list) → \(String(describing: again))") }
    }
    return 0
}
