import ArgumentParser
import Foundation
import Registry

/// `registry ls`: versions, filtered by tag, tag set, signature, label or model.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List versions, optionally filtered.")

    @OptionGroup var options: RegistryOptions
    @Option(help: "Only versions with a meta graph carrying this tag.") var tag: String?
    @Option(help: "Only versions with a meta graph of exactly this tag set (t1,t2).") var tags: String?
    @Option(help: "Only versions with a signature of this key.") var signature: String?
    @Option(name: .customLong("label"), help: "Only versions with this key=value label (repeatable).") var labels: [String] = []
    @Option(help: "Only versions of this model.", completion: Completions.modelNames) var model: String?
    @Flag(help: "Only the latest version of each model.") var latest = false
    @Option(help: "Print at most N versions (a page; by model name, then number).") var limit: Int?
    @Option(help: "Skip the first N versions (with --limit, the page after N).") var offset = 0
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more") }
        if offset < 0 { throw ValidationError("--offset must be 0 or more") }
    }

    func run() throws {
        var filter = VersionFilter()
        filter.tag = tag
        filter.tagSet = tags.map(TagSet.init(parsing:))
        filter.signature = signature
        filter.labels = try LabelPairs.parse(labels)
        filter.model = model
        filter.latestOnly = latest
        filter.limit = limit
        filter.offset = offset
        let versions = try options.open().list(filter)
        if output.json { print(Output.json(versions)); return }
        if output.quiet { return VersionTable.printNames(versions) }
        print(VersionTable.render(versions, showModel: true))
    }
}

/// The table `ls` and `history` print. Thousands of rows cost milliseconds: the cells are
/// written as bytes into one buffer (no string per cell), dates by `LocalTimestamps` (a
/// DateFormatter call per row cost more than all the rest), each distinct size formatted once;
/// the text is exactly what `Output.date`, `Output.bytes` and `Output.table` would give. KIND
/// is `VersionKind`'s raw value, as `--json` spells it; TENSOR SIZE is the bytes of the
/// tensors (push and pull also print every byte, "in all"); CREATED is local time.
enum VersionTable {
    /// `--quiet`: one `NAME:N` per line.
    static func printNames(_ versions: [VersionSummary]) {
        if versions.isEmpty { return }
        print(versions.map { "\($0.model):\($0.version)" }.joined(separator: "\n"))
    }

    static func render(_ versions: [VersionSummary], showModel: Bool) -> String {
        if versions.isEmpty { return "no versions" }
        let header = [showModel ? "VERSION" : "N", "CREATED", "KIND", "TAG SETS", "TENSORS", "TENSOR SIZE", "STEP", "METRICS", "ALIASES/LABELS"]
        var cells = Cells(columns: header.count, rows: versions.count + 1)
        for title in header { cells.append(title); cells.end() }
        var dates = LocalTimestamps()
        var sizes: [Int64: String] = [:]
        // A row from a borrowed summary: binding each one to a variable copied it whole.
        func write(_ v: borrowing VersionSummary) {
            if showModel { cells.append(v.model); cells.append(":") }
            cells.appendDecimal(v.version); cells.end()
            dates.write(v.createdAt, to: &cells.bytes); cells.end()
            cells.append(v.kind.rawValue); cells.end()
            for (i, tagSet) in v.tagSets.enumerated() { cells.append(i == 0 ? "{" : " {"); cells.append(tagSet.description); cells.append("}") }
            cells.end()
            cells.appendDecimal(Int64(v.tensors)); cells.end()
            if let size = sizes[v.tensorBytes] {
                cells.append(size)
            } else {
                let size = Output.bytes(v.tensorBytes)
                sizes[v.tensorBytes] = size
                cells.append(size)
            }
            cells.end()
            if let step = v.globalStep { cells.appendDecimal(step) }
            cells.end()
            if let metrics = v.metrics {
                for (i, metric) in metrics.sorted(by: { $0.key < $1.key }).enumerated() {
                    if i > 0 { cells.append(" ") }
                    cells.append(metric.key); cells.append("="); cells.append(format(metric.value, key: metric.key))
                }
            }
            cells.end()
            for (i, alias) in v.aliases.enumerated() { if i > 0 { cells.append(" ") }; cells.append(alias) }
            var separate = !v.aliases.isEmpty
            if v.labels.count > 1 {
                for (key, value) in v.labels.sorted(by: { $0.key < $1.key }) {
                    if separate { cells.append(" ") }
                    cells.append(key); cells.append("="); cells.append(value)
                    separate = true
                }
            } else {
                for (key, value) in v.labels {
                    if separate { cells.append(" ") }
                    cells.append(key); cells.append("="); cells.append(value)
                }
            }
            cells.end()
        }
        for i in versions.indices { write(versions[i]) }
        return cells.layout()
    }

    /// The cells of a table, row after row, as bytes, laid out as `Output.table` does:
    /// left-aligned columns two spaces apart, widths counted in characters, every cell but a
    /// row's last padded (never cut) to its column's width. A cell of plain ASCII (control
    /// characters are escaped on the way in, so no CR, and "\r\n" cannot count as one
    /// character), where bytes and characters agree, is padded as bytes; only others are
    /// counted as characters.
    struct Cells {
        let columns: Int
        var bytes: [UInt8] = []
        /// Where each cell ends in `bytes`, and whether it is plain ASCII.
        private var ends: [Int] = [], plain: [Bool] = []
        private var widths: [Int]
        private var start = 0, isPlain = true

        init(columns: Int, rows: Int) {
            self.columns = columns
            widths = [Int](repeating: 0, count: columns)
            bytes.reserveCapacity(rows * columns * 8)
            ends.reserveCapacity(rows * columns)
            plain.reserveCapacity(rows * columns)
        }

        /// `String(value)`'s digits, written in place.
        mutating func appendDecimal(_ value: Int64) {
            if value < 0 { bytes.append(0x2D) }
            var magnitude = value.magnitude, divisor: UInt64 = 1
            while magnitude / divisor >= 10 { divisor *= 10 }
            while divisor > 0 { bytes.append(UInt8(48 + magnitude / divisor)); magnitude %= divisor; divisor /= 10 }
        }

        /// Appends `text`: printable ASCII (the common case) as it is, anything else escaped
        /// (`Output.escaped`: a control character in a label or a name must not reach the
        /// terminal), which also makes the cell not plain if it is not ASCII.
        mutating func append(_ text: String) {
            let from = bytes.count
            bytes.append(contentsOf: text.utf8)
            guard !bytes[from...].allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return }
            bytes.removeSubrange(from...)
            bytes.append(contentsOf: Output.escaped(text).utf8)
            if isPlain { isPlain = bytes[from...].allSatisfy { $0 < 0x80 } }
        }

        /// Ends the current cell: what was appended since the previous one (dates are written
        /// to `bytes` directly, in ASCII).
        mutating func end() {
            let column = ends.count % columns
            let width = isPlain ? bytes.count - start : String(decoding: bytes[start...], as: UTF8.self).count
            if width > widths[column] { widths[column] = width }
            ends.append(bytes.count)
            plain.append(isPlain)
            start = bytes.count
            isPlain = true
        }

        func layout() -> String {
            for (k, isPlain) in plain.enumerated() where !isPlain && k % columns != columns - 1 { return layoutSlowly() }
            // Every padded cell is plain: the text's size is known, and it starts as all spaces.
            let rows = ends.count / columns
            let padded = widths.dropLast().reduce(0, +) + 2 * (columns - 1)
            var lastColumn = 0
            for row in 0..<rows { lastColumn += ends[row * columns + columns - 1] - ends[row * columns + columns - 2] }
            var out = [UInt8](repeating: 0x20, count: rows * (padded + 1) - 1 + lastColumn)
            bytes.withUnsafeBufferPointer { source in
                out.withUnsafeMutableBufferPointer { target in
                    var at = 0, start = 0
                    for (k, end) in ends.enumerated() {
                        let column = k % columns
                        if column == 0 {
                            if k > 0 { target[at] = 0x0A; at += 1 }
                        } else {
                            at += 2
                        }
                        let count = end - start
                        if count > 0 { (target.baseAddress! + at).update(from: source.baseAddress! + start, count: count) }
                        at += column == columns - 1 ? count : widths[column]
                        start = end
                    }
                }
            }
            return Self.text(withoutTrailingSpaces: out)
        }

        /// The lines without the spaces that pad a row whose last cells are empty, in one pass.
        static func text(withoutTrailingSpaces bytes: [UInt8]) -> String {
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var spaces = 0
            for byte in bytes {
                if byte == 0x20 { spaces += 1; continue }
                if byte != 0x0A && spaces > 0 { out.append(contentsOf: repeatElement(0x20, count: spaces)) }
                spaces = 0
                out.append(byte)
            }
            return String(decoding: out, as: UTF8.self)
        }

        /// The layout when a padded cell is not plain ASCII: such cells are padded by characters.
        private func layoutSlowly() -> String {
            var out: [UInt8] = []
            var start = 0
            for (k, end) in ends.enumerated() {
                let column = k % columns
                if column == 0 { if k > 0 { out.append(0x0A) } } else { out.append(0x20); out.append(0x20) }
                let cell = bytes[start..<end]
                if column == columns - 1 {
                    out.append(contentsOf: cell)
                } else if plain[k] {
                    out.append(contentsOf: cell)
                    out.append(contentsOf: repeatElement(0x20, count: widths[column] - cell.count))
                } else {
                    out.append(contentsOf: cell)
                    out.append(contentsOf: repeatElement(0x20, count: widths[column] - String(decoding: cell, as: UTF8.self).count))
                }
                start = end
            }
            return Self.text(withoutTrailingSpaces: out)
        }
    }

    /// A metric as `train` prints it: accuracy in percent with three decimals (`35.688%`);
    /// others as an integer when they are one, else as `%.4g` prints them.
    static func format(_ value: Double, key: String) -> String {
        if key == "accuracy" { return String(format: "%.3f%%", value * 100) }
        if value.rounded() == value && abs(value) < 1e15 { return String(Int64(value)) }
        // vsnprintf is what String(format:) calls for a double, without the NSString around it.
        var buffer = [CChar](repeating: 0, count: 64)
        let written = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.4g", $0) }
        guard written > 0 && written < buffer.count else { return String(format: "%.4g", value) }
        return String(decoding: buffer[0..<Int(written)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// `Output.date` for many dates: "yyyy-MM-dd HH:mm:ss" in the current time zone, exactly as
/// DateFormatter writes it, at a fraction of its cost. The zone's offset comes from Foundation
/// (asked again only past the next transition it names); the fields are computed as ICU does,
/// from the date in milliseconds as a Double, rounded to the nearest millisecond as
/// CFDateFormatter hands it over (checked against DateFormatter on 150,000 dates in 10 zones,
/// DST transitions and half-millisecond boundaries included). Dates outside 1970…9999 go to
/// DateFormatter itself.
struct LocalTimestamps {
    private let zone = TimeZone.current
    private var formatter: DateFormatter?
    /// The offset (seconds) valid from `start` (included) to `end` (excluded).
    private var start = Date.distantFuture, end = Date.distantPast, offset = 0

    mutating func text(_ date: Date) -> String {
        var bytes: [UInt8] = []
        write(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `date`'s text to `bytes`.
    mutating func write(_ date: Date, to bytes: inout [UInt8]) {
        let seconds = date.timeIntervalSince1970
        guard seconds >= 0 && seconds < 253_402_300_800 - 86_400 * 2 else { return bytes.append(contentsOf: slow(date).utf8) }
        if !(date >= start && date < end) {
            start = date
            offset = zone.secondsFromGMT(for: date)
            end = zone.nextDaylightSavingTimeTransition(after: date) ?? .distantFuture
        }
        // As CFDateFormatter hands the date to ICU (milliseconds, rounded to the nearest), and as
        // ICU's calendar splits it into days and the milliseconds of the day.
        let millis = ((date.timeIntervalSinceReferenceDate + 978_307_200.0) * 1000.0 + 0.5) + Double(offset * 1000)
        let days = (millis / 86_400_000.0).rounded(.down)
        let inDay = Int(millis - days * 86_400_000.0)
        guard days >= 0, inDay >= 0, inDay < 86_400_000 else { return bytes.append(contentsOf: slow(date).utf8) }
        let (year, month, day) = Self.civil(days: Int(days))
        guard year <= 9999 else { return bytes.append(contentsOf: slow(date).utf8) }
        func put(_ value: Int, _ width: Int, then separator: UInt8?) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 { bytes.append(UInt8(48 + value / divisor % 10)); divisor /= 10 }
            if let separator { bytes.append(separator) }
        }
        put(year, 4, then: 0x2D); put(month, 2, then: 0x2D); put(day, 2, then: 0x20)
        put(inDay / 3_600_000, 2, then: 0x3A); put(inDay / 60_000 % 60, 2, then: 0x3A); put(inDay / 1000 % 60, 2, then: nil)
    }

    private mutating func slow(_ date: Date) -> String {
        if formatter == nil {
            let made = DateFormatter()
            made.locale = Locale(identifier: "en_US_POSIX")
            made.dateFormat = "yyyy-MM-dd HH:mm:ss"
            formatter = made
        }
        return formatter!.string(from: date)
    }

    /// The proleptic Gregorian date `days` days after 1970-01-01 (days >= 0).
    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
