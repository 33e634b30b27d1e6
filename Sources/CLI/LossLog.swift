// OUTPUT/losses.csv of `quarry train`: one row per trained iteration, so that a run's loss curve
// is machine-readable and a resumed run's file equals an uninterrupted run's.
import Foundation
import Quarry

/// The per-iteration loss log of a training run, a CSV file with a header row.
///
/// Rows are appended as iterations finish (one `write` each, so a killed process leaves whole
/// rows); the file is synced before every checkpoint, so it never holds fewer rows than the
/// checkpoint's iteration. Resuming keeps exactly the rows of iterations before the
/// checkpoint's, so rows trained after the last checkpoint (and redone after the resume) are
/// neither duplicated nor lost.
struct LossLog {
    /// The CSV header for a detector's loss terms: iteration, learning rate, the sum, one column
    /// per head and term (`rpn_objectness,rpn_box,roi_classification,roi_box` for TinyFasterRCNN,
    /// `retina_classification,retina_box` for TinyRetinaNet), and `seconds`, the iteration's
    /// wall-clock time (the only column that differs between identical runs).
    static func header(terms: [String]) -> String {
        (["iteration", "learning_rate", "total"] + terms + ["seconds"]).joined(separator: ",")
    }

    /// A failure to read or write the log, naming the file.
    struct IOError: Error, CustomStringConvertible {
        /// The log file.
        var path: String
        /// The system's message.
        var reason: String
        var description: String { "\(path): \(reason)" }
    }

    /// The log file.
    let url: URL
    /// The header row the file starts with.
    let header: String
    /// Data rows in the file (excluding the header).
    private(set) var rowCount: Int
    private let handle: FileHandle

    /// Starts a new log at `url`, replacing any old one (header only, written atomically).
    /// - Parameters:
    ///   - url: the file.
    ///   - terms: the detector's loss-term names, in record order.
    /// - Throws: `IOError` naming the file.
    static func create(at url: URL, terms: [String]) throws(IOError) -> LossLog {
        let header = header(terms: terms)
        try replace(url, header: header, rows: [])
        return try LossLog(url: url, header: header, rowCount: 0)
    }

    /// Reopens the log of a run resumed at `iteration`: keeps the rows of iterations
    /// 0..<`iteration` (in file order), drops later or malformed rows (a row cut by a crash),
    /// and rewrites the file atomically. A missing file starts empty.
    /// - Returns: the log; its `rowCount` is below `iteration` when rows were lost.
    /// - Throws: `IOError` naming the file.
    static func resume(at url: URL, terms: [String], iteration: Int) throws(IOError) -> LossLog {
        let header = header(terms: terms)
        var rows: [String] = []
        if FileManager.default.fileExists(atPath: url.path) {
            let text: String
            do { text = try String(contentsOf: url, encoding: .utf8) } catch {
                throw IOError(path: url.path, reason: "cannot read: \(error.localizedDescription)")
            }
            let fieldCount = header.split(separator: ",").count
            var seen = Set<Int>()
            for line in text.split(separator: "\n", omittingEmptySubsequences: true).dropFirst() {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                guard fields.count == fieldCount, fields.dropFirst().allSatisfy({ Double($0) != nil }),
                      let index = Int(fields[0]), index >= 0, index < iteration, seen.insert(index).inserted else { continue }
                rows.append(String(line))
            }
        }
        try replace(url, header: header, rows: rows)
        return try LossLog(url: url, header: header, rowCount: rows.count)
    }

    private init(url: URL, header: String, rowCount: Int) throws(IOError) {
        self.url = url
        self.header = header
        self.rowCount = rowCount
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw IOError(path: url.path, reason: "cannot open for appending: \(error.localizedDescription)")
        }
    }

    /// Writes the header and `rows` atomically (`AtomicFile`; the output folder is created if
    /// missing), through a temporary file `.losses.csv.tmp-<pid>-<random>`.
    private static func replace(_ url: URL, header: String, rows: [String]) throws(IOError) {
        do { try AtomicFile.write(([header] + rows).map { $0 + "\n" }.joined(), to: url, creatingFolder: true) } catch {
            throw IOError(path: url.path, reason: "cannot write: \(error.reason)")
        }
    }

    /// The CSV row of one iteration; numbers in Swift's shortest round-trip form, so equal
    /// losses give equal text.
    static func row(_ record: StepRecord) -> String {
        ([String(record.iteration), record.learningRate.description, record.total.description]
         + record.terms.map(\.value.description) + [record.seconds.description]).joined(separator: ",")
    }

    /// Appends one iteration's row with a single write.
    /// - Throws: `IOError` naming the file.
    mutating func append(_ record: StepRecord) throws(IOError) {
        do { try handle.write(contentsOf: Data((Self.row(record) + "\n").utf8)) } catch {
            throw IOError(path: url.path, reason: "cannot append: \(error.localizedDescription)")
        }
        rowCount += 1
    }

    /// Flushes the rows to disk (called before a checkpoint, which must not get ahead of the log).
    /// - Throws: `IOError` naming the file.
    func synchronize() throws(IOError) {
        do { try handle.synchronize() } catch { throw IOError(path: url.path, reason: "cannot sync: \(error.localizedDescription)") }
    }
}
