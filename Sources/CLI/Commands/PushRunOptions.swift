import ArgumentParser
import Foundation
import Registry

/// The options of `push` that describe training: a checkpoint's step and metrics, the
/// TensorBoard scalars logged beside it, and the run's `tf.train.Saver` retention.
struct PushRunOptions: ParsableArguments {
    @Option(name: .customLong("metric"), help: ArgumentHelp("A metric of the pushed version, key=value (repeatable); with a step it also joins "
            + "the model's series that history --plot draws.", valueName: "key=value")) var metrics: [String] = []
    @Option(help: "The pushed checkpoint's global step (default: the number ending its prefix, model.ckpt-N).") var step: Int64?
    @Option(help: ArgumentHelp("A TensorBoard log folder: the scalars of its event files join the model's series (TAG, or SUBFOLDER/TAG "
            + "below it), and each pushed version gets their values at its step as metrics.", valueName: "logdir")) var events: String?
    @Option(help: "Start the run's tf.train.Saver retention, as constructing a Saver does: keep this many checkpoints (0 keeps all; default 5 with --keep-every-hours).")
    var maxToKeep: Int?
    @Option(help: "With the retention: keep one checkpoint for good every this many hours (default 10000: never).") var keepEveryHours: Double?
    @Option(help: ArgumentHelp("When the Saver whose rules these are was made (seconds since 1970; default: the save time): the first "
            + "keep time counts from it.", valueName: "seconds")) var retentionSince: Double?
    @Option(help: ArgumentHelp("When the checkpoint was saved (seconds since 1970; default: now): its version's time, which retention "
            + "compares with the keep time.", valueName: "seconds")) var savedAt: Double?

    /// Whether any of these options was given (none applies to `push --to`).
    var isGiven: Bool {
        !metrics.isEmpty || step != nil || events != nil || maxToKeep != nil || keepEveryHours != nil || retentionSince != nil || savedAt != nil
    }

    func validate() throws {
        if let maxToKeep, maxToKeep < 0 { throw ValidationError("--max-to-keep is a count of checkpoints, 0 or more") }
        if let keepEveryHours, !(keepEveryHours > 0 && keepEveryHours.isFinite) { throw ValidationError("--keep-every-hours is a positive number of hours") }
        if retentionSince != nil && maxToKeep == nil && keepEveryHours == nil {
            throw ValidationError("--retention-since goes with --max-to-keep or --keep-every-hours")
        }
        _ = try parsedMetrics()
    }

    /// `--metric` as numbers; NaN and infinities are refused (JSON and the plot cannot hold them).
    func parsedMetrics() throws -> [String: Double]? {
        guard !metrics.isEmpty else { return nil }
        var parsed: [String: Double] = [:]
        for (key, text) in try LabelPairs.parse(metrics) {
            guard let value = Double(text), value.isFinite else { throw ValidationError("--metric \(key)=\(text): the value is not a finite number") }
            parsed[key] = value
        }
        return parsed
    }

    /// Sets these options on a push.
    func apply(to options: inout ModelRegistry.PushOptions) throws {
        options.metrics = try parsedMetrics()
        options.globalStep = step
        options.events = events
        if maxToKeep != nil || keepEveryHours != nil {
            options.retention = RetentionPolicy(maxToKeep: maxToKeep ?? 5, keepEveryHours: keepEveryHours ?? 10_000)
        }
        options.retentionSince = retentionSince.map(Date.init(timeIntervalSince1970:))
        options.savedAt = savedAt.map(Date.init(timeIntervalSince1970:))
    }
}
