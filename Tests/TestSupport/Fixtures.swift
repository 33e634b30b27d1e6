import Foundation

/// Locates and loads the reference values in `Tests/Fixtures/` (copied from `shared/fixtures`,
/// computed with torchvision 0.29 / PyTorch 2.15 and pycocotools 2.0.11).
public enum Fixtures {
    /// The `Tests/Fixtures` folder of this checkout.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures", isDirectory: true)

    /// The URL of a fixture file, e.g. `url("box_iou.json")` or `url("golden/golden.json")`.
    public static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Parses a JSON fixture into Foundation objects (dictionaries, arrays, NSNumber).
    public static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(name)))
    }
}
