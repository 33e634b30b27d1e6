// The `key=value` arguments inside one augmentation item's parentheses, read with the type
// and range each parameter needs.

/// The arguments of one augmentation item (`scale-jitter(0.5-2.0, p=0.5)` → scale 0.5–2.0,
/// p 0.5), read parameter by parameter; reading checks the kind and range, and `finish()`
/// rejects the parameters nobody read.
struct AugmentationArguments {
    /// The augmentation's name, for errors.
    let augmentation: String
    /// The parameter names the augmentation has, for errors.
    let valid: [String]
    /// The raw values by parameter name, removed as they are read.
    private var values: [String: String]

    /// Splits `text` (the part between the parentheses) into named values; a value without a
    /// name belongs to `primary`.
    /// - Throws: `AugmentationParseError` for an unknown name, a repeated parameter or a
    ///   positional value where there is no primary parameter.
    init(_ text: String, augmentation: String, parameters: [String], primary: String?) throws(AugmentationParseError) {
        self.augmentation = augmentation
        valid = parameters
        values = [:]
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { return }
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let piece = String(part).trimmingWhitespace()
            let key: String, value: String
            if let equals = piece.firstIndex(of: "=") {
                key = String(piece[..<equals]).trimmingWhitespace()
                value = String(piece[piece.index(after: equals)...]).trimmingWhitespace()
            } else {
                guard let primary else { throw .ambiguousParameter(augmentation: augmentation, parameter: piece) }
                key = primary
                value = piece
            }
            guard parameters.contains(key) else {
                throw .unknownParameter(augmentation: augmentation, parameter: key, valid: parameters)
            }
            guard values[key] == nil else { throw .ambiguousParameter(augmentation: augmentation, parameter: key) }
            values[key] = value
        }
    }

    /// Reads a number in `range`, or `defaultValue` when absent.
    /// - Throws: `.invalidValue` naming the parameter and the range.
    mutating func number(_ key: String, default defaultValue: Double, in range: ClosedRange<Double>) throws(AugmentationParseError) -> Double {
        guard let raw = values.removeValue(forKey: key) else { return defaultValue }
        guard let value = Double(raw), value.isFinite, range.contains(value) else {
            throw .invalidValue(augmentation: augmentation, parameter: key, value: raw,
                                expected: "a number in [\(range.lowerBound), \(range.upperBound)]")
        }
        return value
    }

    /// Reads a whole number in `range`, or `defaultValue` when absent.
    /// - Throws: `.invalidValue` naming the parameter and the range.
    mutating func integer(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(AugmentationParseError) -> Int {
        guard let raw = values.removeValue(forKey: key) else { return defaultValue }
        guard let value = Int(raw), range.contains(value) else {
            throw .invalidValue(augmentation: augmentation, parameter: key, value: raw,
                                expected: "a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// Reads a range written `low-high` (or one number, `x` meaning x–x) inside `bounds`, with
    /// low ≤ high, or `defaultValue` when absent. `positive` excludes a lower end of 0.
    /// - Throws: `.invalidValue` naming the parameter and the bounds.
    mutating func range(_ key: String, default defaultValue: ClosedRange<Double>, in bounds: ClosedRange<Double>,
                        positive: Bool = false) throws(AugmentationParseError) -> ClosedRange<Double> {
        guard let raw = values.removeValue(forKey: key) else { return defaultValue }
        let ends = raw.split(separator: "-", omittingEmptySubsequences: false).map { Double(String($0).trimmingWhitespace()) }
        let low: Double?, high: Double?
        switch ends.count {
        case 1: (low, high) = (ends[0], ends[0])
        case 2: (low, high) = (ends[0], ends[1])
        default: (low, high) = (nil, nil)
        }
        guard let low, let high, low.isFinite, high.isFinite, low <= high, bounds.contains(low), bounds.contains(high),
              !positive || low > 0 else {
            throw .invalidValue(augmentation: augmentation, parameter: key, value: raw,
                                expected: "a range low-high (or one number) with \(positive ? "0 <" : "\(bounds.lowerBound) ≤") low ≤ high ≤ \(bounds.upperBound)")
        }
        return low...high
    }

    /// Checks that every given parameter was read.
    /// - Throws: `.unknownParameter` for the first one left (not expected: `init` checks names).
    func finish() throws(AugmentationParseError) {
        if let key = values.keys.sorted().first { throw .unknownParameter(augmentation: augmentation, parameter: key, valid: valid) }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
