// libFuzzer harness: DeepForest CSV annotations (UTF-8 check, quoting, columns, numbers, boxes).
import Foundation
import Quarry

/// The file name errors report; nothing is read from it.
let csvURL = URL(fileURLWithPath: "/nonexistent/fuzz/annotations.csv")

/// libFuzzer's entry point: parses `count` bytes at `start` as a CSV annotation file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Data(bytes: $0, count: count) } ?? Data()
    _ = try? CSVAnnotationReader.parse(bytes, url: csvURL)
    return 0
}
