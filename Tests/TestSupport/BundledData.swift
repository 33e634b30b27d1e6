import Foundation

/// The repository's bundled `Datasets/` folder (NEON tree crowns, UCI digits), found from this
/// file's path.
public enum BundledData {
    /// `<checkout>/Datasets`.
    public static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Datasets", isDirectory: true)
}
