// The Faster R-CNN terms and mining records of a step by name, for the tests that train it.
import Detection
import Training

extension StepRecord {
    var rpnObjectness: Double { self[term: "rpn_objectness"]! }
    var rpnBox: Double { self[term: "rpn_box"]! }
    var roiClassification: Double { self[term: "roi_classification"]! }
    var roiBox: Double { self[term: "roi_box"]! }
    var rpnMining: MiningStatistics { mining["rpn"] ?? MiningStatistics() }
    var roiMining: MiningStatistics { mining["roi"] ?? MiningStatistics() }
}
