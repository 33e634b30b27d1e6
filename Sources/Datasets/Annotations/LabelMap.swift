/// Maps annotation class names to 1-based class indices (0 is reserved for background).
///
/// `classNames[i]` is class `i + 1`. Aliases map further names onto existing classes: the NEON
/// map sends SOAP_061's `Alive` and `Dead` to class 1 `Tree`.
public struct LabelMap: Sendable, Equatable {
    /// The class names; `classNames[i]` has index `i + 1`.
    public let classNames: [String]
    /// Extra names and the class index each one maps to.
    public let aliases: [String: Int]

    /// Creates a label map.
    /// - Precondition: class names are unique and every alias maps into `1...classNames.count`.
    public init(classNames: [String], aliases: [String: Int] = [:]) {
        precondition(Set(classNames).count == classNames.count, "LabelMap: duplicate class names in \(classNames)")
        for (alias, index) in aliases {
            precondition(index >= 1 && index <= classNames.count,
                         "LabelMap: alias '\(alias)' maps to \(index), outside 1...\(classNames.count)")
        }
        self.classNames = classNames
        self.aliases = aliases
    }

    /// A map whose classes are the distinct names given, sorted by Unicode order, numbered from 1.
    public static func inferred(from names: some Sequence<String>) -> LabelMap {
        LabelMap(classNames: Set(names).sorted())
    }

    /// The NEON tree-crown map: one class `Tree`; `Alive` and `Dead` (SOAP_061) are aliases of it.
    public static let neonTrees = LabelMap(classNames: ["Tree"], aliases: ["Alive": 1, "Dead": 1])

    /// The number of object classes (background excluded).
    public var classCount: Int { classNames.count }

    /// The 1-based class index of a name (exact, case-sensitive match of a class name or alias).
    /// - Returns: `nil` for an unknown name.
    public func label(for name: String) -> Int? {
        if let index = classNames.firstIndex(of: name) { return index + 1 }
        return aliases[name]
    }

    /// The class name of a 1-based index.
    /// - Precondition: `1 ≤ label ≤ classCount`.
    public func name(of label: Int) -> String {
        precondition((1...classCount).contains(label), "LabelMap: label \(label) outside 1...\(classCount)")
        return classNames[label - 1]
    }
}
