import Foundation
import Testing
import TensorCore
import Autograd

/// Programmer errors trap through a `precondition` whose message names the shapes (the documented
/// contract), not through an index-out-of-range or array-count failure deep inside.
///
/// Optimised builds check preconditions but do not print their messages, so there the tests
/// can only see the trap; the messages are checked in debug builds.
@Suite("Programmer-error messages")
struct ProgrammerErrorMessageTests {
    @Test("permuted with an axis out of range names the order and the shape")
    func permuteOutOfRange() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor.ones([2, 3]), requiresGradient: true).permuted([0, 5])
        }
        expectMessage(result, contains: "permute: [0, 5] is not a permutation of the axes of shape [2, 3]")
    }

    @Test("maxPool2d with a kernel taller than the input names the kernel and the input")
    func poolLargerThanInput() async throws {
        // 1 × 5 input, 3 × 3 kernel: (1 − 3)/1 + 1 = −1 output rows, 3 columns.
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor.ones([1, 1, 1, 5]), requiresGradient: true).maxPool2d(kernel: 3, stride: 1)
        }
        expectMessage(result, contains: "maxPool2d: kernel 3, stride 1 on input [1, 1, 1, 5]")
    }

    @Test("maxPool2d with kernel 0 names the kernel instead of dividing by zero")
    func poolZeroKernel() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor.ones([1, 1, 4, 4]), requiresGradient: true).maxPool2d(kernel: 0)
        }
        expectMessage(result, contains: "maxPool2d: kernel 0, stride 0 on input [1, 1, 4, 4]")
    }

    @Test("groupNorm with a negative group count names the groups and channels")
    func groupNormNegativeGroups() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let gamma = Variable(Tensor.ones([4])), beta = Variable(Tensor.zeros([4]))
            _ = Variable(Tensor.ones([1, 4, 2, 2]), requiresGradient: true).groupNorm(groups: -2, gamma: gamma, beta: beta)
        }
        expectMessage(result, contains: "groupNorm: 4 channels of input [1, 4, 2, 2] not divisible into -2 groups")
    }
}

/// Expects the trap's standard error to contain `text`, in debug builds only: optimised builds
/// do not print precondition messages.
func expectMessage(_ result: ExitTest.Result, contains text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #if DEBUG
    let message = String(decoding: result.standardErrorContent, as: UTF8.self)
    #expect(message.contains(text), "standard error: \(message)", sourceLocation: sourceLocation)
    #endif
}
