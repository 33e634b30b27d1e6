import Foundation
import Testing
@testable import Datasets

/// Writes a VOC XML file with the given `<object>` bodies next to a `width × height` PNG.
func writeVOC(in folder: URL, name: String, filename: String? = nil, size: (Int, Int) = (20, 10),
              declaredSize: (Int, Int)? = nil, objects: [String], writeImage: Bool = true) throws -> URL {
    if writeImage {
        try RGBImage(width: size.0, height: size.1).writePNG(to: folder.appendingPathComponent("\(name).png"))
    }
    let declared = declaredSize ?? size
    let body = objects.map { "<object>\($0)</object>" }.joined(separator: "\n")
    let xml = """
        <annotation><folder>x</folder><filename>\(filename ?? "\(name).png")</filename>
        <size><width>\(declared.0)</width><height>\(declared.1)</height><depth>3</depth></size>
        \(body)
        </annotation>
        """
    let url = folder.appendingPathComponent("\(name).xml")
    try xml.write(to: url, atomically: true, encoding: .utf8)
    return url
}

/// A VOC `<object>` body.
func vocObject(_ name: String, _ xmin: String, _ ymin: String, _ xmax: String, _ ymax: String,
               difficult: Int = 0) -> String {
    "<name>\(name)</name><difficult>\(difficult)</difficult><bndbox><xmin>\(xmin)</xmin><ymin>\(ymin)</ymin>"
        + "<xmax>\(xmax)</xmax><ymax>\(ymax)</ymax></bndbox>"
}

@Suite("Pascal VOC reader")
struct PascalVOCReaderTests {
    @Test("boxes are read as written, difficult flags kept, the image found by base name")
    func reads() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // <filename> names a .tif that does not exist, as OSBS_029.xml does: the .png is used.
        let url = try writeVOC(in: folder, name: "a", filename: "a.tif", objects: [
            vocObject("Tree", "1", "2", "5", "7"), vocObject("Tree", "3.5", "0", "19.25", "10", difficult: 1),
        ])
        let annotation = try PascalVOCReader.read(url)
        #expect(annotation.imageURL.lastPathComponent == "a.png")
        #expect(annotation.declaredSize == PixelSize(width: 20, height: 10))
        #expect(annotation.objects.map(\.box) == [BoundingBox(x1: 1, y1: 2, x2: 5, y2: 7),
                                                  BoundingBox(x1: 3.5, y1: 0, x2: 19.25, y2: 10)])
        #expect(annotation.objects.map(\.isDifficult) == [false, true])
        let dataset = try DetectionDataset.loadPascalVOC(folder: folder, labelMap: .neonTrees)
        #expect(dataset.samples.count == 1 && dataset.samples[0].target.labels == [1, 1])
        #expect(dataset.samples[0].target.boxes[0].width == 4)  // x2 − x1, no +1
        #expect(dataset.clippedBoxCount == 0)
    }

    @Test("box errors name the file and the object index", arguments: [
        (vocObject("Tree", "5", "2", "5", "7"), "x2 ≤ x1"),
        (vocObject("Tree", "1", "8", "5", "7"), "y2 ≤ y1"),
        (vocObject("Tree", "-1", "2", "5", "7"), "negative"),
        (vocObject("Tree", "nan", "2", "5", "7"), "non-finite"),
        (vocObject("Tree", "1", "2", "inf", "7"), "non-finite"),
    ])
    func invalidBoxes(object: String, reason: String) throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try writeVOC(in: folder, name: "b", objects: [vocObject("Tree", "1", "1", "2", "2"), object])
        let error = try #require(throws: AnnotationError.self) { try PascalVOCReader.read(url) }
        guard case let .invalidBox(file, location, message) = error else {
            Issue.record("expected .invalidBox, got \(error)")
            return
        }
        #expect(file == url.path && location == .object(1))
        #expect(message.contains(reason))
        #expect(error.description.contains("b.xml") && error.description.contains("object 1"))
    }

    @Test("missing and non-numeric fields, and broken XML, are malformed")
    func malformed() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try writeVOC(in: folder, name: "c", objects: [vocObject("Tree", "one", "2", "5", "7")])
        #expect(throws: AnnotationError.malformed(file: text.path, at: .object(0), reason: "<xmin> 'one' is not a number")) {
            try PascalVOCReader.read(text)
        }
        let missing = try writeVOC(in: folder, name: "d", objects: ["<name>Tree</name><bndbox><xmin>1</xmin></bndbox>"])
        #expect(throws: AnnotationError.malformed(file: missing.path, at: .object(0), reason: "missing <bndbox><ymin>")) {
            try PascalVOCReader.read(missing)
        }
        let broken = folder.appendingPathComponent("e.xml")
        try "<annotation>\n<object>\n<name>Tree</name>\n</annotation>".write(to: broken, atomically: true, encoding: .utf8)
        let error = try #require(throws: AnnotationError.self) { try PascalVOCReader.read(broken) }
        guard case let .malformed(file, .line(line), _) = error else {
            Issue.record("expected .malformed at a line, got \(error)")
            return
        }
        #expect(file == broken.path && line >= 3)
    }

    @Test("unknown labels, missing images and size mismatches are reported with the file")
    func datasetErrors() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cat = try writeVOC(in: folder, name: "cat", objects: [vocObject("Tree", "1", "1", "4", "4"),
                                                                  vocObject("Cat", "1", "1", "4", "4")])
        #expect(throws: AnnotationError.unknownLabel(file: cat.path, at: .object(1), label: "Cat")) {
            try DetectionDataset.loadPascalVOC(files: [cat], labelMap: .neonTrees)
        }
        let lost = try writeVOC(in: folder, name: "lost", objects: [], writeImage: false)
        #expect(throws: AnnotationError.missingImage(file: lost.path, image: folder.appendingPathComponent("lost.png").path)) {
            try DetectionDataset.loadPascalVOC(files: [lost])
        }
        let sized = try writeVOC(in: folder, name: "sized", size: (20, 10), declaredSize: (30, 10), objects: [])
        #expect(throws: AnnotationError.imageSizeMismatch(file: sized.path, image: folder.appendingPathComponent("sized.png").path,
                                                          declared: PixelSize(width: 30, height: 10),
                                                          actual: PixelSize(width: 20, height: 10))) {
            try DetectionDataset.loadPascalVOC(files: [sized])
        }
        let corrupt = try writeVOC(in: folder, name: "corrupt", objects: [], writeImage: false)
        try "not a png".write(to: folder.appendingPathComponent("corrupt.png"), atomically: true, encoding: .utf8)
        let error = try #require(throws: AnnotationError.self) { try DetectionDataset.loadPascalVOC(files: [corrupt]) }
        #expect(error == .unreadableImage(file: corrupt.path,
                                          error: .unsupportedFormat(file: folder.appendingPathComponent("corrupt.png").path)))
    }

    @Test("boxes partly outside are clipped and counted; a box fully outside is an error; empty images kept")
    func clipping() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let partly = try writeVOC(in: folder, name: "partly", size: (20, 10), objects: [
            vocObject("Tree", "15", "5", "25", "12"), vocObject("Tree", "1", "1", "3", "3"),
        ])
        let empty = try writeVOC(in: folder, name: "empty", objects: [])
        let dataset = try DetectionDataset.loadPascalVOC(files: [partly, empty])
        #expect(dataset.clippedBoxCount == 1)
        #expect(dataset.samples[0].target.boxes[0] == BoundingBox(x1: 15, y1: 5, x2: 20, y2: 10))
        #expect(dataset.samples[1].target.count == 0)
        #expect(dataset.classNames == ["Tree"])

        let outside = try writeVOC(in: folder, name: "outside", objects: [vocObject("Tree", "20", "0", "30", "5")])
        let error = try #require(throws: AnnotationError.self) { try DetectionDataset.loadPascalVOC(files: [outside]) }
        guard case let .invalidBox(file, location, _) = error else {
            Issue.record("expected .invalidBox, got \(error)")
            return
        }
        #expect(file == outside.path && location == .object(0))
    }
}
