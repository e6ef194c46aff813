import ArgumentParser
import Foundation
import Registry

/// `registry pull REF -o DIR`: writes a version out as a SavedModel folder;
/// `registry pull oci://HOST/REPO:TAG [NAME]` brings a version in from an OCI registry.
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Export a version as a SavedModel folder (written aside, then renamed into place); "
            + "or bring a version in from an OCI registry (oci://…).",
        discussion: """
            registry pull oci://HOST[:PORT]/REPO:TAG [NAME] (or …/REPO@sha256:DIGEST) checks the manifest, the config and \
            every chunk against their digests, fetches only the chunks this registry lacks (kept as they arrive, so a \
            re-run after an interruption fetches only the rest; `registry gc` drops them if the pull is abandoned) and \
            records the version as the next version of NAME (default: the model name it was pushed under). With -o it \
            is then exported too. oci:// is HTTPS, oci+http:// plain HTTP; credentials come from REGISTRY_OCI_USERNAME \
            and REGISTRY_OCI_PASSWORD, or REGISTRY_OCI_TOKEN.
            """)

    @OptionGroup var options: RegistryOptions
    @Argument(help: "NAME (latest), NAME:N or NAME@ALIAS; or a remote version oci://HOST[:PORT]/REPO:TAG (oci+http:// for plain HTTP).",
              completion: Completions.references)
    var reference: String
    @Argument(help: "With a remote version: the local model to add it to (default: the name it was pushed under).",
              completion: Completions.modelNames)
    var name: String?
    @Option(name: [.short, .customLong("output")], help: "The folder to create, and any missing folders above it (optional with a remote version).",
            completion: .directory)
    var output: String?
    @Option(name: .customLong("tags"), help: "Keep only the meta graph with this tag set, e.g. serve or serve,gpu (repeatable).")
    var tagSets: [String] = []
    @Flag(help: "Replace the folder if it exists.") var force = false
    @Flag(help: "Write the run's checkpoints as a tf.train.Saver folder (model.ckpt-STEP.*, checkpoint state file): all of them for NAME, those up to the version for NAME:N or NAME@ALIAS, the state file pointing at it.")
    var checkpoint = false
    @OptionGroup var format: OutputOptions

    func validate() throws {
        if OCIReference.isRemote(reference) {
            if checkpoint || !tagSets.isEmpty { throw ValidationError("--checkpoint and --tags apply when exporting a local version, not to oci://…") }
        } else {
            if name != nil { throw ValidationError("a second argument (NAME) goes with a remote version oci://…; export with -o DIR") }
            if output == nil { throw ValidationError("missing -o DIR: the folder to write the version to") }
        }
    }

    func run() throws {
        if OCIReference.isRemote(reference) { return try pullRemote() }
        let output = self.output!
        let ref = try VersionReference(parsing: reference)
        let registry = try options.open()
        if checkpoint {
            let result = try registry.pullCheckpoints(ref, to: output, force: force)
            if format.json { print(Output.json(result)); return }
            if format.quiet { return }
            print("pulled the checkpoints of \(result.model) up to version \(result.version) to \(result.path): \(Output.bytes(result.bytes)) in all")
            return
        }
        let bar = ProgressBar("pull", show: format.progress)
        let result = try registry.pull(ref, to: output, tagSets: tagSets.isEmpty ? nil : tagSets.map(TagSet.init(parsing:)),
                                       force: force, progress: bar.callback)
        bar.finish()
        if format.json { print(Output.json(result)); return }
        if format.quiet { return }
        print("pulled \(result.model):\(result.version) to \(result.path): \(Output.bytes(result.bytes)) in all, "
              + "tensors \(Output.bytes(result.tensorBytes)); "
              + (result.tagSets.isEmpty ? "no meta graphs" : "meta graphs " + result.tagSets.map { "{\($0)}" }.joined(separator: " ")))
    }
}

extension PullCommand {
    /// What `pull oci://… --json` prints: the remote pull, and the export when -o was given.
    struct RemoteOutput: Encodable {
        var pull: RemotePullResult
        var export: PullResult?
    }

    /// `pull oci://HOST/REPO:TAG [NAME] [-o DIR]`.
    func pullRemote() throws {
        let remote = try OCIReference(parsing: reference)
        if let output, !force, FileManager.default.fileExists(atPath: output) { throw InterchangeError.targetExists(path: output) }
        if let name { try VersionReference.validate(modelName: name) }
        let registry = try options.openCreating(quiet: format.quiet)
        let bar = ProgressBar("pull", show: format.progress)
        let result = try registry.pullRemote(remote, as: name, progress: bar.callback)
        bar.finish()
        var export: PullResult?
        if let output {
            export = try registry.pull(VersionReference(model: result.model, selector: .number(result.version)), to: output, force: force)
        }
        if format.json { print(Output.json(RemoteOutput(pull: result, export: export))); return }
        if format.quiet { return }
        print("pulled \(result.remote) (\(result.origin)) as \(result.model):\(result.version): \(result.tensors) tensors, \(result.files) other files")
        print("  digest \(result.digest)")
        print("  blobs: \(result.blobsFetched) of \(result.chunks) fetched (\(Output.bytes(result.bytesFetched))), "
              + "\(result.blobsPresent) already here (\(Output.bytes(result.bytesPresent))); " + String(format: "%.2f s", result.seconds))
        if let export { print("  exported to \(export.path): \(Output.bytes(export.bytes))") }
    }
}
