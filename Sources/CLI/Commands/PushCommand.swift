import ArgumentParser
import Foundation
import Registry

/// `registry push DIR NAME`: imports a SavedModel folder as the next version of NAME;
/// `registry push REF --to oci://HOST/REPO[:TAG]` uploads a stored version to an OCI registry.
struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Import a SavedModel folder, or a folder of tf.train.Saver checkpoints, as new versions (one transaction); "
            + "with --to, upload a stored version to an OCI registry.",
        discussion: """
            registry push REF --to oci://HOST[:PORT]/REPO[:TAG] sends the packs of chunks the remote lacks (a HEAD \
            first, so a re-run after an interruption sends only the rest), then the config and the manifest under TAG \
            (default MODEL-N), under each alias of the version, under `latest` when it is its model's latest, and under \
            every --tag. oci:// is HTTPS, oci+http:// plain HTTP; credentials are those of `registry remote login` \
            (Docker's config.json, credential helpers), or REGISTRY_OCI_USERNAME and REGISTRY_OCI_PASSWORD, or \
            REGISTRY_OCI_TOKEN.
            """)

    @OptionGroup var options: RegistryOptions
    @Argument(help: ArgumentHelp("A SavedModel folder (saved_model.pb, variables/, assets/…), a folder of Saver checkpoints or one checkpoint's prefix (DIR/model.ckpt-N); "
                                 + "with --to, the stored version to upload (NAME, NAME:N or NAME@ALIAS)."),
              completion: .directory)
    var directory: String
    @Argument(help: ArgumentHelp("The model's name: lowercase letters and digits with '.', '_', '__' or '-' between them, "
                                 + "in parts joined by '/' (OCI's repository names; not with --to)."),
              completion: Completions.modelNames)
    var name: String?
    @Option(name: .customLong("to"), help: ArgumentHelp("Upload the version to this OCI repository instead: oci://HOST[:PORT]/REPO[:TAG] "
            + "(HTTPS) or oci+http://… (plain HTTP).", valueName: "remote")) var remote: String?
    @Option(name: .customLong("tag"), help: "With --to: also store the manifest under this tag (repeatable).") var tags: [String] = []
    @Option(name: .customLong("alias"), help: "Point this alias at the new version (repeatable).") var aliases: [String] = []
    @Option(name: .customLong("label"), help: "Attach a key=value label (repeatable).") var labels: [String] = []
    @Option(help: "The version this one derives from (NAME, NAME:N or NAME@ALIAS).", completion: Completions.references)
    var parent: String?
    @OptionGroup(title: "Training runs") var training: PushRunOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if remote != nil {
            if name != nil {
                throw ValidationError("with --to, give only the version to upload: registry push NAME[:N|@ALIAS] --to oci://HOST/REPO[:TAG]")
            }
            if !aliases.isEmpty || !labels.isEmpty || parent != nil || training.isGiven {
                throw ValidationError("--alias, --label, --parent and the training options apply when importing a folder, not with --to")
            }
        } else if !tags.isEmpty {
            throw ValidationError("--tag names a remote tag: use it with --to oci://HOST/REPO")
        } else if name == nil {
            throw ValidationError("missing the model's name: registry push DIR NAME (or registry push REF --to oci://HOST/REPO)")
        }
    }

    func run() throws {
        if let remote { return try pushRemote(remote) }
        let name = self.name!
        var pushOptions = ModelRegistry.PushOptions()
        pushOptions.aliases = aliases
        pushOptions.labels = try LabelPairs.parse(labels)
        pushOptions.parent = try parent.map(VersionReference.init(parsing:))
        try training.apply(to: &pushOptions)
        pushOptions.createdAt = try CreationTime.fromEnvironment()
        try pushOptions.validate(model: name)
        try ModelRegistry.checkFolder(directory)
        let registry = try options.openCreating(quiet: output.quiet)
        let bar = ProgressBar("push", show: output.progress)
        if FolderKind(folder: directory) ?? .savedModel == .checkpoints {
            let results = try registry.push(checkpointFolder: directory, run: name, options: pushOptions, progress: bar.callback)
            bar.finish()
            if output.json { print(Output.json(results)); return }
            if output.quiet { return }
            for result in results {
                print("pushed \(result.model):\(result.version): checkpoint, \(result.tensors) tensors (\(Output.bytes(result.tensorBytes))); "
                      + "stored \(Output.bytes(result.statistics.storedBytes)) new, dedup saved \(Output.bytes(result.statistics.dedupBytes))")
                print("  digest \(result.digest)")
                if let deleted = result.deleted { print("  retention deleted " + deleted.map { "\(name):\($0)" }.joined(separator: ", ")) }
                if let kept = result.preserved { print("  retention kept for good " + kept.map { "\(name):\($0)" }.joined(separator: ", ")) }
            }
            return
        }
        let result = try registry.push(savedModel: directory, model: name, options: pushOptions, progress: bar.callback)
        bar.finish()
        if output.json { print(Output.json(result)); return }
        if output.quiet { return }
        let s = result.statistics
        print("pushed \(result.model):\(result.version): \(result.tensors) tensors (\(Output.bytes(result.tensorBytes))), "
              + "\(result.files) other files; \(Output.bytes(s.rawBytes)) in all")
        print("  stored \(Output.bytes(s.storedBytes)) new, dedup saved \(Output.bytes(s.dedupBytes)) "
              + "(\(s.reusedChunks) of \(s.newChunks + s.reusedChunks) chunks already stored)")
        print("  digest \(result.digest)")
    }
}

extension PushCommand {
    /// `push REF --to REMOTE`.
    func pushRemote(_ text: String) throws {
        let target = try OCIReference(parsing: text)
        let reference = try VersionReference(parsing: directory)
        let registry = try options.open()
        let bar = ProgressBar("push", show: output.progress)
        let result = try registry.pushRemote(reference, to: target, tags: tags, progress: bar.callback)
        bar.finish()
        if output.json { print(Output.json(result)); return }
        if output.quiet { return }
        print("pushed \(result.model):\(result.version) to \(result.remote)")
        print("  digest \(result.digest)")
        print("  tags: \(result.tags.joined(separator: ", "))")
        print("  packs: \(result.blobsSent) of \(result.packs) sent (\(Output.bytes(result.bytesSent))), "
              + "\(result.blobsSkipped) already there (\(Output.bytes(result.bytesSkipped))); config "
              + (result.configSent ? "sent" : "already there") + " (\(Output.bytes(Int64(result.configBytes)))); "
              + "manifest \(Output.bytes(Int64(result.manifestBytes))); " + String(format: "%.2f s", result.seconds))
    }
}

/// `REGISTRY_CREATED_AT`: the time new versions are recorded as created, instead of now, as
/// Unix seconds or ISO 8601 (`2026-01-01T00:00:00Z`): for reproducible registries, and for
/// tests that pin the whole text of `ls` and `show`.
enum CreationTime {
    static func fromEnvironment() throws -> Date? {
        guard let text = ProcessInfo.processInfo.environment["REGISTRY_CREATED_AT"], !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite { return Date(timeIntervalSince1970: seconds) }
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        throw ValidationError("REGISTRY_CREATED_AT='\(text)' is neither Unix seconds nor an ISO 8601 time such as 2026-01-01T00:00:00Z")
    }
}
