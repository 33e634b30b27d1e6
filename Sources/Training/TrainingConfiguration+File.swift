// Reading and writing a run configuration: a JSON file of its own, the `quarry.configuration`
// metadata of a checkpoint, or the `configuration` of a comparison's results.json — so a run is
// reproducible from any of its outputs.
import Detection
import Foundation
import NN

extension TrainingConfiguration {
    /// The checkpoint metadata key holding the resolved configuration as JSON.
    public static let checkpointMetadataKey = "quarry.configuration"

    /// The configuration as JSON: every key, sorted, indented; numbers as Swift prints them.
    /// - Returns: UTF-8 JSON.
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Encoding a struct of numbers, strings and arrays cannot fail.
        return try! encoder.encode(self)
    }

    /// Reads and checks a configuration from a file: a JSON configuration (keys as
    /// docs/configuration.md lists, any subset), a checkpoint written by `quarry train`
    /// (`.safetensors`, its ``checkpointMetadataKey`` metadata), or a comparison's results.json
    /// (its top-level `configuration`).
    /// - Parameter url: the file.
    /// - Returns: the configuration, validated.
    /// - Throws: `ConfigurationError` naming the file and the key: unreadable file, not JSON,
    ///   an unknown key, a value of the wrong type or out of range, a checkpoint without a
    ///   recorded configuration.
    public static func load(contentsOf url: URL) throws(ConfigurationError) -> TrainingConfiguration {
        let path = url.path
        var document: Data
        if url.pathExtension.lowercased() == "safetensors" {
            let checkpoint: Checkpoint
            do { checkpoint = try Checkpoint(contentsOf: url) } catch {
                throw ConfigurationError(file: path, key: "(file)", reason: TrainingError.checkpoint(error).description)
            }
            guard let text = checkpoint.metadata[checkpointMetadataKey] else {
                throw ConfigurationError(file: path, key: checkpointMetadataKey,
                                         reason: "missing: the checkpoint was written before runs recorded their configuration")
            }
            document = Data(text.utf8)
        } else {
            do { document = try Data(contentsOf: url) } catch {
                throw ConfigurationError(file: path, key: "(file)", reason: "cannot read: \(error.localizedDescription)")
            }
        }
        var prefix = ""
        // results.json: the run configuration sits under "configuration" beside the results.
        if let object = try? JSONSerialization.jsonObject(with: document) as? [String: Any], object["strategies"] != nil,
           let inner = object["configuration"], let data = try? JSONSerialization.data(withJSONObject: inner) {
            document = data
            prefix = "configuration"
        }
        return try decode(document, file: path, keyPrefix: prefix)
    }

    /// Decodes and checks a configuration document.
    /// - Parameters:
    ///   - data: UTF-8 JSON.
    ///   - file: the file it came from, for messages.
    ///   - keyPrefix: the document's place in its file (`configuration` in results.json), for messages.
    /// - Returns: the validated configuration.
    /// - Throws: `ConfigurationError` naming the file and the key.
    public static func decode(_ data: Data, file: String?, keyPrefix: String = "") throws(ConfigurationError) -> TrainingConfiguration {
        let configuration: TrainingConfiguration
        do {
            configuration = try JSONDecoder().decode(TrainingConfiguration.self, from: data)
        } catch let error as DecodingError {
            let located = ConfigurationError.from(error, file: file)
            // A syntax error has no key path: say it is not JSON.
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                throw ConfigurationError(file: file, key: keyPrefix.isEmpty ? "(document)" : keyPrefix,
                                         reason: "not a JSON object of configuration keys: \(context.underlyingError.map { "\($0)" } ?? context.debugDescription)")
            }
            throw located.nested(under: keyPrefix)
        } catch {
            throw ConfigurationError(file: file, key: "(document)", reason: "\(error)")
        }
        do { try configuration.validate() } catch {
            throw ConfigurationError(file: file, key: keyPrefix.isEmpty ? error.key : "\(keyPrefix).\(error.key)", reason: error.reason)
        }
        return configuration
    }

    /// The first field, in JSON key order, whose value differs from `other`'s, with both values
    /// as JSON text; nil when the two agree on every field not in `ignoring`.
    /// - Parameters:
    ///   - other: the configuration to compare with (e.g. a checkpoint's).
    ///   - ignoring: keys not compared (e.g. `checkpointInterval`, bookkeeping; a section's
    ///     path such as `model.classNames` leaves out that field).
    /// - Returns: the key path (`model.anchorSizes`, `strategy.rpn.budget`) and the two values.
    public func firstDifference(from other: TrainingConfiguration, ignoring: Set<String> = [])
        -> (key: String, value: String, otherValue: String)? {
        differences(from: other, ignoring: ignoring).first
    }

    /// This configuration with the strategy's unread parameters at their defaults
    /// (``StrategyConfiguration/effective``): what a run's numbers depend on, for comparing a
    /// recorded run with a requested one.
    public var effective: TrainingConfiguration {
        var result = self
        result.strategy = strategy.effective
        return result
    }

    /// Every field whose value differs from `other`'s, in JSON key order, with both values as
    /// JSON text (e.g. to say how a run departs from DESIGN.md's defaults).
    /// - Parameters:
    ///   - other: the configuration to compare with.
    ///   - ignoring: keys not compared (top-level keys or paths such as `model.classNames`).
    /// - Returns: key paths and values; empty when the two agree.
    public func differences(from other: TrainingConfiguration, ignoring: Set<String> = [])
        -> [(key: String, value: String, otherValue: String)] {
        func tree(_ configuration: TrainingConfiguration) -> Any {
            (try? JSONSerialization.jsonObject(with: configuration.jsonData())) ?? [:]
        }
        func text(_ value: Any?) -> String {
            guard let value else { return "(missing)" }
            if value is NSNull { return "null" }
            guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) else { return "\(value)" }
            return String(decoding: data, as: UTF8.self)
        }
        var found: [(key: String, value: String, otherValue: String)] = []
        func collect(_ a: Any?, _ b: Any?, path: String) {
            if let a = a as? [String: Any], let b = b as? [String: Any] {
                for key in Set(a.keys).union(b.keys).sorted() {
                    let child = path.isEmpty ? key : "\(path).\(key)"
                    if !ignoring.contains(child) { collect(a[key], b[key], path: child) }
                }
            } else if text(a) != text(b) {
                found.append((path, text(a), text(b)))
            }
        }
        collect(tree(self), tree(other), path: "")
        return found
    }
}
