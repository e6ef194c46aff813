import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Scheme, host and port of a URL: where credentials may go. They go to the origin that asked
/// for them and nowhere else (`OCIClient` attaches them only when a request's origin equals
/// the registry's, or the token realm's for the token request), and never in clear text except
/// to a literal loopback address.
struct Origin: Hashable, Sendable, CustomStringConvertible {
    var scheme: String
    /// Lowercased; an IPv6 literal without its brackets.
    var host: String
    var port: Int

    init?(_ url: URL) {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty else {
            return nil
        }
        self.scheme = scheme
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        self.host = name
        port = url.port ?? (scheme == "https" ? 443 : 80)
    }

    var description: String {
        (host.contains(":") ? "[\(host)]" : host) + ((scheme == "https" && port == 443) || (scheme == "http" && port == 80) ? "" : ":\(port)")
    }

    /// Whether credentials may travel to this origin at all: over HTTPS, or over plain HTTP to
    /// a literal loopback address (127.0.0.0/8, ::1) — parsed as an IP literal, so that
    /// `127.evil.example.com` or `localhost` (names, resolved by whoever controls DNS or
    /// /etc/hosts) do not count.
    var carriesCredentialsSafely: Bool { scheme == "https" || Self.isLoopbackLiteral(host) }

    /// Whether `host` (no brackets) is an IPv4 or IPv6 literal for this machine.
    static func isLoopbackLiteral(_ host: String) -> Bool {
        var name = host
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, name, &v6) == 1 {
            let bytes = withUnsafeBytes(of: v6) { Array($0) }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // ::1
            // ::ffff:127.x.y.z
            return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127
        }
        return false
    }
}
