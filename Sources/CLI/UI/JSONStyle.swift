import Foundation
import Registry

/// The one JSON style of the CLI's `--json` and the web app's `/api/`: pretty-printed, keys
/// sorted, slashes unescaped, dates in ISO 8601, so that both print the same bytes.
public enum JSONStyle {
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    /// `{"error": {"code", "category", "message"}}`, as `--json` prints a failure on stderr.
    public static func error(code: String, category: String, message: String) -> String {
        encode(["error": ErrorBody(code: code, category: category, message: message)])
    }

    /// `error(…)` of a coded error.
    public static func error(_ error: any CodedError) -> String {
        self.error(code: error.code, category: error.category.rawValue, message: error.description)
    }

    private struct ErrorBody: Encodable {
        var code: String
        var category: String
        var message: String
    }
}

/// How sizes and shapes read, in the CLI's tables and on the web pages alike.
public enum Formats {
    /// `512 B`, `74.3 KiB`, `1.2 GiB`.
    public static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// `[?,28]`; `<unknown rank>` for nil.
    public static func shape(_ dims: [Int64]?) -> String {
        guard let dims else { return "<unknown rank>" }
        return "[" + dims.map { $0 < 0 ? "?" : String($0) }.joined(separator: ",") + "]"
    }
}
