import Foundation

/// Finds the bundled `Datasets/` folder (the NEON tree crowns and UCI digits).
///
/// The order is: an explicit path; else the `QUARRY_DATASETS` environment variable; else the
/// first `Datasets` folder holding the wanted dataset's folder (`neon-trees/` unless told)
/// found walking up from the current directory, then walking up from the executable's folder
/// (so `swift run`, `.build/release/quarry` and the test runner all find the checkout's copy);
/// else an installed copy beside the executable, `<bin>/../share/quarry/Datasets`
/// (`scripts/install.sh` puts it there, FHS style).
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
                "no bundled Datasets folder found (looked above and in \(searched.joined(separator: ", "))); "
                    + "pass a path, set \(DatasetLocator.environmentVariable), or install with scripts/install.sh"
            }
        }
    }

    /// Returns the datasets folder.
    /// - Parameters:
    ///   - explicit: a path given by the user (wins when non-nil).
    ///   - dataset: the dataset folder it must hold (`neon-trees`, `digits`); nil: either.
    ///   - environment: the process environment (injectable for tests).
    ///   - currentDirectory: where the first upward walk starts.
    ///   - executable: the running executable; the second walk starts at its folder, and the
    ///     installed copy is looked for at `<its folder>/../share/quarry/Datasets`.
    /// - Throws: `LocatorError.notADatasetsFolder` when the explicit or environment path lacks
    ///   the dataset (or both `neon-trees/` and `digits/`); `.notFound` when neither walk nor the
    ///   installed location has it.
    public static func datasetsFolder(
        explicit: URL? = nil,
        containing dataset: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        executable: URL? = Bundle.main.executableURL
    ) throws(LocatorError) -> URL {
        let holds = { (folder: URL) in dataset.map { exists(folder.appendingPathComponent($0)) } ?? isDatasetsFolder(folder) }
        if let explicit {
            guard holds(explicit) else { throw .notADatasetsFolder(path: explicit.path, source: "path") }
            return explicit
        }
        if let value = environment[environmentVariable], !value.isEmpty {
            let url = URL(fileURLWithPath: value)
            guard holds(url) else { throw .notADatasetsFolder(path: value, source: environmentVariable) }
            return url
        }
        var starts = [currentDirectory.standardizedFileURL]
        let executableFolder = executable.map { $0.resolvingSymlinksInPath().deletingLastPathComponent() }
        if let executableFolder { starts.append(executableFolder) }
        for start in starts {
            var folder = start
            while true {
                let candidate = folder.appendingPathComponent("Datasets", isDirectory: true)
                if exists(candidate.appendingPathComponent(dataset ?? "neon-trees")) { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path || folder.path == "/" { break }
                folder = parent
            }
        }
        var searched = starts.map(\.path)
        if let executableFolder {
            let installed = installedLocation(executableFolder: executableFolder)
            if holds(installed) { return installed }
            searched.append(installed.path)
        }
        throw .notFound(searched: searched)
    }

    /// Where `scripts/install.sh` puts the datasets for a binary in `executableFolder`:
    /// `<executableFolder>/../share/quarry/Datasets`.
    public static func installedLocation(executableFolder: URL) -> URL {
        executableFolder.deletingLastPathComponent().appendingPathComponent("share/quarry/Datasets", isDirectory: true)
            .standardizedFileURL
    }

    private static func isDatasetsFolder(_ url: URL) -> Bool {
        exists(url.appendingPathComponent("neon-trees")) || exists(url.appendingPathComponent("digits"))
    }

    private static func exists(_ url: URL) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue
    }
}
