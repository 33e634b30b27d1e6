import Foundation
import Testing
@testable import Datasets

@Suite("DeepForest CSV reader")
struct CSVAnnotationReaderTests {
    private func write(_ csv: String, in folder: URL) throws -> URL {
        for name in ["a", "b", "c d"] {
            try RGBImage(width: 20, height: 10).writePNG(to: folder.appendingPathComponent("\(name).png"))
        }
        let url = folder.appendingPathComponent("boxes.csv")
        try csv.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("rows group by image in first-seen order; 0,0,0,0 rows mark empty images; quotes and CRLF")
    func reads() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try write("""
            label,image_path,xmin,ymin,xmax,ymax,score\r
            Tree,b.png,1,2,3,4,0.9\r
            Tree,a.png,0,0,0,0,0\r
            "Tree","c d.png",5,5,25,8,1\r
            Dead,b.png,10,0,12.5,10,1\r

            """, in: folder)
        let images = try CSVAnnotationReader.read(url)
        #expect(images.map(\.imageURL.lastPathComponent) == ["b.png", "a.png", "c d.png"])
        #expect(images.map(\.objects.count) == [2, 0, 1])
        #expect(images[0].objects.map(\.box) == [BoundingBox(x1: 1, y1: 2, x2: 3, y2: 4),
                                                 BoundingBox(x1: 10, y1: 0, x2: 12.5, y2: 10)])
        #expect(images[0].objects[1].location == .line(5))
        let dataset = try DetectionDataset.loadCSV(file: url, labelMap: .neonTrees)
        #expect(dataset.samples.map(\.target.labels) == [[1, 1], [], [1]])
        #expect(dataset.clippedBoxCount == 1)  // c d.png's box reaches x = 25 in a 20 px image
        #expect(dataset.samples[2].target.boxes == [BoundingBox(x1: 5, y1: 5, x2: 20, y2: 8)])
        #expect(try DetectionDataset.load(from: url, labelMap: .neonTrees) == dataset)
    }

    @Test("errors name the file and the 1-based line")
    func errors() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let header = "image_path,xmin,ymin,xmax,ymax,label\n"
        let inverted = try write(header + "a.png,1,2,3,4,Tree\na.png,5,2,3,4,Tree\n", in: folder)
        let error = try #require(throws: AnnotationError.self) { try CSVAnnotationReader.read(inverted) }
        guard case let .invalidBox(file, location, reason) = error else {
            Issue.record("expected .invalidBox, got \(error)")
            return
        }
        #expect(file == inverted.path && location == .line(3) && reason.contains("x2 ≤ x1"))
        #expect(error.description.contains("boxes.csv: line 3"))

        let text = try write(header + "a.png,1,2,x,4,Tree\n", in: folder)
        #expect(throws: AnnotationError.malformed(file: text.path, at: .line(2), reason: "xmax 'x' is not a number")) {
            try CSVAnnotationReader.read(text)
        }
        let short = try write(header + "a.png,1,2,3,Tree\n", in: folder)
        #expect(throws: AnnotationError.malformed(file: short.path, at: .line(2), reason: "5 fields, header has 6")) {
            try CSVAnnotationReader.read(short)
        }
        let noLabel = try write("image_path,xmin,ymin,xmax,ymax\na.png,1,2,3,4\n", in: folder)
        let headerError = try #require(throws: AnnotationError.self) { try CSVAnnotationReader.read(noLabel) }
        if case let .malformed(_, location, reason) = headerError {
            #expect(location == .line(1) && reason.hasPrefix("missing column 'label'"))
        } else {
            Issue.record("expected .malformed, got \(headerError)")
        }
        let quote = try write(header + "\"a.png,1,2,3,4,Tree\n", in: folder)
        #expect(throws: AnnotationError.malformed(file: quote.path, at: .line(2), reason: "unterminated quote")) {
            try CSVAnnotationReader.read(quote)
        }
        let unknown = try write(header + "a.png,1,2,3,4,Tree\nb.png,1,2,3,4,Bush\n", in: folder)
        #expect(throws: AnnotationError.unknownLabel(file: unknown.path, at: .line(3), label: "Bush")) {
            try DetectionDataset.loadCSV(file: unknown, labelMap: .neonTrees)
        }
        let missing = try write(header + "nowhere.png,1,2,3,4,Tree\n", in: folder)
        #expect(throws: AnnotationError.missingImage(file: missing.path, image: folder.appendingPathComponent("nowhere.png").path)) {
            try DetectionDataset.loadCSV(file: missing)
        }
    }

    @Test("labels are inferred in sorted order when no label map is given")
    func inferredLabels() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try write("image_path,xmin,ymin,xmax,ymax,label\na.png,1,1,2,2,zebra\na.png,1,1,2,2,ant\n", in: folder)
        let dataset = try DetectionDataset.loadCSV(file: url)
        #expect(dataset.classNames == ["ant", "zebra"])
        #expect(dataset.samples[0].target.labels == [2, 1])
    }
}
