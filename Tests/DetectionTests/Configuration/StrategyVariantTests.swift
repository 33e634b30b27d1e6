import Foundation
import Testing
@testable import Detection

@Suite("Strategy parameters: defaults per head and the name(parameter=value) form")
struct StrategyVariantTests {
    @Test("every head's defaults are DESIGN.md's strategy table, and build the strategies makeStrategy(for:) builds")
    func defaults() throws {
        let rpn = SamplingParameters(head: .rpn), roi = SamplingParameters(head: .roi), retina = SamplingParameters(head: .retinaNet)
        #expect(rpn.budget == 256 && rpn.positiveFraction == 0.5 && rpn.nmsThreshold == nil)
        #expect(roi.budget == 128 && roi.positiveFraction == 0.25 && roi.nmsThreshold == 0.7)
        #expect(retina.budget == 256 && retina.positiveFraction == 0.5 && retina.nmsThreshold == nil)
        #expect(rpn.negativeRatio == 3 && rpn.minimumNegatives == 16 && rpn.alpha == 0.25 && rpn.gamma == 2 && rpn.prior == 0.01)
        // The buffer's defaults since issue 14 (the seed's: capacity 1000, no quota, threshold
        // mining, no re-scoring, expiry 2 — bufferParameters spells them out).
        #expect(rpn.capacity == nil && rpn.perImageQuota == 128 && roi.perImageQuota == 64 && rpn.scoreThreshold == 0.5
                && rpn.replayFraction == 0.5 && rpn.expiryEpochs == 3 && rpn.bins == 3)

        let ohem = try #require(StrategyConfiguration(kind: .ohem).makeStrategy(for: .roi) as? OHEMStrategy)
        #expect(ohem.batchSize == 128 && ohem.nmsThreshold == 0.7 && ohem.variant == .paper)
        let buffer = try #require(StrategyConfiguration(kind: .hardNegativeBufferSeparate).makeStrategy(for: .roi) as? HardNegativeBufferStrategy)
        #expect(buffer.buffer.capacity == HardNegativeBuffer.unbounded && buffer.maxExtraProposals == 64 && buffer.backgroundThreshold == 0.5
                && buffer.replayMode == .separatePass && buffer.expiryEpochs == 3 && buffer.perImageQuota == 64)
        let balanced = try #require(StrategyConfiguration(kind: .iouBalanced).makeStrategy(for: .rpn) as? IoUBalancedStrategy)
        #expect(balanced.batchSize == 256 && balanced.binCount == 3 && balanced.backgroundThreshold == 0.3)
    }

    @Test("a parameter without a head sets every head; head.parameter sets one; the name drops spaces")
    func parsing() throws {
        let focal = try StrategyVariant(parsing: "focal( gamma = 1 )")
        #expect(focal.name == "focal(gamma=1)" && focal.configuration.kind == .focal)
        #expect(StrategyConfiguration.heads.allSatisfy { focal.configuration[$0].gamma == 1 && focal.configuration[$0].alpha == 0.25 })
        let strategy = try #require(focal.configuration.makeStrategy(for: .roi) as? FocalStrategy)
        #expect(strategy.gamma == 1 && strategy.classificationLoss == .focal(alpha: 0.25, gamma: 1))

        let ohem = try StrategyVariant(parsing: "ohem(rpn.budget=512, roi.nmsThreshold=none)")
        #expect(ohem.name == "ohem(rpn.budget=512,roi.nmsThreshold=none)")
        #expect(ohem.configuration.rpn.budget == 512 && ohem.configuration.roi.budget == 128 && ohem.configuration.retina.budget == 256)
        #expect(ohem.configuration.roi.nmsThreshold == nil)
        let roi = try #require(ohem.configuration.makeStrategy(for: .roi) as? OHEMStrategy)
        #expect(roi.nmsThreshold == nil)

        // Parameters start from the base (a configuration file's), the name is the text's.
        var base = StrategyConfiguration(kind: .random)
        base.rpn.budget = 64
        let buffer = try StrategyVariant(parsing: "hard-negative-buffer(capacity=10000, perImageQuota=20)", base: base)
        #expect(buffer.configuration.kind == .hardNegativeBuffer && buffer.configuration.rpn.budget == 64)
        #expect(buffer.configuration.roi.capacity == 10000 && buffer.configuration.rpn.perImageQuota == 20)
        #expect(try StrategyVariant(parsing: "random").configuration == StrategyConfiguration(kind: .random))
    }

    @Test("errors name the unknown strategy, head or parameter and list the valid ones; bad values name strategy, head and parameter",
          arguments: [
              ("focall(gamma=1)", "unknown strategy 'focall'; valid names: random, ohem, ssd, focal, hard-negative-buffer, hard-negative-buffer-separate, iou-balanced, hard-negative-bootstrap"),
              ("ohem(gamma=1)", "ohem: unknown parameter 'gamma'; valid parameters: budget, nmsThreshold, normalizer, boxNormalizer (each optionally prefixed by a head: rpn, roi, retina)"),
              ("ohem(rcnn.budget=1)", "ohem: unknown head 'rcnn'; valid heads: rpn, roi, retina"),
              ("ohem(rpn.budget=0)", "ohem(rpn.budget): must be at least 1, got 0"),
              ("random(positiveFraction=1.5)", "random(rpn.positiveFraction): must be a number in [0.0, 1.0], got 1.5"),
              ("focal(gamma=two)", "focal(rpn.gamma): expected a number, got 'two'"),
              ("focal(gamma)", "'focal(gamma)' is not a strategy specification: write name or name(parameter=value, head.parameter=value, …)"),
              ("focal(gamma=1", "'focal(gamma=1' is not a strategy specification: write name or name(parameter=value, head.parameter=value, …)"),
          ])
    func errors(_ text: String, _ message: String) {
        #expect(throws: (any Error).self) { try StrategyVariant(parsing: text) }
        do { _ = try StrategyVariant(parsing: text) } catch { #expect(error.description == message) }
    }

    @Test("the buffer's issue-14 parameters: defaults, the seed's rules spelt out, and errors naming the key")
    func bufferParameters() throws {
        let defaults = try StrategyVariant(parsing: "hard-negative-buffer").configuration
        #expect(defaults.rpn.perImageQuota == 128 && defaults.roi.perImageQuota == 64 && defaults.rpn.capacity == nil)
        #expect(defaults.rpn.mining == .rank && defaults.rpn.rescore && defaults.roi.duplicateIoU == 0.9)
        #expect(defaults.roi.separateDivisor == .batch && defaults.rpn.expiryEpochs == 3)
        let seed = try StrategyVariant(parsing: "hard-negative-buffer-separate(capacity=1000, perImageQuota=none, mining=threshold, "
                                       + "rescore=false, duplicateIoU=none, separateDivisor=own, expiryEpochs=2)")
        let roi = try #require(seed.configuration.makeStrategy(for: .roi) as? HardNegativeBufferStrategy)
        #expect(roi.buffer.capacity == 1000 && roi.perImageQuota == nil && roi.mining == .threshold && !roi.rescore)
        #expect(roi.duplicateIoU == nil && roi.separatePassDivisor == .own && roi.expiryEpochs == 2 && roi.replayMode == .separatePass)
        let unbounded = try #require(defaults.makeStrategy(for: .rpn) as? HardNegativeBufferStrategy)
        #expect(unbounded.buffer.capacity == HardNegativeBuffer.unbounded && unbounded.rescore && unbounded.separatePassDivisor == .batch)
        for (text, message) in [
            ("hard-negative-buffer(mining=top)", "hard-negative-buffer(rpn.mining): expected one of threshold, rank, got 'top'"),
            ("hard-negative-buffer(rescore=yes)", "hard-negative-buffer(rpn.rescore): expected true or false, got 'yes'"),
            ("hard-negative-buffer(perImageQuota=none)", "hard-negative-buffer(rpn.capacity): none (no global bound) needs a perImageQuota to bound the buffer"),
            ("hard-negative-buffer(capacity=1000, perImageQuota=none)",
             "hard-negative-buffer(rpn.mining): rank keeps the top perImageQuota candidates, and perImageQuota is none "
             + "(the buffer before issue 14 is mining=threshold, rescore=false, duplicateIoU=none, separateDivisor=own)"),
            ("hard-negative-buffer(roi.duplicateIoU=1.5)", "hard-negative-buffer(roi.duplicateIoU): must be a number in [0.0, 1.0], got 1.5"),
        ] {
            do { _ = try StrategyVariant(parsing: text); Issue.record("\(text) parsed") } catch { #expect(error.description == message) }
        }
    }

    @Test("a list splits at the commas outside parentheses")
    func list() {
        #expect(StrategyVariant.splitList("random, focal(gamma=1, alpha=0.5),ohem(rpn.budget=512)")
                == ["random", "focal(gamma=1, alpha=0.5)", "ohem(rpn.budget=512)"])
        #expect(StrategyVariant.splitList("random,,ohem") == ["random", "", "ohem"])
    }

    @Test("JSON: a head section holds only what it changes; null clears an optional value; unknown keys and names are errors")
    func json() throws {
        let text = #"{"name": "ohem", "rpn": {"budget": 512}, "roi": {"nmsThreshold": null}}"#
        let decoded = try JSONDecoder().decode(StrategyConfiguration.self, from: Data(text.utf8))
        var expected = StrategyConfiguration(kind: .ohem)
        expected.rpn.budget = 512
        expected.roi.nmsThreshold = nil
        #expect(decoded == expected)
        // Round trip: the null survives (it does not fall back to the RoI head's 0.7).
        #expect(try JSONDecoder().decode(StrategyConfiguration.self, from: JSONEncoder().encode(decoded)) == decoded)

        for (bad, key, reason) in [(#"{"rpn": {"budjet": 1}}"#, "rpn.budjet", "unknown key 'budjet'; valid keys: budget, positiveFraction"),
                                   (#"{"name": "fast"}"#, "name", "unknown strategy 'fast'; valid names: random"),
                                   (#"{"rpn": {"budget": "many"}}"#, "rpn.budget", "expected an integer")] {
            do {
                _ = try JSONDecoder().decode(StrategyConfiguration.self, from: Data(bad.utf8))
                Issue.record("accepted \(bad)")
            } catch let error as DecodingError {
                let located = ConfigurationError.from(error, file: "f.json")
                #expect(located.file == "f.json" && located.key == key && located.reason.hasPrefix(reason), "\(located)")
            }
        }
    }
}
