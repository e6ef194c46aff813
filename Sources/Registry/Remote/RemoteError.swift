import RegistryFormat

/// Why talking to a remote OCI registry failed, in one line that says what to do next.
/// Credentials never appear in these messages.
public enum RemoteError: CodedError, Equatable {
    /// The `oci://…` text does not name a repository.
    case invalidReference(String, reason: String)
    /// No connection: refused, unknown host, TLS failure, timeout.
    case unreachable(host: String, detail: String)
    /// The server (or its token service) wants credentials it did not get or refused them;
    /// `source` says where the credentials sent came from.
    case unauthorized(host: String, detail: String, source: String?)
    /// Credentials would travel in clear text to another machine.
    case insecureCredentials(host: String, source: String?)
    /// An answer larger than what was asked for (a manifest, a config, a blob), refused before
    /// or as it arrived.
    case tooLarge(what: String, detail: String)
    /// A connection, an idle transfer or a whole transfer took longer than allowed.
    case timedOut(host: String, detail: String)
    /// An environment setting that is not usable.
    case invalidSetting(name: String, value: String, expected: String)
    /// Docker's credential configuration or a credential helper failed.
    case credentialStore(detail: String)
    /// The server answered an operation with an error status (and its OCI error code, if any).
    case refused(what: String, status: Int, code: String?, message: String?)
    /// A tag, manifest or blob the operation needs is not on the server.
    case notFound(what: String, repository: String)
    /// Bytes that arrived do not match their digest or size.
    case damaged(what: String, detail: String)
    /// The manifest or its config is not a version pushed by `registry push --to`.
    case notAVersion(what: String, detail: String)
    /// The server's answer does not follow the distribution protocol.
    case protocolViolation(what: String, detail: String)
    /// Pulled chunks vanished from the local registry before the version was recorded.
    case chunksVanished(count: Int)

    public var description: String {
        switch self {
        case let .invalidReference(text, reason):
            return "'\(text)' is not a remote repository (\(reason)); write oci://HOST[:PORT]/REPO[:TAG] (HTTPS) "
                + "or oci+http://HOST[:PORT]/REPO[:TAG] (plain HTTP)"
        case let .unreachable(host, detail):
            return "cannot reach \(host): \(detail); check that the registry server is running and the address is right "
                + "(oci:// speaks HTTPS, oci+http:// plain HTTP). No version was recorded or tagged; run the command again to resume "
                + "(blobs already transferred are kept)"
        case let .unauthorized(host, detail, source):
            let sent = source.map { " (credentials from \($0))" } ?? ""
            return "\(host) refused access: \(detail)\(sent); run `registry remote login \(host)` (or set REGISTRY_OCI_USERNAME and "
                + "REGISTRY_OCI_PASSWORD, or REGISTRY_OCI_TOKEN) with credentials allowed on this repository"
        case let .insecureCredentials(host, source):
            return "refusing to send credentials\(source.map { " from \($0)" } ?? "") to \(host) over plain HTTP (only a literal "
                + "loopback address such as 127.0.0.1 is exempt); use oci:// (HTTPS), or remove the credentials for an open registry"
        case let .tooLarge(what, detail):
            return "\(what) is larger than allowed: \(detail); nothing was recorded. The remote is not serving a model version "
                + "as registry pushes it, or is misbehaving"
        case let .timedOut(host, detail):
            return "\(host) timed out: \(detail); nothing was recorded. Run the command again to resume, or raise the limit"
        case let .invalidSetting(name, value, expected):
            return "\(name)=\(value) is not usable: expected \(expected); fix or unset it"
        case let .credentialStore(detail):
            return "cannot read or store registry credentials: \(detail)"
        case let .refused(what, status, code, message):
            let reason = [code, message].compactMap { $0 }.joined(separator: ": ")
            return "the remote refused to \(what): \(reason.isEmpty ? "HTTP \(status)" : "\(reason) (HTTP \(status))"); "
                + Self.hint(code: code, status: status)
        case let .notFound(what, repository):
            return "\(what) is not on the remote; `registry remote ls \(repository)` lists its tags"
        case let .damaged(what, detail):
            return "\(what) arrived damaged: \(detail); no version was imported (chunks already checked are kept for a re-run). "
                + "Run the pull again, or ask whoever pushed it to push it again"
        case let .notAVersion(what, detail):
            return "\(what) is not a model version pushed by `registry push --to` (\(detail)); pull it with the tool that made it"
        case let .protocolViolation(what, detail):
            return "the remote answered \(what) in a way the OCI distribution protocol does not allow: \(detail); "
                + "check that the address points at an OCI registry"
        case let .chunksVanished(count):
            return "\(count) pulled chunks were removed (by `registry gc`?) before the version was recorded; run the pull again"
        }
    }

    public var code: String {
        switch self {
        case .invalidReference: "invalid_remote_reference"
        case .unreachable: "remote_unreachable"
        case .unauthorized: "remote_unauthorized"
        case .insecureCredentials: "insecure_credentials"
        case .tooLarge: "remote_too_large"
        case .timedOut: "remote_timeout"
        case .invalidSetting: "invalid_setting"
        case .credentialStore: "credential_store"
        case .refused: "remote_refused"
        case .notFound: "remote_not_found"
        case .damaged: "remote_damaged"
        case .notAVersion: "not_a_version"
        case .protocolViolation: "remote_protocol_violation"
        case .chunksVanished: "chunks_vanished"
        }
    }

    public var category: ErrorCategory {
        switch self {
        case .invalidReference, .insecureCredentials, .invalidSetting: .usage
        case .unreachable, .unauthorized, .refused, .chunksVanished, .timedOut: .unavailable
        case .tooLarge: .invalidInput
        case .credentialStore: .environment
        case .notFound: .notFound
        case .damaged: .damaged
        case .notAVersion, .protocolViolation: .invalidInput
        }
    }

    private static func hint(code: String?, status: Int) -> String {
        switch code {
        case "DENIED", "UNAUTHORIZED": return "the credentials lack permission on this repository"
        case "DIGEST_INVALID", "SIZE_INVALID": return "the bytes sent did not match their digest; run the push again"
        case "BLOB_UNKNOWN", "MANIFEST_BLOB_UNKNOWN": return "a blob the manifest names is missing on the remote; run the push again"
        case "NAME_INVALID": return "choose a repository name of lowercase letters, digits, '.', '_', '-' and '/'"
        case "TAG_INVALID": return "choose a tag of letters, digits, '.', '_' and '-' (at most 128)"
        case "TOOMANYREQUESTS": return "the remote limits request rates; wait and run the command again"
        case "UNSUPPORTED": return "this registry does not support the operation (it may not accept OCI artifacts)"
        default: return status >= 500 ? "the server failed; try again later (a re-run resumes)" : "nothing was changed locally"
        }
    }
}
