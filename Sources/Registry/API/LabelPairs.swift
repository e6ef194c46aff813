import RegistryStore

/// `key=value` labels as a user types them (`--label`, `label`, the web app's `?label=`), read
/// in one place so that every door refuses the same pairs in the same words.
public enum LabelPairs {
    /// Each `key=value` once: a pair without a key is `ReferenceError.invalidLabel`, a key
    /// given twice `RegistryError.duplicateLabel` (the last used to win silently).
    public static func parse(_ pairs: [String]) throws -> [String: String] {
        var labels: [String: String] = [:]
        var seen: [String: [String]] = [:]
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw ReferenceError.invalidLabel(pair)
            }
            let key = String(pair[..<eq]), value = String(pair[pair.index(after: eq)...])
            seen[key, default: []].append(value)
            labels[key] = value
        }
        if let (key, values) = seen.sorted(by: { $0.key < $1.key }).first(where: { $0.value.count > 1 }) {
            throw RegistryError.duplicateLabel(key: key, values: values)
        }
        return labels
    }
}
