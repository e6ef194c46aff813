import ArgumentParser
import Foundation
import Registry

/// `registry remote …`: looks at OCI registries that versions are pushed to and pulled from,
/// moves their tags, and logs in to them.
struct RemoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote",
        abstract: "Look at a remote OCI registry, move its tags, log in (push --to and pull oci://… move versions).",
        discussion: """
            Remotes are written oci://HOST[:PORT]/REPO (HTTPS, the system's CA store) or oci+http://HOST[:PORT]/REPO \
            (plain HTTP). Credentials are found as docker, podman and skopeo find them: ~/.docker/config.json \
            ($DOCKER_CONFIG) auths, credsStore and credHelpers (docker-credential-NAME); REGISTRY_OCI_USERNAME and \
            REGISTRY_OCI_PASSWORD, or REGISTRY_OCI_TOKEN, override them. Timeouts: REGISTRY_OCI_CONNECT_TIMEOUT and \
            REGISTRY_OCI_IDLE_TIMEOUT (seconds), REGISTRY_OCI_DEADLINE (seconds every exchange may take besides its \
            size at REGISTRY_OCI_MIN_RATE, KiB/s).
            """,
        subcommands: [RemoteListCommand.self, RemoteAliasCommand.self, RemoteLoginCommand.self])
}

/// `registry remote ls oci://HOST[/REPO]`: a registry's repositories, or a repository's tags
/// and the versions behind them.
struct RemoteListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List the repositories of a registry, or the tags of a repository with the version each one holds.")

    @Argument(help: ArgumentHelp("A registry, oci://HOST[:PORT], or a repository, oci://HOST[:PORT]/REPO (oci+http:// for plain HTTP).",
                                 valueName: "remote"))
    var remote: String
    @Option(help: "Repositories asked for per catalog page (the registry may send fewer).") var pageSize = 100
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (1...10_000).contains(pageSize) else { throw ValidationError("--page-size must be 1 to 10000") }
    }

    /// What `--json` prints for a repository.
    struct Listing: Encodable {
        var repository: String
        var tags: [RemoteTag]
    }

    /// What `--json` prints for a registry.
    struct Catalog: Encodable {
        var registry: String
        var repositories: [String]
    }

    func run() throws {
        let reference = try OCIReference(parsingRegistryOrRepository: remote)
        if reference.isRegistryOnly {
            let repositories = try Remotes.repositories(of: reference, pageSize: pageSize)
            if output.json { print(Output.json(Catalog(registry: reference.repositoryReference, repositories: repositories))); return }
            if repositories.isEmpty {
                if !output.quiet { print("no repositories in \(reference.repositoryReference)") }
            } else {
                print(repositories.map(RemoteText.printable).joined(separator: "\n"))
            }
            return
        }
        let tags = try Remotes.tags(of: reference)
        if output.json {
            print(Output.json(Listing(repository: reference.repositoryReference, tags: tags)))
            return
        }
        if output.quiet {
            if !tags.isEmpty { print(tags.map { RemoteText.printable($0.tag) }.joined(separator: "\n")) }
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
            let version: String = tag.model.map { model in "\(model):\(tag.version.map(String.init) ?? "?")" } ?? "-"
            let tagSets: String = tag.tagSets.map { sets in sets.map { "{\($0)}" }.joined(separator: " ") } ?? "-"
            let size: String = tag.bytes.map(Output.bytes) ?? "-"
            let created: String = tag.created.map { text in iso.date(from: text).map { local.text($0) } ?? text } ?? ""
            let cells: [String] = [tag.tag, String(tag.digest.prefix(19)), version, tag.kind ?? "-", tagSets, size,
                                   tag.globalStep.map(String.init) ?? "", created]
            return cells.map(RemoteText.printable)
        }
        print(Output.table(["TAG", "DIGEST", "VERSION", "KIND", "TAG SETS", "TOTAL SIZE", "STEP", "CREATED"], rows))
    }
}

/// `registry remote alias oci://HOST/REPO:TAG REF-or-DIGEST`: moves a remote tag.
struct RemoteAliasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias",
        abstract: "Point a remote tag at a version already pushed there, sending nothing but the tag.",
        discussion: "registry remote alias oci://HOST/REPO:prod seed:3 (or sha256:DIGEST) stores the manifest of that version "
            + "under the tag prod; the version must have been pushed to the repository before.")

    @OptionGroup var options: RegistryOptions
    @Argument(help: ArgumentHelp("The tag to move: oci://HOST[:PORT]/REPO:TAG.", valueName: "remote")) var remote: String
    @Argument(help: ArgumentHelp("A local version (NAME, NAME:N, NAME@ALIAS) or a manifest digest sha256:….", valueName: "target"))
    var target: String
    @OptionGroup var output: OutputOptions

    struct Moved: Encodable {
        var remote: String
        var tag: String
        var digest: String
    }

    func run() throws {
        let reference = try OCIReference(parsing: remote)
        let registry = try options.open()
        let digest = try registry.moveRemoteTag(reference, to: target)
        if output.json { print(Output.json(Moved(remote: reference.description, tag: reference.tag ?? "", digest: digest))); return }
        if output.quiet { return }
        print("\(reference.description) -> \(digest)")
    }
}

/// `registry remote login HOST`: stores credentials as `docker login` does.
struct RemoteLoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Check credentials against a registry and store them where docker, podman and skopeo look (password on standard input).",
        discussion: """
            echo "$TOKEN" | registry remote login registry.example.com --username me
            The password is read from standard input, never from the command line, and is never printed. It goes to the \
            credential helper Docker's config names for the host (credHelpers, credsStore), else into \
            ~/.docker/config.json ($DOCKER_CONFIG) as base64, the file written with mode 0600.
            """)

    @Argument(help: ArgumentHelp("The registry: HOST[:PORT], oci://HOST[:PORT] or oci+http://HOST[:PORT].", valueName: "host"))
    var host: String
    @Option(name: [.short, .customLong("username")], help: "The user name.") var username: String
    @OptionGroup var output: OutputOptions

    struct LoggedIn: Encodable {
        var host: String
        var storedIn: String
    }

    func run() throws {
        let text = OCIReference.isRemote(host) ? host : "oci://" + host
        let reference = try OCIReference(parsingRegistryOrRepository: text)
        var input = Data()
        while input.count <= 1 << 16, let piece = try FileHandle.standardInput.read(upToCount: 4096), !piece.isEmpty { input.append(piece) }
        let password = String(decoding: input, as: UTF8.self).trimmingCharacters(in: .newlines)
        let place = try Remotes.login(reference, username: username, password: password)
        if output.json { print(Output.json(LoggedIn(host: reference.host, storedIn: place))); return }
        if output.quiet { return }
        print("logged in to \(reference.host); credentials stored in \(place)")
    }
}

/// Text a remote sent, made safe to print: control characters (escape sequences that could
/// clear the screen or fake output) shown as `?`.
enum RemoteText {
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
    }
}
