// The branch-free exp/log/log1p approximations against Foundation's Double functions.
import Foundation
@testable import Kernels
import Testing

@Suite("Branch-free exp, log and log1p")
struct VectorizableMathTests {
    /// Relative error of an approximation over a grid, against the exact Double value.
    static func worstRelativeError(_ inputs: [Float], _ f: (Float) -> Float, _ exact: (Double) -> Double) -> Double {
        inputs.map { x in
            let e = exact(Double(x))
            return abs(Double(f(x)) - e) / abs(e)
        }.max() ?? 0
    }

    @Test("exp is within 3e-7 relative on [−87, 88] and saturates outside")
    func exp() {
        let grid = stride(from: Float(-87), through: 88, by: 0.01).map { $0 }
        #expect(Self.worstRelativeError(grid, Kernels.vectorizableExp, Foundation.exp) < 3e-7)
        #expect(Kernels.vectorizableExp(0) == 1)
        #expect(Kernels.vectorizableExp(-100) == 0 && Kernels.vectorizableExp(-1e4) == 0)
        #expect(Kernels.vectorizableExp(100) == .infinity)
        #expect(Kernels.vectorizableExp(.nan).isNaN)
    }

    @Test("log is within 3e-7 relative on [1e-30, 1e30], away from 1")
    func log() {
        var grid: [Float] = []
        var x: Float = 1e-30
        while x < 1e30 { grid.append(x); x *= 1.013 }
        let awayFromOne = grid.filter { abs($0 - 1) > 0.01 }
        #expect(Self.worstRelativeError(awayFromOne, Kernels.vectorizableLog, Foundation.log) < 3e-7)
        // Near 1 the result is tiny; its absolute error stays at Float's spacing there.
        for y in stride(from: Float(0.99), through: 1.01, by: 0.0001) {
            #expect(abs(Double(Kernels.vectorizableLog(y)) - Foundation.log(Double(y))) < 1.2e-8)
        }
    }

    @Test("log1p keeps full relative precision down to 1e-30")
    func log1p() {
        var grid: [Float] = []
        var x: Float = 1e-30
        while x <= 1 { grid.append(x); x *= 1.011 }
        grid.append(1)
        #expect(Self.worstRelativeError(grid, Kernels.vectorizableLog1p, Foundation.log1p) < 3e-7)
        #expect(Kernels.vectorizableLog1p(0) == 0)
    }
}
