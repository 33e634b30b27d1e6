import Foundation
import Quarry
import Testing
@testable import QuarryCLI

@Suite("losses.csv of quarry train")
struct LossLogTests {
    /// TinyFasterRCNN's four terms.
    static let terms = ["rpn_objectness", "rpn_box", "roi_classification", "roi_box"]

    func record(_ iteration: Int) -> StepRecord {
        StepRecord(iteration: iteration, learningRate: 0.01,
                   terms: zip(Self.terms, [0.5 + Double(iteration), 0.25, 1.0 / 3.0, 0.125]).map { LossTermValue(name: $0, value: $1) },
                   seconds: 0.5)
    }

    func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test("rows are appended in order; resuming keeps exactly the rows before the checkpoint's iteration")
    func resumeTruncates() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-losslog-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("losses.csv")
        var log = try LossLog.create(at: url, terms: Self.terms)
        for i in 0..<5 { try log.append(record(i)) }
        #expect(log.rowCount == 5)
        let written = try lines(url)
        #expect(written.count == 6)
        #expect(written[0] == "iteration,learning_rate,total,rpn_objectness,rpn_box,roi_classification,roi_box,seconds")
        // 0.5 + 1 + 0.25 + 1/3 + 0.125, in Swift's shortest round-trip form.
        #expect(written[2] == "1,0.01,\((1.5 + 0.25 + 1.0 / 3.0 + 0.125).description),1.5,0.25,0.3333333333333333,0.125,0.5")

        // A crash cut the last row short; the checkpoint is at iteration 3.
        try (written.joined(separator: "\n") + "\n5,0.01,2.5").write(to: url, atomically: true, encoding: .utf8)
        var resumed = try LossLog.resume(at: url, terms: Self.terms, iteration: 3)
        #expect(resumed.rowCount == 3)
        #expect(try lines(url) == Array(written[0...3]))
        for i in 3..<5 { try resumed.append(record(i)) }
        #expect(try lines(url) == written, "a resumed log equals the uninterrupted one")

        // A missing file starts over with the header; the lost rows are reported by rowCount.
        try FileManager.default.removeItem(at: url)
        let fresh = try LossLog.resume(at: url, terms: Self.terms, iteration: 2)
        #expect(fresh.rowCount == 0)
        #expect(try lines(url) == [LossLog.header(terms: Self.terms)])
    }
}
