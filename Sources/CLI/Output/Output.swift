import Foundation
import Registry
import RegistryUI

/// The one place that formats what the CLI prints (JSON, sizes and shapes as the web app
/// does). Text output escapes the control characters of names that came from files, databases
/// or servers (`escaped`), so that a label cannot clear the screen or fake a line; `--json`
/// prints them exactly.
enum Output {
    /// `text` with control characters escaped (`SafeText.escaped`): every line of text output
    /// that holds a stored name goes through here.
    static func escaped(_ text: String) -> String { SafeText.escaped(text) }

    /// Lines of text output, each escaped, one per line.
    static func lines(_ lines: [String]) -> String { lines.map(escaped).joined(separator: "\n") }

    static func json<T: Encodable>(_ value: T) -> String { JSONStyle.encode(value) }

    static func bytes(_ count: Int64) -> String { Formats.bytes(count) }

    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    static func shape(_ dims: [Int64]?) -> String { Formats.shape(dims) }

    /// Left-aligned columns, two spaces apart, widths in characters; cells escaped, padded,
    /// never cut (`NSString.padding` counted UTF-16 units and cut a name holding an emoji).
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows.map { $0.map(escaped) }
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        return all.map { row in
            let line = row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count) }
                .joined(separator: "  ")
            return String(line.reversed().drop { $0 == " " }.reversed())  // a row whose last cells are empty
        }.joined(separator: "\n")
    }
}
