import ArgumentParser
import Registry

/// `registry pull REF -o DIR`: writes a version out as a SavedModel folder.
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Export a version as a SavedModel folder (written aside, then renamed into place).")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "NAME (latest), NAME:N or NAME@ALIAS.") var reference: String
    @Option(name: [.short, .customLong("output")], help: "The folder to create.") var output: String
    @Option(name: .customLong("tags"), help: "Keep only the meta graph with this tag set, e.g. serve or serve,gpu (repeatable).")
    var tagSets: [String] = []
    @Flag(help: "Replace the folder if it exists.") var force = false
    @Flag(help: "Write every checkpoint of the run as a tf.train.Saver folder (model.ckpt-STEP.*, checkpoint state file).")
    var checkpoint = false
    @OptionGroup var format: JSONOption

    func run() throws {
        let ref = try VersionReference(parsing: reference)
        let registry = try options.open()
        if checkpoint {
            let result = try registry.pullCheckpoints(run: ref.model, to: output, force: force)
            if format.json { print(Output.json(result)); return }
            print("pulled the checkpoints of \(result.model) (latest version \(result.version)) to \(result.path): \(Output.bytes(result.bytes))")
            return
        }
        let bar = ProgressBar("pull")
        let result = try registry.pull(ref, to: output, tagSets: tagSets.isEmpty ? nil : tagSets.map(TagSet.init(parsing:)),
                                       force: force, progress: bar.callback)
        bar.finish()
        if format.json { print(Output.json(result)); return }
        print("pulled \(result.model):\(result.version) to \(result.path): \(Output.bytes(result.bytes)), meta graphs "
              + result.tagSets.map { "{\($0)}" }.joined(separator: " "))
    }
}
