import Foundation
import Registry
import RegistryUI

/// The one place that formats what the CLI prints (JSON, sizes and shapes as the web app does).
enum Output {
    static func json<T: Encodable>(_ value: T) -> String { JSONStyle.encode(value) }

    static func bytes(_ count: Int64) -> String { Formats.bytes(count) }

    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    static func shape(_ dims: [Int64]?) -> String { Formats.shape(dims) }

    /// Left-aligned columns, two spaces apart.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        return all.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// A progress bar on stderr (bytes, MB/s, ETA) when stderr is a terminal; silent otherwise.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let enabled: Bool
    private let counting: String?
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let lock = NSLock()

    /// A bar of bytes, or with `counting` (e.g. "epochs") of items.
    init(_ label: String, counting: String? = nil) {
        self.label = label
        self.counting = counting
        enabled = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["REGISTRY_NO_PROGRESS"] == nil
    }

    var callback: (@Sendable (Int64, Int64) -> Void)? {
        guard enabled else { return nil }
        return { [self] done, total in update(done, total) }
    }

    func update(_ done: Int64, _ total: Int64) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 || done >= total else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 1e-3)
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let perSecond = Double(done) / elapsed
        let eta = perSecond > 0 && total > done ? String(format: "ETA %.0fs", Double(total - done) / perSecond) : ""
        let amount = counting.map { "\(done) / \(total) \($0)  " + String(format: "%.1f/s", perSecond) }
            ?? "\(Output.bytes(done)) / \(Output.bytes(total))  " + String(format: "%.1f MB/s", perSecond / 1e6)
        let line = "\r\(label) [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(amount)  \(eta)\u{1B}[K"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
