import Foundation

/// Finds the repository's `Datasets/` folder (the bundled NEON tree crowns and UCI digits).
///
/// The order is: an explicit path; else the `QUARRY_DATASETS` environment variable; else the
/// first `Datasets` folder holding `neon-trees/` found walking up from the current directory,
/// then walking up from the executable's folder (so `swift run`, `.build/release/quarry` and
/// the test runner all find the checkout's copy).
public enum DatasetLocator {
    /// The environment variable that names the datasets folder.
    public static let environmentVariable = "QUARRY_DATASETS"

    /// The problem when no datasets folder is found.
    public enum LocatorError: Error, Equatable, CustomStringConvertible {
        /// An explicit or environment path that is not a datasets folder.
        case notADatasetsFolder(path: String, source: String)
        /// Nothing found; `searched` lists the starting points walked up from.
        case notFound(searched: [String])

        /// A one-line message naming the paths.
        public var description: String {
            switch self {
            case let .notADatasetsFolder(path, source):
                "\(source) '\(path)' has no neon-trees/ or digits/ folder"
            case let .notFound(searched):
                "no Datasets/neon-trees folder above \(searched.joined(separator: " or ")); "
                    + "pass a path or set \(DatasetLocator.environmentVariable)"
            }
        }
    }

    /// Returns the datasets folder.
    /// - Parameters:
    ///   - explicit: a path given by the user (wins when non-nil).
    ///   - environment: the process environment (injectable for tests).
    ///   - currentDirectory: where the first upward walk starts.
    ///   - executable: the running executable; the second walk starts at its folder.
    /// - Throws: `LocatorError.notADatasetsFolder` when the explicit or environment path lacks
    ///   `neon-trees/` and `digits/`; `.notFound` when neither walk finds `Datasets/neon-trees`.
    public static func datasetsFolder(
        explicit: URL? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        executable: URL? = Bundle.main.executableURL
    ) throws(LocatorError) -> URL {
        if let explicit {
            guard isDatasetsFolder(explicit) else { throw .notADatasetsFolder(path: explicit.path, source: "path") }
            return explicit
        }
        if let value = environment[environmentVariable], !value.isEmpty {
            let url = URL(fileURLWithPath: value)
            guard isDatasetsFolder(url) else { throw .notADatasetsFolder(path: value, source: environmentVariable) }
            return url
        }
        var starts = [currentDirectory.standardizedFileURL]
        if let executable { starts.append(executable.resolvingSymlinksInPath().deletingLastPathComponent()) }
        for start in starts {
            var folder = start
            while true {
                let candidate = folder.appendingPathComponent("Datasets", isDirectory: true)
                if exists(candidate.appendingPathComponent("neon-trees")) { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path || folder.path == "/" { break }
                folder = parent
            }
        }
        throw .notFound(searched: starts.map(\.path))
    }

    private static func isDatasetsFolder(_ url: URL) -> Bool {
        exists(url.appendingPathComponent("neon-trees")) || exists(url.appendingPathComponent("digits"))
    }

    private static func exists(_ url: URL) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue
    }
}
