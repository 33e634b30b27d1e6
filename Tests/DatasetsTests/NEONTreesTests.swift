import Foundation
import Testing
import TestSupport
@testable import Datasets

@Suite("Bundled NEON tree crowns")
struct NEONTreesTests {
    @Test("each image loads with the box count and size of SOURCE.md, every box class 1")
    func boxCounts() throws {
        let train = try NEONTrees.load(.train, from: BundledData.folder)
        let test = try NEONTrees.load(.test, from: BundledData.folder)
        #expect(train.samples.map(\.name) == NEONTrees.trainingImageNames)
        #expect(test.samples.map(\.name) == NEONTrees.testImageNames)
        #expect(train.samples.map(\.target.count) == [574, 61])
        #expect(test.samples.map(\.target.count) == [279, 37])
        #expect(train.samples.map { PixelSize(width: $0.image.width, height: $0.image.height) }
                == [PixelSize(width: 2299, height: 2472), PixelSize(width: 400, height: 400)])
        #expect(test.samples.map { PixelSize(width: $0.image.width, height: $0.image.height) }
                == [PixelSize(width: 1249, height: 1035), PixelSize(width: 400, height: 400)])
        for dataset in [train, test] {
            #expect(dataset.classNames == ["Tree"])
            #expect(dataset.clippedBoxCount == 0)
            #expect(dataset.samples.allSatisfy { $0.target.labels.allSatisfy { $0 == 1 } })
        }
    }

    @Test("boxes are read as written: SOAP_061's first tree is (149, 105, 173, 129)")
    func firstBox() throws {
        let test = try NEONTrees.load(.test, from: BundledData.folder)
        #expect(test.samples[1].target.boxes[0] == BoundingBox(x1: 149, y1: 105, x2: 173, y2: 129))
    }

    @Test("without the alias map SOAP_061's 'Dead' is an unknown label at object 0")
    func soapNeedsAliases() throws {
        let xml = BundledData.folder.appendingPathComponent("neon-trees/SOAP_061.xml")
        #expect(throws: AnnotationError.unknownLabel(file: xml.path, at: .object(0), label: "Dead")) {
            try DetectionDataset.loadPascalVOC(files: [xml], labelMap: LabelMap(classNames: ["Tree"]))
        }
        let inferred = try DetectionDataset.loadPascalVOC(files: [xml])
        #expect(inferred.classNames == ["Alive", "Dead"])
        #expect(inferred.samples[0].target.labels.filter { $0 == 1 }.count == 9)
    }

    @Test("training tiles: 65, three without boxes (kept), 1,102 boxes after the half-area rule")
    func trainingTiles() throws {
        let tiles = try NEONTrees.trainingTiles(from: BundledData.folder)
        #expect(tiles.samples.count == 65)
        #expect(tiles.samples.allSatisfy { $0.image.width == 400 && $0.image.height == 400 })
        let empty = tiles.samples.filter { $0.target.count == 0 }.map(\.name)
        let large = NEONTrees.trainingImageNames[0]
        #expect(empty == ["\(large)@0,0", "\(large)@0,600", "\(large)@0,900"])
        // 1,102 and the 191 clipped boxes were counted independently (Python, same rule).
        #expect(tiles.boxCount == 1102)
        #expect(tiles.samples[64].name == "OSBS_029@0,0" && tiles.samples[64].target.count == 61)
        #expect(tiles.samples.allSatisfy { tile in
            tile.target.boxes.allSatisfy { $0.x1 >= 0 && $0.y1 >= 0 && $0.x2 <= 400 && $0.y2 <= 400 && $0.x1 < $0.x2 && $0.y1 < $0.y2 }
        })
        // The last tile of the large image is flush with its bottom-right corner.
        #expect(tiles.samples[63].name == "\(large)@1899,2072")
        let whole = try NEONTrees.load(.train, from: BundledData.folder).samples[0].image
        #expect(tiles.samples[63].image == whole.cropped(to: PixelRegion(x: 1899, y: 2072, width: 400, height: 400)))
        #expect(tiles.samples[63].image[399, 399] == whole[2298, 2471])
    }
}

@Suite("Dataset lookup")
struct DatasetLocatorTests {
    @Test("an explicit path wins, then QUARRY_DATASETS, then walking up")
    func order() throws {
        let root = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let datasets = root.appendingPathComponent("Datasets")
        let deep = root.appendingPathComponent("a/b/c")
        try FileManager.default.createDirectory(at: datasets.appendingPathComponent("neon-trees"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        let elsewhere = root.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: elsewhere.appendingPathComponent("digits"), withIntermediateDirectories: true)

        #expect(try DatasetLocator.datasetsFolder(explicit: elsewhere, environment: ["QUARRY_DATASETS": datasets.path],
                                                  currentDirectory: deep, executable: nil) == elsewhere)
        #expect(try DatasetLocator.datasetsFolder(environment: ["QUARRY_DATASETS": elsewhere.path],
                                                  currentDirectory: deep, executable: nil).path == elsewhere.path)
        #expect(try DatasetLocator.datasetsFolder(environment: [:], currentDirectory: deep, executable: nil).path
                == datasets.path)
        // From the executable's folder when the current directory has nothing above it.
        let executable = deep.appendingPathComponent("quarry")
        #expect(try DatasetLocator.datasetsFolder(environment: [:], currentDirectory: URL(fileURLWithPath: "/"),
                                                  executable: executable).path == datasets.path)
    }

    @Test("wrong or absent folders are typed errors naming the path")
    func errors() throws {
        let root = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(throws: DatasetLocator.LocatorError.notADatasetsFolder(path: root.path, source: "path")) {
            try DatasetLocator.datasetsFolder(explicit: root, environment: [:], currentDirectory: root, executable: nil)
        }
        #expect(throws: DatasetLocator.LocatorError.notADatasetsFolder(path: root.path, source: "QUARRY_DATASETS")) {
            try DatasetLocator.datasetsFolder(environment: ["QUARRY_DATASETS": root.path], currentDirectory: root, executable: nil)
        }
        #expect(throws: DatasetLocator.LocatorError.notFound(searched: [root.path])) {
            try DatasetLocator.datasetsFolder(environment: [:], currentDirectory: root, executable: nil)
        }
    }

    @Test("an installed binary finds <bin>/../share/quarry/Datasets; a dataset is looked for by its own folder")
    func installedLocation() throws {
        let root = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let prefix = root.appendingPathComponent("prefix")
        let installed = prefix.appendingPathComponent("share/quarry/Datasets")
        try FileManager.default.createDirectory(at: installed.appendingPathComponent("digits"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: prefix.appendingPathComponent("bin"), withIntermediateDirectories: true)
        let elsewhere = root.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let executable = prefix.appendingPathComponent("bin/quarry")
        #expect(DatasetLocator.installedLocation(executableFolder: prefix.appendingPathComponent("bin")).path == installed.path)
        #expect(try DatasetLocator.datasetsFolder(containing: "digits", environment: [:], currentDirectory: elsewhere,
                                                  executable: executable).path == installed.path)
        // The installed copy holds no neon-trees/: every place looked is named.
        #expect(throws: DatasetLocator.LocatorError.notFound(searched: [elsewhere.path, prefix.appendingPathComponent("bin").path,
                                                                        installed.path])) {
            try DatasetLocator.datasetsFolder(containing: "neon-trees", environment: [:], currentDirectory: elsewhere,
                                              executable: executable)
        }
        // A walk stops at a Datasets folder only when it holds the wanted dataset.
        let checkout = root.appendingPathComponent("checkout")
        try FileManager.default.createDirectory(at: checkout.appendingPathComponent("Datasets/digits"), withIntermediateDirectories: true)
        #expect(try DatasetLocator.datasetsFolder(containing: "digits", environment: [:], currentDirectory: checkout,
                                                  executable: nil).path == checkout.appendingPathComponent("Datasets").path)
        #expect(throws: DatasetLocator.LocatorError.notADatasetsFolder(path: installed.path, source: "QUARRY_DATASETS")) {
            try DatasetLocator.datasetsFolder(containing: "neon-trees", environment: ["QUARRY_DATASETS": installed.path],
                                              currentDirectory: elsewhere, executable: nil)
        }
    }

    @Test("the test run finds this checkout's Datasets folder")
    func findsCheckout() throws {
        let found = try DatasetLocator.datasetsFolder(environment: [:], currentDirectory: BundledData.folder.appendingPathComponent("neon-trees"))
        #expect(found.standardizedFileURL.path == BundledData.folder.standardizedFileURL.path)
    }
}
