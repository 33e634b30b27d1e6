import Detection
import Kernels
import Randomness
import TensorCore
import Testing

@Suite("StrategyKind")
struct StrategyKindTests {
    @Test("names parse to their kinds and back")
    func roundTrip() throws {
        #expect(StrategyKind.allCases.map(\.rawValue) == ["random", "ohem", "ssd", "focal", "hard-negative-buffer",
                                                      "hard-negative-buffer-separate", "iou-balanced", "hard-negative-bootstrap"])
        for kind in StrategyKind.allCases {
            #expect(try StrategyKind(parsing: kind.rawValue) == kind)
            #expect(kind.makeStrategy(for: .rpn).name == kind.rawValue)
        }
    }

    @Test("an unknown name is a typed error that lists the valid names")
    func unknownName() {
        #expect(throws: UnknownStrategyError(name: "OHEM")) { try StrategyKind(parsing: "OHEM") }
        do {
            _ = try StrategyKind(parsing: "hard_negative")
            Issue.record("parsed an unknown name")
        } catch {
            #expect(error.name == "hard_negative")
            #expect(error.description == "unknown strategy 'hard_negative'; valid names: random, ohem, ssd, focal, hard-negative-buffer, hard-negative-buffer-separate, iou-balanced, hard-negative-bootstrap")
        }
    }

    @Test("hard-negative-buffer-separate selects the separate-pass replay mode; near misses are refused")
    func separatePassName() throws {
        #expect(try StrategyKind(parsing: "hard-negative-buffer-separate") == .hardNegativeBufferSeparate)
        for head in [DetectionHead.rpn, .roi, .retinaNet] {
            let separate = try #require(StrategyKind.hardNegativeBufferSeparate.makeStrategy(for: head) as? HardNegativeBufferStrategy)
            let inBatch = try #require(StrategyKind.hardNegativeBuffer.makeStrategy(for: head) as? HardNegativeBufferStrategy)
            #expect(separate.replayMode == .separatePass && inBatch.replayMode == .inBatch)
            #expect(separate.name == "hard-negative-buffer-separate" && inBatch.name == "hard-negative-buffer")
            // Otherwise the same defaults.
            #expect(separate.batchSize == inBatch.batchSize && separate.buffer.capacity == inBatch.buffer.capacity
                    && separate.perImageQuota == inBatch.perImageQuota && separate.maxExtraProposals == inBatch.maxExtraProposals)
        }
        for bad in ["hard-negative-buffer-separated", "hard-negative-buffer:separate", "hard-negative-buffer-Separate", "separate"] {
            #expect(throws: UnknownStrategyError(name: bad)) { try StrategyKind(parsing: bad) }
        }
    }

    @Test("the factory builds each strategy with DESIGN.md's defaults per head")
    func defaults() throws {
        let randomRPN = try #require(StrategyKind.random.makeStrategy(for: .rpn) as? RandomStrategy)
        #expect(randomRPN.batchSize == 256 && randomRPN.positiveFraction == 0.5)
        let randomRoI = try #require(StrategyKind.random.makeStrategy(for: .roi) as? RandomStrategy)
        #expect(randomRoI.batchSize == 128 && randomRoI.positiveFraction == 0.25)
        let ohem = try #require(StrategyKind.ohem.makeStrategy(for: .roi) as? OHEMStrategy)
        #expect(ohem.nmsThreshold == 0.7 && ohem.variant == .paper && ohem.requirements == .candidateLosses)
        #expect(try #require(StrategyKind.ohem.makeStrategy(for: .rpn) as? OHEMStrategy).nmsThreshold == nil)
        let ssd = try #require(StrategyKind.ssd.makeStrategy(for: .rpn) as? SSDStrategy)
        #expect(ssd.negativeRatio == 3 && ssd.negativesWithoutPositives == 16)
        let focal = StrategyKind.focal.makeStrategy(for: .roi)
        #expect(focal.classificationLoss == .focal(alpha: 0.25, gamma: 2) && focal.requirements.isEmpty)
        let buffer = try #require(StrategyKind.hardNegativeBuffer.makeStrategy(for: .roi) as? HardNegativeBufferStrategy)
        // Issue 14's defaults (the seed's were capacity 1,000, expiry 2, no quota, threshold mining).
        #expect(buffer.buffer.capacity == HardNegativeBuffer.unbounded && buffer.replayFraction == 0.5 && buffer.maxExtraProposals == 64)
        #expect(buffer.expiryEpochs == 3 && buffer.scoreThreshold == 0.5 && buffer.backgroundThreshold == 0.5)
        #expect(buffer.requirements == .foregroundProbabilities && buffer.replayMode == .inBatch && buffer.perImageQuota == 64)
        #expect(buffer.mining == .rank && buffer.rescore && buffer.duplicateIoU == 0.9 && buffer.separatePassDivisor == .batch)
        let iou = try #require(StrategyKind.iouBalanced.makeStrategy(for: .rpn) as? IoUBalancedStrategy)
        #expect(iou.binCount == 3 && iou.backgroundThreshold == 0.3 && iou.requirements == .maxIoU)
    }

    @Test("strategies work through the existential the factory returns")
    func existential() {
        var strategies = StrategyKind.allCases.map { $0.makeStrategy(for: .rpn) }
        let set = CandidateSet(count: 1_000, positives: 40, ignored: 60, seed: 3)
        var g = SplitMix64(seed: 1)
        for i in strategies.indices {
            let result = strategies[i].sample(set.input(), using: &g)
            expectValidSelection(result, labels: set.labels)
            #expect(result.selectedCount > 0)
        }
    }
}
