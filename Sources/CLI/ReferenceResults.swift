// `quarry bench --against FILE`: another implementation's figures for the same workloads
// (scripts/bench/pytorch_bench.py writes them), read before anything is measured so that a bad
// file fails at once.
import Foundation
import KernelContract

/// One workload's figure in a reference file: `{"throughput": number, "unit": string, …}`.
struct ReferenceEntry: Decodable, Equatable {
    /// Work per second, in `unit`.
    var throughput: Double
    /// The contract's unit, e.g. `elem/s`.
    var unit: String
}

/// The contract workloads of a reference JSON file (the shape `quarry bench --json` writes).
///
/// Keys that are contract ids (K1a … K11) must hold `{"throughput": positive number, "unit":
/// the unit Quarry measures}`; other keys (`machine`, `ceilings`, …) are ignored. A file may
/// hold a subset of the ids; a missing id leaves its comparison empty.
struct ReferenceResults: Equatable {
    /// The file's path, as given.
    var file: String
    /// The figures, by contract id.
    var entries: [String: ReferenceEntry]

    /// Reads and checks a reference file.
    /// - Parameters:
    ///   - path: the file.
    ///   - units: the unit Quarry measures each contract id in; an entry in another unit is an error.
    /// - Throws: `BenchmarkFileError` naming the file and the key: unreadable, not JSON, not an
    ///   object, an entry without `throughput` or `unit`, a value of the wrong type, a throughput
    ///   that is not positive, a unit that differs, or no contract id at all.
    static func load(contentsOf path: String, units: [String: String]) throws(BenchmarkFileError) -> ReferenceResults {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw BenchmarkFileError(file: path, location: "", kind: .unreadable(readFailure(error)))
        }
        return try parse(data, file: path, units: units)
    }

    /// Parses and checks the bytes of a reference file (see `load(contentsOf:units:)`).
    /// - Throws: `BenchmarkFileError` as `load(contentsOf:units:)`.
    static func parse(_ data: Data, file: String, units: [String: String]) throws(BenchmarkFileError) -> ReferenceResults {
        let decoded: ContractEntries
        do {
            decoded = try JSONDecoder().decode(ContractEntries.self, from: data)
        } catch let error as DecodingError {
            throw BenchmarkFileError.decoding(error, file: file, data: data)
        } catch {
            throw BenchmarkFileError(file: file, location: "", kind: .malformedJSON(String(describing: error)))
        }
        guard !decoded.entries.isEmpty else { throw BenchmarkFileError(file: file, location: "", kind: .noWorkloads) }
        for id in decoded.entries.keys.sorted() {
            let entry = decoded.entries[id]!
            guard entry.throughput > 0, entry.throughput.isFinite else {
                throw BenchmarkFileError(file: file, location: "\(id).throughput",
                                         kind: .invalidValue("throughput must be a positive number, got \(entry.throughput)"))
            }
            if let expected = units[id], entry.unit != expected {
                throw BenchmarkFileError(file: file, location: "\(id).unit", kind: .unitMismatch(found: entry.unit, expected: expected))
            }
        }
        return ReferenceResults(file: file, entries: decoded.entries)
    }

    /// The system's reason a read failed, e.g. "No such file or directory".
    private static func readFailure(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        if nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        return nsError.localizedDescription
    }
}

/// The top-level object of a reference file, keeping only the contract ids.
private struct ContractEntries: Decodable {
    var entries: [String: ReferenceEntry] = [:]

    /// A key of the top-level object.
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys where KernelContract.contractIDs.contains(key.stringValue) {
            entries[key.stringValue] = try container.decode(ReferenceEntry.self, forKey: key)
        }
    }
}
