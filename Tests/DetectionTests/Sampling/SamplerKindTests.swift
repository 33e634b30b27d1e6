import Detection
import Kernels
import Randomness
import TensorCore
import Testing

@Suite("SamplerKind")
struct SamplerKindTests {
    @Test("names parse to their kinds and back")
    func roundTrip() throws {
        #expect(SamplerKind.allCases.map(\.rawValue) == ["random", "ohem", "ssd", "focal", "hard-negative-buffer",
                                                      "hard-negative-buffer-separate", "iou-balanced"])
        for kind in SamplerKind.allCases {
            #expect(try SamplerKind(parsing: kind.rawValue) == kind)
            #expect(kind.makeStrategy(for: .rpn).name == kind.rawValue)
        }
    }

    @Test("an unknown name is a typed error that lists the valid names")
    func unknownName() {
        #expect(throws: UnknownSamplerError(name: "OHEM")) { try SamplerKind(parsing: "OHEM") }
        do {
            _ = try SamplerKind(parsing: "hard_negative")
            Issue.record("parsed an unknown name")
        } catch {
            #expect(error.name == "hard_negative")
            #expect(error.description == "unknown sampler 'hard_negative'; valid names: random, ohem, ssd, focal, hard-negative-buffer, hard-negative-buffer-separate, iou-balanced")
        }
    }

    @Test("hard-negative-buffer-separate selects the separate-pass replay mode; near misses are refused")
    func separatePassName() throws {
        #expect(try SamplerKind(parsing: "hard-negative-buffer-separate") == .hardNegativeBufferSeparate)
        for head in [DetectionHead.rpn, .roi, .retinaNet] {
            let separate = try #require(SamplerKind.hardNegativeBufferSeparate.makeStrategy(for: head) as? HardNegativeBufferSampler)
            let inBatch = try #require(SamplerKind.hardNegativeBuffer.makeStrategy(for: head) as? HardNegativeBufferSampler)
            #expect(separate.replayMode == .separatePass && inBatch.replayMode == .inBatch)
            #expect(separate.name == "hard-negative-buffer-separate" && inBatch.name == "hard-negative-buffer")
            // Otherwise the same defaults.
            #expect(separate.batchSize == inBatch.batchSize && separate.buffer.capacity == 1_000 && separate.maxExtraProposals == inBatch.maxExtraProposals)
        }
        for bad in ["hard-negative-buffer-separated", "hard-negative-buffer:separate", "hard-negative-buffer-Separate", "separate"] {
            #expect(throws: UnknownSamplerError(name: bad)) { try SamplerKind(parsing: bad) }
        }
    }

    @Test("the factory builds each strategy with DESIGN.md's defaults per head")
    func defaults() throws {
        let randomRPN = try #require(SamplerKind.random.makeStrategy(for: .rpn) as? RandomSampler)
        #expect(randomRPN.batchSize == 256 && randomRPN.positiveFraction == 0.5)
        let randomRoI = try #require(SamplerKind.random.makeStrategy(for: .roi) as? RandomSampler)
        #expect(randomRoI.batchSize == 128 && randomRoI.positiveFraction == 0.25)
        let ohem = try #require(SamplerKind.ohem.makeStrategy(for: .roi) as? OHEMSampler)
        #expect(ohem.nmsThreshold == 0.7 && ohem.variant == .paper && ohem.requirements == .candidateLosses)
        #expect(try #require(SamplerKind.ohem.makeStrategy(for: .rpn) as? OHEMSampler).nmsThreshold == nil)
        let ssd = try #require(SamplerKind.ssd.makeStrategy(for: .rpn) as? SSDSampler)
        #expect(ssd.negativeRatio == 3 && ssd.negativesWithoutPositives == 16)
        let focal = SamplerKind.focal.makeStrategy(for: .roi)
        #expect(focal.classificationLoss == .focal(alpha: 0.25, gamma: 2) && focal.requirements.isEmpty)
        let buffer = try #require(SamplerKind.hardNegativeBuffer.makeStrategy(for: .roi) as? HardNegativeBufferSampler)
        #expect(buffer.buffer.capacity == 1_000 && buffer.replayFraction == 0.5 && buffer.maxExtraProposals == 64)
        #expect(buffer.expiryEpochs == 2 && buffer.scoreThreshold == 0.5 && buffer.backgroundThreshold == 0.5)
        #expect(buffer.requirements == .foregroundProbabilities && buffer.replayMode == .inBatch && buffer.perImageQuota == nil)
        let iou = try #require(SamplerKind.iouBalanced.makeStrategy(for: .rpn) as? IoUBalancedSampler)
        #expect(iou.binCount == 3 && iou.backgroundThreshold == 0.3 && iou.requirements == .maxIoU)
    }

    @Test("strategies work through the existential the factory returns")
    func existential() {
        var strategies = SamplerKind.allCases.map { $0.makeStrategy(for: .rpn) }
        let set = CandidateSet(count: 1_000, positives: 40, ignored: 60, seed: 3)
        var g = SplitMix64(seed: 1)
        for i in strategies.indices {
            let result = strategies[i].sample(set.input(), using: &g)
            expectValidSelection(result, labels: set.labels)
            #expect(result.selectedCount > 0)
        }
    }
}
