import ArgumentParser
import Foundation
import Registry

/// `registry prune NAME --keep-last N …`: retention for a model or training run, then gc.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Delete the versions of a model or run that no rule keeps, then free their bytes.")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "The model or training run.") var name: String
    @Option(help: "Keep the newest N versions (1 or more).") var keepLast: Int
    @Flag(help: "Keep every version an alias points at.") var keepAliased = false
    @Option(help: ArgumentHelp("Keep one version per H hours: the first, then each created at least H hours after the last one kept this way.",
                               valueName: "H"))
    var keepEveryHours: Double?
    @Option(help: ArgumentHelp("Delete only versions older than this (45s, 90m, 12h, 30d, 2w); newer ones stay.", valueName: "age"))
    var olderThan: String?
    @Flag(help: "List what would be deleted and why the rest stays, changing nothing.") var dryRun = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if keepLast < 1 { throw ValidationError("--keep-last must be 1 or more (prune keeps at least the newest version; `rm NAME --all` deletes a model)") }
        if let hours = keepEveryHours, !(hours > 0 && hours.isFinite) { throw ValidationError("--keep-every-hours must be a positive number of hours") }
        if let age = olderThan, Self.seconds(age) == nil {
            throw ValidationError("--older-than: '\(age)' is not an age; give a number and a unit: s, m, h, d or w (e.g. 30d)")
        }
    }

    func run() throws {
        let rules = PruneRules(keepLast: keepLast, keepAliased: keepAliased, keepEveryHours: keepEveryHours, olderThan: olderThan.flatMap(Self.seconds))
        let report = try options.open().prune(model: name, rules: rules, dryRun: dryRun)
        if output.json { print(Output.json(report)); return }
        let total = report.deleted.count + report.kept.count
        let deleted = report.deleted.isEmpty ? "" : ": " + Self.ranges(report.deleted)
        print(report.dryRun ? "prune \(name) would delete \(report.deleted.count) of \(total) versions\(deleted) (dry run, nothing changed)"
                            : "pruned \(name): deleted \(report.deleted.count) of \(total) versions\(deleted)")
        print("kept \(report.kept.count): " + Self.grouped(report.kept))
        if let gc = report.gc { print(GCCommand.describe(gc)) }
    }

    /// "30d" → seconds: a non-negative number and one of s, m, h, d, w.
    static func seconds(_ text: String) -> TimeInterval? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        guard let unit = text.last.flatMap({ units[$0] }), let value = Double(text.dropLast()), value >= 0, value.isFinite else { return nil }
        return value * unit
    }

    /// Version numbers as runs: "3-6, 8, 10-12".
    static func ranges(_ numbers: [Int64]) -> String {
        var runs: [(first: Int64, last: Int64)] = []
        for number in numbers.sorted() {
            if let run = runs.last, number == run.last + 1 { runs[runs.count - 1].last = number } else { runs.append((number, number)) }
        }
        return runs.map { $0.first == $0.last ? "\($0.first)" : "\($0.first)-\($0.last)" }.joined(separator: ", ")
    }

    /// Kept versions grouped by their reasons: "11-12 (last); 1 (aliased, every-hours)".
    static func grouped(_ kept: [PruneReport.Kept]) -> String {
        var order: [String] = [], groups: [String: [Int64]] = [:]
        for version in kept {
            let why = version.reasons.map(\.rawValue).joined(separator: ", ")
            if groups[why] == nil { order.append(why) }
            groups[why, default: []].append(version.version)
        }
        return order.map { "\(ranges(groups[$0]!)) (\($0))" }.joined(separator: "; ")
    }
}
