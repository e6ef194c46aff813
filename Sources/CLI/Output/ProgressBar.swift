import Foundation

/// A progress bar on stderr when it is a terminal (and neither `--quiet`, `--no-progress`
/// nor `REGISTRY_NO_PROGRESS` says otherwise): bytes in binary units (`MiB`, `MiB/s`, as
/// every size the CLI prints), never past its total, and an ETA only once the rate means
/// something (a second after the first byte: an OCI push spends its start asking which blobs
/// the remote has, and an ETA from its first kilobytes said 268624 s).
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let enabled: Bool
    private let counting: String?
    private var firstProgress: Date?
    private var lastDraw = Date.distantPast
    private let lock = NSLock()

    /// A bar of bytes, or with `counting` (e.g. "epochs") of items; `show` is the verb's
    /// `OutputOptions.progress`.
    init(_ label: String, counting: String? = nil, show: Bool) {
        self.label = label
        self.counting = counting
        enabled = show && isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["REGISTRY_NO_PROGRESS"] == nil
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
        if firstProgress == nil && done > 0 { firstProgress = now }
        guard now.timeIntervalSince(lastDraw) > 0.1 || done >= total else { return }
        lastDraw = now
        let line = Self.frame(label: label, done: done, total: total, counting: counting,
                              elapsed: firstProgress.map { now.timeIntervalSince($0) } ?? 0)
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }

    /// One frame: `label [####      ] 1.2 MiB / 3.4 MiB  5.6 MiB/s  ETA 1s`. `elapsed` counts
    /// from the first report with progress; `done` is shown at most `total`.
    static func frame(label: String, done rawDone: Int64, total: Int64, counting: String?, elapsed: TimeInterval) -> String {
        let done = total > 0 ? min(max(rawDone, 0), total) : max(rawDone, 0)
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let rate = elapsed >= 1 ? Double(done) / elapsed : nil
        let eta = rate.flatMap { $0 > 0 && total > done ? "  ETA \(Int((Double(total - done) / $0).rounded(.up)))s" : nil } ?? ""
        let amount: String
        if let counting {
            amount = "\(done) / \(total) \(counting)" + (rate.map { String(format: "  %.1f/s", $0) } ?? "")
        } else {
            amount = "\(Output.bytes(done)) / \(Output.bytes(total))" + (rate.map { "  \(Output.bytes(Int64($0)))/s" } ?? "")
        }
        return "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(amount)\(eta)"
    }

    /// Clears the bar's line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
