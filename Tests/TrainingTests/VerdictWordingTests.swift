import Testing
@testable import Training

@Suite("Verdict sentences, one per branch")
struct VerdictWordingTests {
    // Differences mean ± 0.01 over 4 seeds: s_d = √(4e-4 / 3) = 0.011547, half-width
    // t_{0.975,3} · s_d / √4 = 3.182446 · 0.011547 / 2 = 0.018374.
    static let spread = [0.01, -0.01, 0.01, -0.01]

    static func paired(mean: Double) -> PairedDifference {
        PairedDifference(spread.map { mean + $0 }, [0, 0, 0, 0])
    }

    @Test("interval above 0: better, by the mean, with the interval")
    func better() throws {
        let d = Self.paired(mean: 0.07)
        let i = try #require(d.interval)
        #expect(d.sentence(first: "random", second: "ohem", metric: .ap50)
                == "`random` is better than `ohem` by 0.070 AP50, 95% CI [\(format(i.lower, 3)), \(format(i.upper, 3))], 4 seeds")
        #expect(format(i.lower, 3) == "0.052" && format(i.upper, 3) == "0.088")
    }

    @Test("interval below 0: worse, by the magnitude, with the interval of second − first")
    func worse() {
        #expect(Self.paired(mean: -0.07).sentence(first: "ohem", second: "random", metric: .ap50)
                == "`ohem` is worse than `random` by 0.070 AP50, 95% CI [0.052, 0.088], 4 seeds")
    }

    @Test("interval including 0: no resolvable difference, with the signed difference")
    func unresolved() {
        #expect(Self.paired(mean: 0.01).sentence(first: "random", second: "ssd", metric: .ap50)
                == "no resolvable difference between `random` and `ssd` (`random` − `ssd` = +0.010 AP50, 95% CI [-0.008, 0.028] includes 0, 4 seeds)")
    }

    @Test("one seed: no interval and no verdict")
    func oneSeed() {
        #expect(PairedDifference([0.155], [0.071]).sentence(first: "random", second: "ohem", metric: .ap50)
                == "`random` vs `ohem`: one seed: no interval, no verdict (`random` − `ohem` = +0.084 AP50)")
    }

    @Test("time is slower or faster, not better or worse")
    func time() {
        #expect(Self.paired(mean: 0.07).sentence(first: "ohem", second: "random", metric: .secondsPerIteration)
                == "`ohem` is slower than `random` by 0.070 s/iteration, 95% CI [0.052, 0.088], 4 seeds")
        #expect(Self.paired(mean: -0.07).sentence(first: "random", second: "ohem", metric: .secondsPerIteration)
                .hasPrefix("`random` is faster than `ohem` by 0.070 s/iteration"))
    }
}
