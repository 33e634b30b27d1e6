import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads Pascal VOC XML annotation files (one file per image).
///
/// Read: `<filename>`, `<size><width>/<height>`, and per `<object>`: `<name>`, `<difficult>`
/// (0 when absent), `<bndbox><xmin>/<ymin>/<xmax>/<ymax>`. Coordinates are taken as written
/// (no −1 shift; integers or decimals). Other elements are ignored. The image is looked for
/// next to the XML file: first under `<filename>`, then under the XML's base name with the
/// extension `.png`, `.jpg`, `.jpeg` (any case); OSBS_029.xml names `OSBS_029.tif`, which
/// is how its PNG is found.
public enum PascalVOCReader {
    /// Parses one VOC XML file.
    /// - Parameter url: the XML file.
    /// - Returns: the image's annotations, objects in file order.
    /// A `<size>` that is absent, 0 or not a whole number of pixels is ignored (`declaredSize`
    /// is then nil).
    /// - Throws: `AnnotationError` naming the file: `.unreadable`, `.malformed` (at a line: an XML
    ///   syntax error, a byte that is not valid UTF-8, a document type declaration, a processing
    ///   instruction without data, an encoding other than UTF-8, UTF-16 or an ASCII-compatible
    ///   single-byte one; at the file: an empty document or a root other than `<annotation>`; at
    ///   an object: a missing or non-numeric field), `.invalidBox` (at an object).
    public static func read(_ url: URL) throws(AnnotationError) -> ImageAnnotation {
        let bytes: Foundation.Data
        do {
            bytes = try Foundation.Data(contentsOf: url)
        } catch {
            throw .unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try parse(bytes, url: url)
    }

    /// Parses the bytes of a VOC XML file already in memory (as `read(_:)` does after reading).
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - url: where the file is (or would be): named in errors, and the image is looked for
    ///     beside it; it is not read.
    /// - Throws: `AnnotationError` naming `url`'s path, as `read(_:)` (all but `.unreadable`).
    public static func parse(_ bytes: Foundation.Data, url: URL) throws(AnnotationError) -> ImageAnnotation {
        let file = url.path
        // Foundation's XMLParser crashes on some documents (a name that is not UTF-8, a
        // processing instruction without data): XMLPreflight refuses those first.
        if let problem = XMLPreflight.firstProblem(in: bytes) {
            throw .malformed(file: file, at: .line(problem.line), reason: problem.reason)
        }
        let delegate = VOCParserDelegate()
        let parser = XMLParser(data: bytes)
        parser.delegate = delegate
        // On Linux `parse()` can return true after an error, so the delegate's record decides.
        let succeeded = parser.parse()
        if let failure = delegate.firstError {
            throw .malformed(file: file, at: .line(failure.line), reason: failure.reason)
        }
        if !succeeded || parser.parserError != nil {
            throw .malformed(file: file, at: .line(parser.lineNumber), reason: "XML parse error")
        }
        // On Linux an empty file parses without an error; neither it nor another kind of XML
        // document may pass as an image without objects.
        guard let root = delegate.rootElement else { throw .malformed(file: file, at: .file, reason: "empty document") }
        guard root == "annotation" else {
            throw .malformed(file: file, at: .file, reason: "root element is <\(root)>, not <annotation>")
        }
        var objects: [ObjectAnnotation] = []
        for (index, raw) in delegate.objects.enumerated() {
            objects.append(try raw.validated(file: file, index: index))
        }
        // The decoded image is authoritative: a size that is absent, 0 or not a whole pixel
        // count (some tools write 0 or nothing) is ignored rather than compared.
        var declared: PixelSize? = nil
        if let width = delegate.width.flatMap(parsePixelCount), let height = delegate.height.flatMap(parsePixelCount) {
            declared = PixelSize(width: width, height: height)
        }
        let imageURL = locateImage(named: delegate.filename, besides: url)
        return ImageAnnotation(annotationFile: file, imageURL: imageURL, declaredSize: declared, objects: objects)
    }

    /// The image file for an XML file: `<filename>` if it exists, else a same-named PNG/JPEG,
    /// else the `<filename>` path (or `<base>.png`), which later fails as a missing image.
    static func locateImage(named filename: String?, besides xml: URL) -> URL {
        let folder = xml.deletingLastPathComponent()
        let manager = FileManager.default
        var candidates: [URL] = []
        if let filename, !filename.isEmpty { candidates.append(folder.appendingPathComponent(filename)) }
        let base = xml.deletingPathExtension().lastPathComponent
        for ext in ["png", "jpg", "jpeg", "PNG", "JPG", "JPEG"] {
            candidates.append(folder.appendingPathComponent(base).appendingPathExtension(ext))
        }
        return candidates.first { manager.fileExists(atPath: $0.path) } ?? candidates[0]
    }
}

/// An `<object>` as text, before validation.
private struct RawVOCObject {
    var name: String?
    var difficult: String?
    var coordinates: [String: String] = [:]

    func validated(file: String, index: Int) throws(AnnotationError) -> ObjectAnnotation {
        let location = AnnotationLocation.object(index)
        guard let name = name?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else {
            throw .malformed(file: file, at: location, reason: "missing <name>")
        }
        var values: [Double] = []
        for key in ["xmin", "ymin", "xmax", "ymax"] {
            guard let text = coordinates[key] else {
                throw .malformed(file: file, at: location, reason: "missing <bndbox><\(key)>")
            }
            guard let value = parseNumber(text) else {
                throw .malformed(file: file, at: location, reason: "<\(key)> '\(text)' is not a number")
            }
            values.append(value)
        }
        let box = try BoxValidation.validated(x1: values[0], y1: values[1], x2: values[2], y2: values[3],
                                              file: file, at: location)
        let isDifficult = difficult.flatMap(parseNumber).map { $0 != 0 } ?? false
        return ObjectAnnotation(box: box, name: name, isDifficult: isDifficult, location: location)
    }
}

/// Collects the VOC fields, tracking the element path so `<name>` inside `<object>` is told
/// apart from any other `<name>`.
private final class VOCParserDelegate: NSObject, XMLParserDelegate {
    var filename: String?
    var width: String?
    var height: String?
    var objects: [RawVOCObject] = []
    private(set) var firstError: (line: Int, reason: String)?
    /// The name of the document's root element; nil for a document without elements.
    private(set) var rootElement: String?
    private var path: [String] = []
    private var text = ""

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        guard firstError == nil else { return }
        let code = (parseError as NSError).code
        let reason = switch XMLParser.ErrorCode(rawValue: code) {
        case .tagNameMismatchError?: "mismatched closing tag"
        case .prematureDocumentEndError?: "document ends early (unclosed element or truncated file)"
        case .undeclaredEntityError?: "undeclared entity"
        case .notWellBalancedError?: "elements not well balanced"
        case .emptyDocumentError?: "empty document"
        default: "XML syntax error (code \(code))"
        }
        firstError = (parser.lineNumber, reason)
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        if path.isEmpty && rootElement == nil { rootElement = elementName }
        path.append(elementName)
        text = ""
        if path == ["annotation", "object"] { objects.append(RawVOCObject()) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName: String?) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch path {
        case ["annotation", "filename"]: filename = value
        case ["annotation", "size", "width"]: width = value
        case ["annotation", "size", "height"]: height = value
        case ["annotation", "object", "name"]: objects[objects.count - 1].name = value
        case ["annotation", "object", "difficult"]: objects[objects.count - 1].difficult = value
        default:
            if path.count == 4, path[0] == "annotation", path[1] == "object", path[2] == "bndbox" {
                objects[objects.count - 1].coordinates[path[3]] = value
            }
        }
        path.removeLast()
        text = ""
    }
}
