import Testing
import NN
import TestSupport

@Suite("Learning-rate schedule (warm-up × multi-step decay)")
struct LearningRateScheduleTests {
    @Test("reference schedule for n = 600: milestones 400 and 533")
    func reference() {
        let schedule = LearningRateSchedule.reference(iterations: 600)
        #expect(schedule.milestones == [400, 533])
        // (iteration, expected lr): warm-up 0.01·(0.1 + 0.9·i/100), then 0.01, ×0.1 at 400 and 533.
        let expected: [(Int, Double)] = [
            (0, 0.001), (50, 0.0055), (99, 0.00991), (100, 0.01), (399, 0.01), (400, 0.001),
            (532, 0.001), (533, 0.0001), (599, 0.0001),
        ]
        for (i, lr) in expected {
            expectClose(Double(schedule.learningRate(at: i)), lr, relativeTolerance: 1e-6, "iteration \(i)")
        }
    }

    @Test("milestones round 2n/3 and 8n/9 to the nearest integer")
    func rounding() {
        // n = 100: 66.67 → 67, 88.89 → 89; n = 10: 6.67 → 7, 8.89 → 9; n = 1000: 666.67 → 667, 888.89 → 889.
        #expect(LearningRateSchedule.reference(iterations: 100).milestones == [67, 89])
        #expect(LearningRateSchedule.reference(iterations: 10).milestones == [7, 9])
        #expect(LearningRateSchedule.reference(iterations: 1000).milestones == [667, 889])
        // n = 2000: 1333.33 → 1333, 1777.78 → 1778.
        #expect(LearningRateSchedule.reference(iterations: 2000).milestones == [1333, 1778])
    }

    @Test("no warm-up, custom decay")
    func custom() {
        let s = LearningRateSchedule(baseLearningRate: 1, milestones: [5, 2], decayFactor: 0.5)
        #expect(s.milestones == [2, 5])
        #expect([0, 1, 2, 4, 5, 9].map { s.learningRate(at: $0) } == [1, 1, 0.5, 0.5, 0.25, 0.25])
    }
}
