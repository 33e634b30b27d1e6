// A live progress line on a terminal (carriage return, rewritten in place); plain log lines
// through swift-log otherwise, so CI logs and pipes stay readable.
import Foundation
import Logging
import Quarry

/// Reports training progress: one rewritten line on a terminal, periodic log lines elsewhere.
struct ProgressLine {
    let isTerminal = isatty(STDERR_FILENO) != 0
    let logger = Logger(label: "quarry")
    var runStart = Date()

    /// Reports one finished iteration: iteration, the total and each head's terms, images/s and ETA.
    mutating func report(_ record: StepRecord, of total: Int, batchSize: Int, label: String) {
        let done = record.iteration + 1
        let elapsed = Date().timeIntervalSince(runStart)
        let perIteration = elapsed / Double(done)
        let eta = perIteration * Double(total - done)
        let text = String(format: "%@ it %d/%d  loss %.3f (%@)  %.1f img/s  ETA %@",
                          label, done, total, record.total, Self.headTerms(record),
                          Double(batchSize) / max(record.seconds, 1e-9), Self.duration(eta))
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
            if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else if done == 1 || done == total || done % max(1, total / 20) == 0 {
            logger.info("\(text)")
        }
    }

    /// Logs a message on its own line.
    func note(_ message: String) {
        if isTerminal { FileHandle.standardError.write(Data((message + "\n").utf8)) } else { logger.info("\(message)") }
    }

    /// Each head's terms as `head classification/box`, e.g. `rpn 0.693/0.016 roi 2.333/0.157`
    /// (a record lists each head's two terms in turn, named `<head>_<term>`).
    static func headTerms(_ record: StepRecord) -> String {
        stride(from: 0, to: record.terms.count - 1, by: 2).map { i in
            let head = record.terms[i].name.split(separator: "_").first.map(String.init) ?? record.terms[i].name
            return String(format: "%@ %.3f/%.3f", head, record.terms[i].value, record.terms[i + 1].value)
        }.joined(separator: " ")
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : "\(s / 60)m\(String(format: "%02d", s % 60))s"
    }
}
