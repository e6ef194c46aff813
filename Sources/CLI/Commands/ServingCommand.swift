import ArgumentParser
import Dispatch
import Foundation
import Registry

/// `registry serving …`: publishes versions where TensorFlow Serving loads them.
struct ServingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serving", abstract: "Publish versions into a TensorFlow Serving model base path.",
        subcommands: [ServingSyncCommand.self])
}

/// `registry serving sync NAME BASE`: makes BASE hold exactly the selected versions.
struct ServingSyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Make a TensorFlow Serving base path hold exactly the selected versions of a model (BASE/N each).",
        discussion: """
            Default selection: every aliased version plus the latest. Each version is written whole (as pushed) into a \
            hidden folder beside BASE/N, fsynced, and renamed to BASE/N when complete; folders no longer selected are \
            removed only after that (and after the config, when --config is given). A folder that still holds its \
            version is left untouched. With --config, the model's entry in the ModelServerConfig text file names the \
            versions (model_version_policy specific) and the aliases as version_labels; a label moves to a new version \
            only --label-delay seconds after the version joined the file, since TensorFlow Serving refuses a label on a \
            version it has not loaded yet.
            """)

    @OptionGroup var options: RegistryOptions
    @Argument(help: "The model to publish.") var name: String
    @Argument(help: ArgumentHelp("The model's base path, the folder TensorFlow Serving watches (created if missing).", valueName: "base"))
    var base: String
    @Option(name: .customLong("alias"), help: "Publish the version this alias points at, labelled with it (repeatable).")
    var aliases: [String] = []
    @Option(name: .customLong("version"), help: "Publish this version number (repeatable).") var versions: [Int64] = []
    @Option(help: ArgumentHelp("Publish the K newest versions.", valueName: "k")) var latest: Int?
    @Option(help: ArgumentHelp("Write the model's entry into this ModelServerConfig text file (--model_config_file); other models' entries are kept.",
                               valueName: "file"))
    var config: String?
    @Flag(help: "Leave version folders that are no longer selected in place.") var keepUnselected = false
    @Flag(help: "Replace or remove version folders in BASE that the registry did not write.") var force = false
    @Option(help: ArgumentHelp("Stay running and re-sync when an alias moves or a version is pushed, checking every SECONDS; SIGINT or SIGTERM ends it.",
                               valueName: "seconds"))
    var watch: Double?
    @Option(help: ArgumentHelp("Seconds a new version stays in the config before a label moves to it, for TensorFlow Serving to load it first (0: at once).",
                               valueName: "seconds"))
    var labelDelay: Double = 60
    @OptionGroup var format: OutputOptions

    func validate() throws {
        if let latest, latest < 1 { throw ValidationError("--latest takes a count of at least 1") }
        if let watch, !(watch > 0) { throw ValidationError("--watch takes a positive number of seconds") }
        if !(labelDelay >= 0) { throw ValidationError("--label-delay takes zero or more seconds") }
        if let bad = versions.first(where: { $0 < 1 }) { throw ValidationError("--version \(bad) is not a version number") }
    }

    func run() throws {
        var request = ServingSyncRequest(model: name, base: base)
        request.aliases = aliases
        request.versions = versions
        request.latest = latest
        request.config = config
        request.keepUnselected = keepUnselected
        request.force = force
        request.labelDelay = labelDelay
        let registry = try options.open()
        if let watch { return try runWatch(registry, request, every: watch) }
        var signals: StopSignals?  // only while waiting for labels to move: until then SIGINT ends the process as usual
        let bar = ProgressBar("sync", show: format.progress)
        let report = try registry.syncServing(request, wait: { seconds in
            FileHandle.standardError.write(Data(Self.waitNote(seconds).utf8))
            if signals == nil { signals = StopSignals() }
            return signals!.wait(seconds)
        }, progress: bar.callback)
        bar.finish()
        if format.quiet && !format.json { return }
        print(format.json ? Output.json(report) : Self.text(report))
    }

    /// `--watch`: a pass now, then one whenever the model changes, until SIGINT or SIGTERM.
    private func runWatch(_ registry: ModelRegistry, _ request: ServingSyncRequest, every seconds: Double) throws {
        let signals = StopSignals()
        try registry.watchServing(request, interval: seconds, wait: signals.wait, onPass: { report in
            // Straight to the descriptor: a pass's lines must not wait in a buffer while the watch sleeps.
            FileHandle.standardOutput.write(Data(((format.json ? Self.jsonLine(report) : Self.stamped(Self.text(report))) + "\n").utf8))
        }, onError: { error in
            FileHandle.standardError.write(Data((Self.stamped("Error: \(error)") + "\n").utf8))
        })
        if !format.json { print(Self.stamped("stopped watching \(request.model)")) }
    }

    /// What a sync did, in lines.
    static func text(_ report: ServingSyncReport) -> String {
        var parts: [String] = []
        if !report.written.isEmpty { parts.append("wrote " + numbers(report.written) + " (\(Output.bytes(report.bytes)))") }
        if !report.unchanged.isEmpty { parts.append(numbers(report.unchanged) + " unchanged") }
        if !report.removed.isEmpty { parts.append("removed " + report.removed.joined(separator: " ")) }
        if !report.kept.isEmpty { parts.append("kept " + report.kept.joined(separator: " ")) }
        var lines = ["\(report.model) in \(report.base): versions \(numbers(report.selected)); " + parts.joined(separator: ", ")]
        if let config = report.config {
            let labels = config.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            lines.append("config \(config.path): versions \(numbers(config.versions))"
                         + (labels.isEmpty ? "" : ", labels " + labels.joined(separator: " ")) + (config.written ? "" : " (unchanged)"))
            for (label, version) in config.pendingLabels.sorted(by: { $0.key < $1.key }) {
                lines.append("label \(label) moves to \(version) at \(config.settlesAt.map(Output.date) ?? "?"), once TensorFlow Serving has loaded it; "
                             + "run the sync again then (or use --watch)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One report as one line of JSON (`--watch --json` prints a line per pass).
    static func jsonLine(_ report: ServingSyncReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: (try? encoder.encode(report)) ?? Data("null".utf8), as: UTF8.self)
    }

    private static func numbers(_ list: [Int64]) -> String { list.isEmpty ? "none" : list.map(String.init).joined(separator: " ") }

    private static func waitNote(_ seconds: Double) -> String {
        String(format: "waiting %.0f s for TensorFlow Serving to load the new versions before labels move (--label-delay)\n", seconds)
    }

    private static func stamped(_ text: String) -> String {
        let stamp = "[" + Output.date(Date()) + "] "
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { stamp + $0 }.joined(separator: "\n")
    }
}

/// SIGINT and SIGTERM as a stop request: `wait(seconds)` sleeps until the time passes (true)
/// or a signal comes (false, now and ever after). The signals are handled on a dispatch
/// queue (`DispatchSource.makeSignalSource`), their default action off; a signal during a pass
/// lets the pass finish, and the next wait returns false.
final class StopSignals: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopped = false
    private var sources: [DispatchSourceSignal] = []

    init() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.stop() }
            source.resume()
            sources.append(source)
        }
    }

    private func stop() {
        lock.withLock { stopped = true }
        semaphore.signal()
    }

    func wait(_ seconds: Double) -> Bool {
        if lock.withLock({ stopped }) { return false }
        _ = semaphore.wait(timeout: .now() + seconds)
        return !lock.withLock { stopped }
    }
}
