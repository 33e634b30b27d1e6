// Finds the first byte that is not well-formed UTF-8, so that a text parser never sees one.
//
// Why: Foundation's XMLParser on Linux traps (SIGILL in _NSXMLParserStartElementNs) when an
// element name holds a byte that is not valid UTF-8: it builds a Swift String from libxml2's
// bytes without a fallback. The VOC reader checks the bytes first and reports the place.
import Foundation

/// Where a document stops being well-formed UTF-8.
struct UTF8Violation: Equatable, Sendable {
    /// 0-based byte offset of the first byte of the ill-formed sequence.
    let offset: Int
    /// 1-based line of that byte (lines end at "\n").
    let line: Int
    /// The byte at `offset`.
    let byte: UInt8

    /// "byte 0xCF at offset 312 is not valid UTF-8".
    var reason: String { "byte 0x\(String(byte, radix: 16, uppercase: true)) at offset \(offset) is not valid UTF-8" }
}

enum UTF8Check {
    /// The first ill-formed sequence of `bytes` by the Unicode Standard's Table 3-7 (well-formed
    /// UTF-8 byte sequences: no overlong forms, no surrogates, nothing above U+10FFFF, no
    /// truncated sequence at the end), or nil when all of it is well-formed.
    static func firstViolation(in bytes: some Collection<UInt8>) -> UTF8Violation? {
        let data = Array(bytes)
        var i = 0, line = 1
        while i < data.count {
            let lead = data[i]
            if lead < 0x80 {
                if lead == 0x0A { line += 1 }
                i += 1
                continue
            }
            // Length and the allowed range of the second byte (Table 3-7).
            let length: Int, second: ClosedRange<UInt8>
            switch lead {
            case 0xC2...0xDF: length = 2; second = 0x80...0xBF
            case 0xE0: length = 3; second = 0xA0...0xBF
            case 0xE1...0xEC, 0xEE...0xEF: length = 3; second = 0x80...0xBF
            case 0xED: length = 3; second = 0x80...0x9F
            case 0xF0: length = 4; second = 0x90...0xBF
            case 0xF1...0xF3: length = 4; second = 0x80...0xBF
            case 0xF4: length = 4; second = 0x80...0x8F
            default: return UTF8Violation(offset: i, line: line, byte: lead)
            }
            guard i + length <= data.count, second.contains(data[i + 1]),
                  (2..<length).allSatisfy({ (0x80...0xBF).contains(data[i + $0]) }) else {
                return UTF8Violation(offset: i, line: line, byte: lead)
            }
            i += length
        }
        return nil
    }

    /// The encoding an XML declaration names (`<?xml version="1.0" encoding="…"?>`), lowercased,
    /// or nil when the document has no declaration or the declaration names none (then XML 1.0
    /// §4.3.3 makes it UTF-8, or UTF-16 with a byte-order mark).
    static func declaredXMLEncoding(of bytes: some Collection<UInt8>) -> String? {
        let head = String(decoding: bytes.prefix(200), as: UTF8.self)
        guard head.hasPrefix("<?xml"), let end = head.range(of: "?>") else { return nil }
        let declaration = head[..<end.lowerBound]
        guard let key = declaration.range(of: "encoding") else { return nil }
        let rest = declaration[key.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        return String(rest.dropFirst().prefix { $0 != quote }).lowercased()
    }

    /// Whether an XML document's bytes must be UTF-8: no other encoding declared and no UTF-16
    /// byte-order mark.
    static func xmlIsUTF8(_ bytes: some Collection<UInt8>) -> Bool {
        let start = Array(bytes.prefix(2))
        if start == [0xFE, 0xFF] || start == [0xFF, 0xFE] { return false }
        guard let encoding = declaredXMLEncoding(of: bytes) else { return true }
        return encoding == "utf-8" || encoding == "utf8"
    }
}
