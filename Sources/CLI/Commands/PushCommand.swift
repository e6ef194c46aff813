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
            registry push REF --to oci://HOST[:PORT]/REPO[:TAG] sends each chunk the remote lacks as a blob (a HEAD \
            first, so a re-run after an interruption sends only the rest), then the config and the manifest under TAG \
            (default MODEL-N). oci:// is HTTPS, oci+http:// plain HTTP; credentials come from REGISTRY_OCI_USERNAME and \
            REGISTRY_OCI_PASSWORD, or REGISTRY_OCI_TOKEN.
            """)

    @OptionGroup var options: RegistryOptions
    @Argument(help: ArgumentHelp("A SavedModel folder (saved_model.pb, variables/, assets/…), a folder of Saver checkpoints or one checkpoint's prefix (DIR/model.ckpt-N); "
                                 + "with --to, the stored version to upload (NAME, NAME:N or NAME@ALIAS)."))
    var directory: String
    @Argument(help: "The model's name: letters, digits, '.', '_', '-', '/' (not with --to).") var name: String?
    @Option(name: .customLong("to"), help: ArgumentHelp("Upload the version to this OCI repository instead: oci://HOST[:PORT]/REPO[:TAG] "
            + "(HTTPS) or oci+http://… (plain HTTP).", valueName: "remote")) var remote: String?
    @Option(name: .customLong("alias"), help: "Point this alias at the new version (repeatable).") var aliases: [String] = []
    @Option(name: .customLong("label"), help: "Attach a key=value label (repeatable).") var labels: [String] = []
    @Option(help: "The version this one derives from (NAME, NAME:N or NAME@ALIAS).") var parent: String?
    @OptionGroup(title: "Training runs") var training: PushRunOptions
    @OptionGroup var output: JSONOption

    func validate() throws {
        if remote != nil {
            if name != nil {
                throw ValidationError("with --to, give only the version to upload: registry push NAME[:N|@ALIAS] --to oci://HOST/REPO[:TAG]")
            }
            if !aliases.isEmpty || !labels.isEmpty || parent != nil || training.isGiven {
                throw ValidationError("--alias, --label, --parent and the training options apply when importing a folder, not with --to")
            }
        } else if name == nil {
            throw ValidationError("missing the model's name: registry push DIR NAME (or registry push REF --to oci://HOST/REPO)")
        }
    }

    func run() throws {
        if let remote { return try pushRemote(remote) }
        let name = self.name!
        var pushOptions = ModelRegistry.PushOptions()
        pushOptions.aliases = aliases
        pushOptions.labels = try Labels.parse(labels)
        pushOptions.parent = try parent.map(VersionReference.init(parsing:))
        try training.apply(to: &pushOptions)
        let registry = try options.open()
        let bar = ProgressBar("push")
        if FolderKind(folder: directory) ?? .savedModel == .checkpoints {
            let results = try registry.push(checkpointFolder: directory, run: name, options: pushOptions, progress: bar.callback)
            bar.finish()
            if output.json { print(Output.json(results)); return }
            for result in results {
                print("pushed \(result.model):\(result.version): checkpoint, \(result.tensors) tensors, "
                      + "stored \(Output.bytes(result.statistics.storedBytes)) new, dedup saved \(Output.bytes(result.statistics.dedupBytes))")
                if let deleted = result.deleted { print("  retention deleted " + deleted.map { "\(name):\($0)" }.joined(separator: ", ")) }
                if let kept = result.preserved { print("  retention kept for good " + kept.map { "\(name):\($0)" }.joined(separator: ", ")) }
            }
            return
        }
        let result = try registry.push(savedModel: directory, model: name, options: pushOptions, progress: bar.callback)
        bar.finish()
        if output.json { print(Output.json(result)); return }
        let s = result.statistics
        print("pushed \(result.model):\(result.version): \(result.tensors) tensors, \(result.files) other files")
        print("  raw \(Output.bytes(s.rawBytes)), stored \(Output.bytes(s.storedBytes)) new, "
              + "dedup saved \(Output.bytes(s.dedupBytes)) (\(s.reusedChunks) of \(s.newChunks + s.reusedChunks) chunks already stored)")
    }
}

extension PushCommand {
    /// `push REF --to REMOTE`.
    func pushRemote(_ text: String) throws {
        let target = try OCIReference(parsing: text)
        let reference = try VersionReference(parsing: directory)
        let registry = try options.open()
        let bar = ProgressBar("push")
        let result = try registry.pushRemote(reference, to: target, progress: bar.callback)
        bar.finish()
        if output.json { print(Output.json(result)); return }
        print("pushed \(result.model):\(result.version) to \(result.remote)")
        print("  digest \(result.digest)")
        print("  blobs: \(result.blobsSent) of \(result.chunks) sent (\(Output.bytes(result.bytesSent))), "
              + "\(result.blobsSkipped) already there (\(Output.bytes(result.bytesSkipped))); config "
              + (result.configSent ? "sent" : "already there") + " (\(Output.bytes(Int64(result.configBytes)))); "
              + String(format: "%.2f s", result.seconds))
    }
}

enum Labels {
    static func parse(_ pairs: [String]) throws -> [String: String] {
        var labels: [String: String] = [:]
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw ValidationError("'\(pair)' is not a label; write key=value")
            }
            labels[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        return labels
    }
}
