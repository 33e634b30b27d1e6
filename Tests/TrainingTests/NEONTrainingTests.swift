import Foundation
import Testing
import Datasets
import Detection
@testable import Training

@Suite("TinyFasterRCNN on real NEON tiles")
struct NEONTrainingTests {
    @Test("training on two NEON tiles lowers every loss term")
    func twoTiles() throws {
        let folder = try DatasetLocator.datasetsFolder(currentDirectory: URL(fileURLWithPath: #filePath))
        let tiles = try NEONTrees.trainingTiles(from: folder).samples
        // The two tiles with the most trees: dense real scenes.
        let chosen = Array(tiles.sorted { $0.target.count > $1.target.count }.prefix(2))
        #expect(chosen.allSatisfy { $0.target.count >= 20 })
        var configuration = TrainingConfiguration(iterations: 40, seed: 5)
        configuration.flipProbability = 0
        var trainer = Trainer(samples: chosen, classCount: 1, strategy: .random, configuration: configuration)
        var records: [StepRecord] = []
        while !trainer.isFinished { records.append(try trainer.step()) }
        func mean(_ slice: ArraySlice<StepRecord>, _ term: (StepRecord) -> Double) -> Double {
            slice.map(term).reduce(0, +) / Double(slice.count)
        }
        let first = records.prefix(5), last = records.suffix(5)
        for (name, term) in [("total", { (r: StepRecord) in r.total }), ("rpn objectness", { $0.rpnObjectness }),
                             ("rpn box", { $0.rpnBox }), ("roi classification", { $0.roiClassification }),
                             ("roi box", { $0.roiBox })] as [(String, (StepRecord) -> Double)] {
            let before = mean(first, term), after = mean(last, term)
            #expect(after < before, "\(name): mean of the first five steps \(before), of the last five \(after)")
        }
    }
}
