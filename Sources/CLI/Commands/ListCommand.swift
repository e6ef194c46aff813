import ArgumentParser
import Registry

/// `registry ls`: versions, filtered by tag, tag set, signature, label or model.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List versions, optionally filtered.")

    @OptionGroup var options: RegistryOptions
    @Option(help: "Only versions with a meta graph carrying this tag.") var tag: String?
    @Option(help: "Only versions with a meta graph of exactly this tag set (t1,t2).") var tags: String?
    @Option(help: "Only versions with a signature of this key.") var signature: String?
    @Option(name: .customLong("label"), help: "Only versions with this key=value label (repeatable).") var labels: [String] = []
    @Option(help: "Only versions of this model.") var model: String?
    @Flag(help: "Only the latest version of each model.") var latest = false
    @OptionGroup var output: JSONOption

    func run() throws {
        var filter = VersionFilter()
        filter.tag = tag
        filter.tagSet = tags.map(TagSet.init(parsing:))
        filter.signature = signature
        filter.labels = try Labels.parse(labels)
        filter.model = model
        filter.latestOnly = latest
        let versions = try options.open().list(filter)
        if output.json { print(Output.json(versions)); return }
        print(VersionTable.render(versions, showModel: true))
    }
}

enum VersionTable {
    static func render(_ versions: [VersionSummary], showModel: Bool) -> String {
        let rows = versions.map { v -> [String] in
            var row = showModel ? ["\(v.model):\(v.version)"] : ["\(v.version)"]
            row += [Output.date(v.createdAt), v.kind == "checkpoint" ? "ckpt" : "model", v.tagSets.map { "{\($0)}" }.joined(separator: " "),
                    "\(v.tensors)", Output.bytes(v.tensorBytes), v.globalStep.map(String.init) ?? "",
                    (v.metrics ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\(format($0.value))" }.joined(separator: " "),
                    (v.aliases + v.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")]
            return row
        }
        let header = [showModel ? "VERSION" : "N", "CREATED", "KIND", "TAG SETS", "TENSORS", "SIZE", "STEP", "METRICS", "ALIASES/LABELS"]
        return rows.isEmpty ? "no versions" : Output.table(header, rows)
    }

    static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.4g", value)
    }
}
