/// How TensorFlow Serving reads the names in a model's base path: a child whose name parses
/// as a 64-bit integer (`safe_strto64`: ASCII spaces around it and a sign allowed, `007` is 7)
/// is a version of the model; every other name (`.3.staging`, `README`) is ignored.
public enum ServingVersionName {
    /// The version number TF Serving would read from `name`, or nil when it ignores the name.
    public static func number(_ name: String) -> Int64? {
        var text = Substring(name)
        let spaces: Set<Character> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"]
        while let first = text.first, spaces.contains(first) { text = text.dropFirst() }
        while let last = text.last, spaces.contains(last) { text = text.dropLast() }
        var negative = false
        if let sign = text.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            text = text.dropFirst()
        }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard let magnitude = UInt64(text) else { return nil }
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// The name the registry gives version `number`'s folder.
    public static func folder(_ number: Int64) -> String { String(number) }
}
