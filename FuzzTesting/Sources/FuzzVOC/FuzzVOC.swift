// libFuzzer harness: Pascal VOC XML (the UTF-8 check, Foundation's XMLParser, the field checks).
// Every input must end in an annotation or a typed `AnnotationError`; anything else (a trap, an
// ASan report, a timeout, memory beyond libFuzzer's limit) is a finding.
import Foundation
import Quarry

/// The file name errors report; nothing is read from it, and no image exists beside it.
let vocURL = URL(fileURLWithPath: "/nonexistent/fuzz/annotation.xml")

/// libFuzzer's entry point: parses `count` bytes at `start` as a VOC XML file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVOC(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Data(bytes: $0, count: count) } ?? Data()
    _ = try? PascalVOCReader.parse(bytes, url: vocURL)
    return 0
}
