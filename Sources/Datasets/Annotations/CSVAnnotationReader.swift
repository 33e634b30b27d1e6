import Foundation

/// Reads DeepForest-style CSV annotations: a header naming the columns `image_path`, `xmin`,
/// `ymin`, `xmax`, `ymax`, `label` (any order; extra columns ignored), then one box per row.
///
/// Rows of the same `image_path` form one image, images in order of first appearance. A row
/// whose four coordinates are all 0 marks an image without objects (DeepForest's convention).
/// Fields may be double-quoted (`""` inside quotes is a quote); a field cannot span lines.
/// Image paths are relative to `imageFolder` (default: the CSV's folder) unless absolute.
public enum CSVAnnotationReader {
    /// The columns a file must have.
    public static let requiredColumns = ["image_path", "xmin", "ymin", "xmax", "ymax", "label"]

    /// Parses one CSV file.
    /// - Parameters:
    ///   - url: the CSV file.
    ///   - imageFolder: the folder relative image paths start from; the CSV's folder when `nil`.
    /// - Throws: `AnnotationError` naming the file and 1-based line (the header is line 1):
    ///   `.unreadable`, `.malformed` (missing column, wrong field count, unterminated quote,
    ///   non-numeric coordinate, empty label), `.invalidBox`.
    public static func read(_ url: URL, imageFolder: URL? = nil) throws(AnnotationError) -> [ImageAnnotation] {
        let bytes: Foundation.Data
        do {
            bytes = try Foundation.Data(contentsOf: url)
        } catch {
            throw .unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try parse(bytes, url: url, imageFolder: imageFolder)
    }

    /// Parses the bytes of a CSV file already in memory (as `read(_:imageFolder:)` does after reading).
    /// - Parameters:
    ///   - bytes: the file's contents, UTF-8.
    ///   - url: where the file is (or would be): named in errors, and relative image paths start
    ///     from its folder unless `imageFolder` is given; it is not read.
    ///   - imageFolder: the folder relative image paths start from; `url`'s folder when `nil`.
    /// - Throws: `AnnotationError` naming `url`'s path, as `read(_:imageFolder:)` (all but
    ///   `.unreadable`); bytes that are not UTF-8 are `.malformed` at their line.
    public static func parse(_ bytes: Foundation.Data, url: URL, imageFolder: URL? = nil) throws(AnnotationError) -> [ImageAnnotation] {
        let file = url.path
        if let violation = UTF8Check.firstViolation(in: bytes) {
            throw .malformed(file: file, at: .line(violation.line), reason: violation.reason)
        }
        // A UTF-8 byte-order mark (spreadsheet exports write one) is not part of the first column's name.
        let hasByteOrderMark = bytes.starts(with: [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(hasByteOrderMark ? 3 : 0), as: UTF8.self)
        // "\r\n" is a single Character in Swift, so split on each line-break form explicitly.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
            .map(String.init)
        guard let headerLine = lines.first, !headerLine.isEmpty else {
            throw .malformed(file: file, at: .line(1), reason: "empty file: expected a header")
        }
        let header = try fields(of: headerLine, file: file, line: 1).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        var column: [String: Int] = [:]
        for name in requiredColumns {
            guard let index = header.firstIndex(of: name) else {
                throw .malformed(file: file, at: .line(1), reason: "missing column '\(name)' in header \(header)")
            }
            column[name] = index
        }
        let folder = imageFolder ?? url.deletingLastPathComponent()
        var images: [ImageAnnotation] = []
        var slots: [String: Int] = [:]
        for (offset, line) in lines.enumerated().dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let lineNumber = offset + 1
            let location = AnnotationLocation.line(lineNumber)
            let row = try fields(of: line, file: file, line: lineNumber)
            guard row.count == header.count else {
                throw .malformed(file: file, at: location, reason: "\(row.count) fields, header has \(header.count)")
            }
            func field(_ name: String) -> String { row[column[name]!] }
            var values: [Double] = []
            for key in ["xmin", "ymin", "xmax", "ymax"] {
                guard let value = parseNumber(field(key)) else {
                    throw .malformed(file: file, at: location, reason: "\(key) '\(field(key))' is not a number")
                }
                values.append(value)
            }
            let path = field("image_path").trimmingCharacters(in: .whitespaces)
            guard !path.isEmpty else { throw .malformed(file: file, at: location, reason: "empty image_path") }
            if slots[path] == nil {
                slots[path] = images.count
                let imageURL = path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path)
                images.append(ImageAnnotation(annotationFile: file, imageURL: imageURL, objects: []))
            }
            if values.allSatisfy({ $0 == 0 }) { continue }  // an image without objects
            let label = field("label").trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty else { throw .malformed(file: file, at: location, reason: "empty label") }
            let box = try BoxValidation.validated(x1: values[0], y1: values[1], x2: values[2], y2: values[3],
                                                  file: file, at: location)
            images[slots[path]!].objects.append(ObjectAnnotation(box: box, name: label, location: location))
        }
        return images
    }

    /// Splits one CSV line into fields, honouring double quotes.
    /// - Throws: `AnnotationError.malformed` at the line for an unterminated quote.
    static func fields(of line: String, file: String, line number: Int) throws(AnnotationError) -> [String] {
        var result: [String] = []
        var current = ""
        var quoted = false
        var characters = line.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                result.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        guard !quoted else { throw .malformed(file: file, at: .line(number), reason: "unterminated quote") }
        result.append(current)
        return result
    }
}
