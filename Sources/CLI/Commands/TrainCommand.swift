import ArgumentParser
import Foundation
import Registry
import Train

/// `registry train RUN`: the founding experiment in Swift, checkpointed into the registry.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the founding example's network (28 → 64 → 64 → 5, Adam 1e-4) on the notebook's random data, saving checkpoints as versions of RUN.")

    @OptionGroup var options: RegistryOptions
    @Argument(help: ArgumentHelp("The training run: a model whose versions are its checkpoints.", valueName: "run"),
              completion: Completions.modelNames)
    var runName: String
    // Numbers are parsed unconditionally, so that `--epochs -1` is refused for its value
    // (ArgumentParser took "-1" for an option and said "Missing value").
    @Option(parsing: .unconditional, help: "Epochs to train (at least 1; 50 steps each).") var epochs = 200
    @Option(parsing: .unconditional, help: "Seed of the initial weights.") var seed: UInt32 = 0
    @Option(parsing: .unconditional, help: "Seed of the data (np.random.RandomState; the notebook used 1234).") var dataSeed: UInt32 = 1234
    @Option(parsing: .unconditional,
            help: ArgumentHelp("Save a checkpoint every this many global steps, a multiple of the 50 steps of an epoch "
                               + "(checkpoints fall between epochs), and always at the end; 0 saves only at the end."))
    var saveEvery: Int64 = 1000
    @Option(parsing: .unconditional,
            help: "Checkpoints kept in the window (tf.train.Saver's max_to_keep; 0 keeps all). Default 5, or the run's own on --resume.")
    var maxToKeep: Int?
    @Option(parsing: .unconditional,
            help: "Keep one checkpoint for good every this many hours (keep_checkpoint_every_n_hours). Default 10000, or the run's own on --resume.")
    var keepEveryHours: Double?
    @Option(parsing: .unconditional, help: "Print the accuracy every this many epochs.") var printEvery = 100
    @Flag(help: "Continue the run from its latest checkpoint.") var resume = false
    @Option(help: "Start from another version's variables, e.g. a TensorFlow-trained SavedModel (NAME, NAME:N, NAME@ALIAS).",
            completion: Completions.references)
    var from: String?
    @OptionGroup var output: OutputOptions

    /// Steps per epoch: the notebook's 1,600 rows in batches of 32.
    static let stepsPerEpoch: Int64 = 50

    func validate() throws {
        if resume && from != nil { throw ValidationError("--resume and --from exclude each other") }
        if epochs < 1 { throw ValidationError("--epochs must be at least 1 (got \(epochs))") }
        if saveEvery < 0 || saveEvery % Self.stepsPerEpoch != 0 {
            throw ValidationError("--save-every must be 0 or a multiple of \(Self.stepsPerEpoch), the steps of an epoch "
                                  + "(checkpoints are taken between epochs); got \(saveEvery)")
        }
        if printEvery < 1 { throw ValidationError("--print-every must be at least 1 (got \(printEvery))") }
        if let maxToKeep, maxToKeep < 0 { throw ValidationError("--max-to-keep must not be negative (got \(maxToKeep))") }
        if let keepEveryHours, !(keepEveryHours > 0) { throw ValidationError("--keep-every-hours must be positive (got \(keepEveryHours))") }
    }

    func run() throws {
        try VersionReference.validate(modelName: runName)
        let registry = try options.openCreating(quiet: output.quiet)
        var configuration = TrainingSession.Configuration(run: runName)
        configuration.epochs = epochs
        configuration.dataSeed = dataSeed
        configuration.saveEverySteps = saveEvery == 0 ? nil : saveEvery
        let stored = resume ? try registry.retentionPolicy(run: runName) : nil
        let defaults = stored ?? RetentionPolicy()
        configuration.retention = RetentionPolicy(maxToKeep: maxToKeep ?? defaults.maxToKeep, keepEveryHours: keepEveryHours ?? defaults.keepEveryHours)
        let start: TrainingSession.Start = resume ? .resume : try from.map { .from(try VersionReference(parsing: $0)) } ?? .fresh(seed: seed)
        let session = try TrainingSession(registry: registry, configuration: configuration, start: start)
        let first = session.nextEpoch, lastEpoch = first + epochs - 1
        let bar = ProgressBar("train", counting: "epochs", show: output.progress)
        var reports: [[String: Double]] = []
        var saves: [CheckpointSaveResult] = []
        let fixed = try CreationTime.fromEnvironment()
        try session.run(now: { fixed ?? Date() }, onEpoch: { report in
            if !output.json && !output.quiet && ((report.epoch - first) % printEvery == 0 || report.epoch == lastEpoch) {
                bar.finish()
                print("Epoch \(report.epoch): accuracy=\(String(format: "%.3f", report.accuracy * 100))%")
            }
            reports.append(["epoch": Double(report.epoch), "step": Double(report.step), "loss": Double(report.loss), "accuracy": report.accuracy])
            bar.update(Int64(report.epoch - first + 1), Int64(epochs))
        }, onSave: { saved in
            saves.append(saved)
        })
        bar.finish()
        if output.json {
            print(Output.json(TrainSummary(run: runName, epochs: reports, checkpoints: saves.map(\.version), deleted: saves.flatMap(\.deleted),
                                           preserved: saves.flatMap(\.preserved))))
            return
        }
        if output.quiet { return }
        let kept = try registry.history(model: runName)
        print("saved \(saves.count) checkpoints of \(runName) (steps \(saves.map { String($0.step) }.joined(separator: ", "))); "
              + "\(kept.count) kept: versions \(kept.map { String($0.version) }.joined(separator: ", "))")
    }
}

struct TrainSummary: Encodable {
    var run: String
    var epochs: [[String: Double]]
    var checkpoints: [Int64]
    var deleted: [Int64]
    var preserved: [Int64]
}
