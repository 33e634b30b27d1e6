import Testing
import TensorCore

/// `print(tensor)` and string interpolation show the shape and every element.
@Suite("Tensor description")
struct TensorDescriptionTests {
    @Test("shape and scalars, for a matrix, a scalar and an empty tensor")
    func description() {
        #expect("\(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4.5]))" == "Tensor(shape: [2, 2], scalars: [1.0, 2.0, 3.0, 4.5])")
        #expect("\(Tensor(7))" == "Tensor(shape: [], scalars: [7.0])")
        #expect(Tensor.zeros([0, 3]).description == "Tensor(shape: [0, 3], scalars: [])")
    }
}
