import Collectives
import Testing

@Suite("Values between ranks as JSON")
struct TransferCodingTests {
    struct Sample: Codable, Equatable {
        var loss: Double
        var scores: [Float]
    }

    @Test("finite values come back bit for bit, non-finite ones as themselves")
    func roundTrip() throws {
        // 0.1 + 0.2 and Float(1) / 3 have no short decimal form; the shortest round-trip digits must be kept.
        let values = Sample(loss: 0.1 + 0.2, scores: [Float(1) / 3, .leastNonzeroMagnitude, -0.0, .greatestFiniteMagnitude])
        let back = try TransferCoding.decode(Sample.self, from: try TransferCoding.encode(values, what: "sample"), what: "sample")
        #expect(back.loss.bitPattern == values.loss.bitPattern)
        #expect(back.scores.map(\.bitPattern) == values.scores.map(\.bitPattern))
        let special = try TransferCoding.decode([Double].self, from: try TransferCoding.encode([Double.nan, .infinity, -.infinity], what: "x"),
                                                what: "x")
        #expect(special[0].isNaN && special[1] == .infinity && special[2] == -.infinity)
    }

    @Test("bytes that are not the value are a transfer error naming it")
    func malformed() {
        #expect(throws: CollectivesError.self) { try TransferCoding.decode(Sample.self, from: Array("[1]".utf8), what: "run 2") }
        do throws(CollectivesError) {
            _ = try TransferCoding.decode(Sample.self, from: Array("{".utf8), what: "run 2")
        } catch {
            guard case .transfer(let what, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(what == "run 2")
        }
    }
}
