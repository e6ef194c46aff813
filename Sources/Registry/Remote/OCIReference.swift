import RegistryFormat
import RegistryStore
import Foundation

/// A repository on an OCI distribution registry, optionally with a tag or a digest, as users
/// write it: `oci://HOST[:PORT]/REPO[:TAG][@sha256:HEX]` over HTTPS (the system's CA store),
/// `oci+http://…` over plain HTTP (meant for registries on this machine).
public struct OCIReference: Hashable, Sendable, CustomStringConvertible {
    /// Plain HTTP instead of HTTPS.
    public var plainHTTP: Bool
    /// The host as written, with its port: `registry.example.com`, `127.0.0.1:5000`, `[::1]:5000`.
    public var host: String
    /// The repository path: lowercase components separated by '/'.
    public var repository: String
    public var tag: String?
    /// `sha256:<64 lowercase hex>`.
    public var digest: String?

    /// Whether `text` is meant as a remote reference rather than a local NAME / folder.
    public static func isRemote(_ text: String) -> Bool {
        ["oci://", "oci+http://", "oci+https://"].contains { text.hasPrefix($0) }
    }

    /// Parses `oci://HOST[:PORT]` (a whole registry: its catalog, a login) as well as a
    /// repository; a registry alone has an empty `repository`.
    public init(parsingRegistryOrRepository text: String) throws(RemoteError) {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        let afterScheme = trimmed.range(of: "://").map { trimmed[$0.upperBound...] } ?? Substring(trimmed)
        if !afterScheme.contains("/") {
            try self.init(parsing: trimmed + "/registry-only")
            repository = ""
            guard tag == nil else { throw .invalidReference(Self.redacted(text), reason: "a registry has no tag") }
        } else {
            try self.init(parsing: text)
        }
    }

    /// Whether this names a registry (its catalog) rather than a repository.
    public var isRegistryOnly: Bool { repository.isEmpty }

    public init(parsing text: String) throws(RemoteError) {
        func fail(_ reason: String) -> RemoteError { .invalidReference(Self.redacted(text), reason: reason) }
        var rest: Substring
        if text.hasPrefix("oci+http://") {
            plainHTTP = true
            rest = text.dropFirst("oci+http://".count)
        } else if text.hasPrefix("oci+https://") {
            plainHTTP = false
            rest = text.dropFirst("oci+https://".count)
        } else if text.hasPrefix("oci://") {
            plainHTTP = false
            rest = text.dropFirst("oci://".count)
        } else {
            throw fail("it does not start with oci:// or oci+http://")
        }
        guard let slash = rest.firstIndex(of: "/") else { throw fail("it names no repository after the host") }
        host = String(rest[..<slash])
        rest = rest[rest.index(after: slash)...]
        if host.contains("@") {
            throw fail("credentials do not belong in the address; use `registry remote login HOST` or REGISTRY_OCI_USERNAME and REGISTRY_OCI_PASSWORD")
        }
        guard Self.isValidHost(host) else { throw fail("'\(host)' is not a host name or address with an optional :PORT") }
        if let at = rest.firstIndex(of: "@") {
            let value = String(rest[rest.index(after: at)...])
            guard Self.isValidDigest(value) else { throw fail("a digest is sha256: followed by 64 lowercase hex digits") }
            digest = value
            rest = rest[..<at]
        }
        let lastSlash = rest.lastIndex(of: "/") ?? rest.startIndex
        if let colon = rest[lastSlash...].lastIndex(of: ":") {
            let value = String(rest[rest.index(after: colon)...])
            guard Self.isValidTag(value) else {
                throw fail("a tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
            }
            tag = value
            rest = rest[..<colon]
        }
        repository = String(rest)
        guard Self.isValidRepository(repository) else {
            throw fail("a repository is lowercase letters and digits separated by '.', '_', '-' or '/' (at most 255)")
        }
    }

    /// `text` with anything before an '@' in the host part (user name, password) replaced by
    /// `***`, so that an error message never repeats credentials typed into an address.
    static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@") else { return text }
        return String(text[..<scheme.upperBound]) + "***" + String(rest[at...])
    }

    public init(plainHTTP: Bool, host: String, repository: String, tag: String? = nil, digest: String? = nil) {
        self.plainHTTP = plainHTTP
        self.host = host
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// The repository alone, as the user would type it for `registry remote ls`.
    public var repositoryReference: String { (plainHTTP ? "oci+http://" : "oci://") + host + (repository.isEmpty ? "" : "/" + repository) }

    public var description: String {
        repositoryReference + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0 } ?? "")
    }

    /// The same repository with another tag (and no digest).
    public func with(tag: String) -> OCIReference {
        OCIReference(plainHTTP: plainHTTP, host: host, repository: repository, tag: tag, digest: nil)
    }

    /// `http(s)://HOST[:PORT]`.
    var baseURL: URL { URL(string: (plainHTTP ? "http://" : "https://") + host)! }

    /// The host without its port.
    var hostName: String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { return String(host[...close]) }
        return host.split(separator: ":", maxSplits: 1).first.map(String.init) ?? host
    }

    /// The tag a version gets when none is given: `MODEL-N`, with every character the tag
    /// grammar `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}` refuses replaced by '_'.
    public static func defaultTag(model: String, version: Int64) -> String {
        let suffix = "-\(version)"
        let cleaned = String(model.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        var tag = String(cleaned.prefix(128 - suffix.count)) + suffix
        if let first = tag.first, first == "." || first == "-" { tag = "_" + tag.dropFirst() }
        return tag
    }

    package static func isValidTag(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard (1...128).contains(bytes.count) else { return false }
        func word(_ byte: UInt8) -> Bool { (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 95 }
        return word(bytes[0]) && bytes.allSatisfy { word($0) || $0 == 46 || $0 == 45 }
    }

    package static func isValidDigest(_ digest: String) -> Bool {
        guard digest.hasPrefix("sha256:") else { return false }
        let hex = digest.dropFirst(7)
        return hex.utf8.count == 64 && hex.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// The distribution spec's name grammar: components of `[a-z0-9]+` joined by '.', '_',
    /// '__' or runs of '-', separated by '/'.
    static func isValidRepository(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255 else { return false }
        for component in name.split(separator: "/", omittingEmptySubsequences: false) {
            let bytes = Array(component.utf8)
            func alnum(_ byte: UInt8) -> Bool { (48...57).contains(byte) || (97...122).contains(byte) }
            guard let first = bytes.first, let last = bytes.last, alnum(first), alnum(last) else { return false }
            var separator: [UInt8] = []
            for byte in bytes {
                if alnum(byte) {
                    if !separator.isEmpty {
                        let ok = separator == [46] || separator == [95] || separator == [95, 95] || separator.allSatisfy { $0 == 45 }
                        guard ok else { return false }
                        separator.removeAll()
                    }
                } else if byte == 46 || byte == 95 || byte == 45 {
                    separator.append(byte)
                } else {
                    return false
                }
            }
        }
        return true
    }

    static func isValidHost(_ host: String) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 255 else { return false }
        var name = Substring(host)
        var port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let inside = host[host.index(after: host.startIndex)..<close]
            guard !inside.isEmpty, inside.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
            let after = host[host.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return false }
                port = after.dropFirst()
            }
            name = "x"
        } else if let colon = host.firstIndex(of: ":") {
            name = host[..<colon]
            port = host[host.index(after: colon)...]
        }
        if let port {
            guard let number = Int(port), (1...65535).contains(number), port.allSatisfy(\.isNumber) else { return false }
        }
        return !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
    }
}

extension ContentHash {
    /// Parses 64 lowercase or uppercase hex digits (a chunk address, or the hex of an OCI digest).
    init?(hex: some StringProtocol) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var i = 0
        while i < 64 {
            guard let high = value(utf8[i]), let low = value(utf8[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
            i += 2
        }
        self.init(bytes: bytes)
    }

    /// `sha256:<hex>`: the OCI digest of a chunk blob, which is its raw bytes.
    var ociDigest: String { "sha256:" + description }

    /// The hash named by an OCI digest, if it is a sha256 one.
    init?(ociDigest digest: String) {
        guard OCIReference.isValidDigest(digest) else { return nil }
        self.init(hex: digest.dropFirst(7))
    }
}
