import ArgumentParser
import Foundation
import Registry

/// `registry remote …`: looks at OCI registries that versions are pushed to and pulled from.
struct RemoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote",
        abstract: "Look at a remote OCI registry (push --to and pull oci://… move versions).",
        discussion: """
            Remotes are written oci://HOST[:PORT]/REPO (HTTPS, the system's CA store) or oci+http://HOST[:PORT]/REPO \
            (plain HTTP). Credentials come from the environment only: REGISTRY_OCI_USERNAME and REGISTRY_OCI_PASSWORD \
            (basic, also used for Bearer token services), or REGISTRY_OCI_TOKEN (a bearer token).
            """,
        subcommands: [RemoteListCommand.self])
}

/// `registry remote ls oci://HOST/REPO`: the repository's tags and the versions behind them.
struct RemoteListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List the tags of a remote repository, with the model version each one holds.")

    @Argument(help: ArgumentHelp("The repository: oci://HOST[:PORT]/REPO or oci+http://HOST[:PORT]/REPO.", valueName: "remote"))
    var remote: String
    @OptionGroup var output: OutputOptions

    /// What `--json` prints.
    struct Listing: Encodable {
        var repository: String
        var tags: [RemoteTag]
    }

    func run() throws {
        let reference = try OCIReference(parsing: remote)
        let tags = try RemoteListing.tags(of: reference)
        if output.json {
            print(Output.json(Listing(repository: reference.repositoryReference, tags: tags)))
            return
        }
        if output.quiet {
            if !tags.isEmpty { print(tags.map(\.tag).joined(separator: "\n")) }
            return
        }
        if tags.isEmpty {
            print("no tags in \(reference.repositoryReference)")
            return
        }
        // Times as `ls` prints them (local, no zone); `--json` keeps the manifest's UTC text.
        var local = LocalTimestamps()
        let iso = ISO8601DateFormatter()
        let rows = tags.map { tag -> [String] in
            [tag.tag, String(tag.digest.prefix(19)), tag.model.map { "\($0):\(tag.version.map(String.init) ?? "?")" } ?? "-",
             tag.kind ?? "-", tag.tagSets.map { $0.map { "{\($0)}" }.joined(separator: " ") } ?? "-",
             tag.bytes.map(Output.bytes) ?? "-", tag.globalStep.map(String.init) ?? "",
             tag.created.map { text in iso.date(from: text).map { local.text($0) } ?? text } ?? ""]
        }
        print(Output.table(["TAG", "DIGEST", "VERSION", "KIND", "TAG SETS", "TOTAL SIZE", "STEP", "CREATED"], rows))
    }
}
