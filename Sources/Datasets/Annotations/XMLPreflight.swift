// Checks on a VOC file's bytes before Foundation's XMLParser sees them: each refuses a document
// that crashes XMLParser on Linux (swift-corelibs-foundation over libxml2), or that the checks
// themselves could not read reliably.
//
// Why each check:
// - bytes that are not UTF-8 in a UTF-8 document: XMLParser traps (SIGILL) building a name from
//   them (UTF8Check);
// - a processing instruction without data, `<?target?>`: libxml2 passes NULL as its data and
//   XMLParser calls strlen on it (SIGSEGV; found by the FuzzVOC harness, input `<?xmg?>`); and
//   `<?` without a target, after which libxml2 parses on into the next one (`<?<?x?>`, also
//   found by FuzzVOC);
// - a document type declaration: its entities can put such a processing instruction into the
//   content through character references (`&#60;?a?>`), and expand into gigabytes below
//   libxml2's loop limit; Pascal VOC files have none;
// - an encoding the scan cannot follow: only UTF-8, UTF-16 and the ASCII-compatible single-byte
//   encodings are read (libxml2 would also decode UTF-7 or EBCDIC, in which `<?a?>` hides).
import Foundation

/// The first reason not to hand a document to XMLParser, with its 1-based line.
struct XMLPreflightProblem: Equatable, Sendable {
    /// The line of the offending markup (1 for an encoding problem).
    let line: Int
    /// What is wrong, for `AnnotationError.malformed`.
    let reason: String
}

enum XMLPreflight {
    /// Declared encodings whose bytes keep ASCII's meaning for `<`, `?`, `!`, `-`, `[` and `]`.
    static let singleByteEncodings: Set<String> = Set(
        ["utf-8", "utf8", "us-ascii", "ascii", "latin1", "latin-1"]
            + (1...16).map { "iso-8859-\($0)" } + (1...16).map { "iso8859-\($0)" }
            + (1250...1258).map { "windows-\($0)" } + (1250...1258).map { "cp\($0)" })

    /// The first problem of `bytes` (see the file comment), or nil when XMLParser may parse them.
    static func firstProblem(in bytes: Data) -> XMLPreflightProblem? {
        let head = Array(bytes.prefix(4))
        // UTF-16, with a byte-order mark or detected from "<?" as libxml2 does: scan it as UTF-8.
        let utf16: String.Encoding? = switch head.count >= 2 ? (head[0], head[1]) : (0x3C, 0x3F) {
        case (0xFE, 0xFF), (0xFF, 0xFE): .utf16
        case (0x00, 0x3C) where head.count == 4 && head[2] == 0x00 && head[3] == 0x3F: .utf16BigEndian
        case (0x3C, 0x00) where head.count == 4 && head[2] == 0x3F && head[3] == 0x00: .utf16LittleEndian
        default: nil
        }
        if let utf16 {
            guard let text = String(data: bytes, encoding: utf16) else {
                return XMLPreflightProblem(line: 1, reason: "not valid UTF-16")
            }
            return scanMarkup(Array(text.utf8))
        }
        // UCS-4 and EBCDIC, which libxml2 detects from the first four bytes.
        if [[0, 0, 0, 0x3C], [0x3C, 0, 0, 0], [0, 0, 0xFE, 0xFF], [0xFF, 0xFE, 0, 0], [0x4C, 0x6F, 0xA7, 0x94]].contains(head) {
            return XMLPreflightProblem(line: 1, reason: "encoding not supported (UCS-4 or EBCDIC); save the file as UTF-8")
        }
        // The declaration as libxml2 reads it: after a UTF-8 byte-order mark, if there is one.
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        if let declared = UTF8Check.declaredXMLEncoding(of: body), !singleByteEncodings.contains(declared) {
            return XMLPreflightProblem(line: 1, reason: "encoding '\(declared)' not supported; save the file as UTF-8")
        }
        if UTF8Check.xmlIsUTF8(bytes), let violation = UTF8Check.firstViolation(in: bytes) {
            return XMLPreflightProblem(line: violation.line, reason: violation.reason)
        }
        return scanMarkup(Array(bytes))
    }

    /// Finds a document type declaration or a processing instruction without data in
    /// ASCII-compatible bytes, skipping comments, CDATA sections and processing instructions'
    /// data (where such text is not markup). Stops quietly at an unterminated construct: libxml2
    /// reports it, and parses nothing after it.
    static func scanMarkup(_ bytes: [UInt8]) -> XMLPreflightProblem? {
        var i = 0, line = 1
        /// Moves `i` past the next `terminator` (counting lines); false when there is none.
        func skip(past terminator: [UInt8]) -> Bool {
            while i < bytes.count {
                if bytes[i] == 0x0A { line += 1 }
                if bytes[i] == terminator[0] && bytes[i...].starts(with: terminator) {
                    i += terminator.count
                    return true
                }
                i += 1
            }
            return false
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0x0A { line += 1 }
            guard byte == UInt8(ascii: "<") else { i += 1; continue }
            let rest = bytes[i...]
            if rest.starts(with: Array("<!--".utf8)) {
                i += 4
                guard skip(past: Array("-->".utf8)) else { return nil }
            } else if rest.starts(with: Array("<![CDATA[".utf8)) {
                i += 9
                guard skip(past: Array("]]>".utf8)) else { return nil }
            } else if rest.starts(with: Array("<!DOCTYPE".utf8)) {
                return XMLPreflightProblem(
                    line: line, reason: "a document type declaration (<!DOCTYPE …>) is not accepted in a Pascal VOC file: its entities can expand without bound or into markup that crashes the XML parser")
            } else if rest.starts(with: Array("<?".utf8)) {
                // The target is a name; `?>` right after it means no data (libxml2 then passes NULL).
                var end = i + 2
                while end < bytes.count, isNameByte(bytes[end]) { end += 1 }
                // No target at all (`<?<?x?>`): libxml2 reports it and parses on, to the next
                // `<?x?>`, which a scan skipping past this one's `?>` would not see.
                guard end > i + 2 else {
                    return XMLPreflightProblem(line: line, reason: "'<?' without a processing instruction target is not accepted")
                }
                if end > i + 2, bytes[end...].starts(with: Array("?>".utf8)) {
                    let target = String(decoding: bytes[(i + 2)..<end], as: UTF8.self)
                    return XMLPreflightProblem(
                        line: line, reason: "processing instruction '<?\(target)?>' without data is not accepted: the XML parser crashes on it")
                }
                i = end
                guard skip(past: Array("?>".utf8)) else { return nil }
            } else {
                i += 1
            }
        }
        return nil
    }

    /// A byte that can continue an XML name: ASCII letters and digits, `.`, `-`, `_`, `:`, or
    /// part of a non-ASCII character.
    static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ":"), 0x80...0xFF: true
        default: false
        }
    }
}
