import RegistryFormat
import Foundation

/// Shapes as short JSON arrays in the database (`[28,64]`, `[]` for scalars).
package enum Shape {
    package static func json(_ dims: [Int64]) -> String { "[" + dims.map(String.init).joined(separator: ",") + "]" }

    package static func parse(_ text: String) -> [Int64]? {
        guard text.hasPrefix("["), text.hasSuffix("]") else { return nil }
        let inner = text.dropFirst().dropLast()
        if inner.isEmpty { return [] }
        var dims: [Int64] = []
        for part in inner.split(separator: ",") {
            guard let value = Int64(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            dims.append(value)
        }
        return dims
    }
}
