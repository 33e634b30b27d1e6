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
    ///
    /// Only a declaration of XML's grammar counts (`<?xml`, white space, `version`, a quoted
    /// value, white space, `encoding`, a quoted EncName), as libxml2 reads one: `<?xml` followed
    /// by anything else is no declaration to libxml2, which then reads the bytes as UTF-8, so
    /// they must not escape the UTF-8 check (a fuzzer's `<?xml\xFF…` naming ISO-8859-1 further
    /// on trapped XMLParser).
    static func declaredXMLEncoding(of bytes: some Collection<UInt8>) -> String? {
        let head = Array(bytes.prefix(200))
        var i = 0
        func whitespace() -> Bool {
            let start = i
            while i < head.count, [0x20, 0x09, 0x0D, 0x0A].contains(head[i]) { i += 1 }
            return i > start
        }
        func literal(_ text: String) -> Bool {
            guard head[i...].starts(with: text.utf8) else { return false }
            i += text.utf8.count
            return true
        }
        func equals() -> Bool {
            _ = whitespace()
            guard literal("=") else { return false }
            _ = whitespace()
            return true
        }
        func quoted() -> ArraySlice<UInt8>? {
            guard i < head.count, head[i] == UInt8(ascii: "\"") || head[i] == UInt8(ascii: "'") else { return nil }
            let quote = head[i], start = i + 1
            guard let end = head[start...].firstIndex(of: quote) else { return nil }
            i = end + 1
            return head[start..<end]
        }
        guard literal("<?xml"), whitespace(), literal("version"), equals(), quoted() != nil, whitespace(),
              literal("encoding"), equals(), let name = quoted() else { return nil }
        // EncName: [A-Za-z] ([A-Za-z0-9._] | '-')*
        func isLetter(_ b: UInt8) -> Bool { (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }
        guard let first = name.first, isLetter(first),
              name.allSatisfy({ isLetter($0) || (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }) else { return nil }
        return String(decoding: name, as: UTF8.self).lowercased()
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
