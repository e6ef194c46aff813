import RegistryFormat
import RegistryStore
import Foundation

/// Credentials for one registry host, found as every OCI tool finds them and never printed:
/// the environment first (`REGISTRY_OCI_USERNAME` + `REGISTRY_OCI_PASSWORD` for basic
/// authentication and token services, or `REGISTRY_OCI_TOKEN`, a bearer token), else Docker's
/// `config.json` (`DockerConfig`: `credHelpers`, `credsStore`, `auths`).
public struct OCICredentials: Sendable {
    var username: String?
    var password: String?
    var token: String?
    /// Where they came from, for error messages (never the values).
    var source: String?

    /// No credentials: anonymous access (and anonymous tokens where the server hands them out).
    public static let none = OCICredentials()

    public init() {}

    init(username: String, password: String, source: String) {
        self.username = username
        self.password = password
        self.source = source
    }

    /// The environment's credentials, if any are set.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> OCICredentials {
        var credentials = OCICredentials()
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        credentials.username = value("REGISTRY_OCI_USERNAME")
        credentials.password = value("REGISTRY_OCI_PASSWORD")
        credentials.token = value("REGISTRY_OCI_TOKEN")
        if !credentials.isEmpty { credentials.source = "REGISTRY_OCI_USERNAME/REGISTRY_OCI_PASSWORD/REGISTRY_OCI_TOKEN" }
        return credentials
    }

    /// The credentials for `host` (`registry.example.com`, `127.0.0.1:5000`): the
    /// environment's when set, else those Docker's configuration holds for the host.
    public static func lookup(host: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> OCICredentials {
        let fromEnvironment = fromEnvironment(environment)
        if !fromEnvironment.isEmpty { return fromEnvironment }
        return try DockerConfig(environment: environment).credentials(host: host) ?? .none
    }

    var isEmpty: Bool { basicHeader == nil && token == nil }

    /// `Basic base64(user:password)` when both are set.
    var basicHeader: String? {
        guard let username, let password else { return nil }
        return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}

/// A `WWW-Authenticate` challenge: its scheme (`Basic`, `Bearer`) and parameters (`realm`,
/// `service`, `scope`, …), values unquoted.
struct AuthChallenge: Equatable {
    var scheme: String
    var parameters: [String: String]

    /// Parses the first challenge of the header; quoted values may hold commas
    /// (`scope="repository:a/b:pull,push"`) and escaped quotes.
    init?(header: String) {
        let text = Array(header.unicodeScalars)
        var i = 0
        func skipSpaces() { while i < text.count, text[i] == " " || text[i] == "\t" { i += 1 } }
        skipSpaces()
        var scheme = ""
        while i < text.count, text[i] != " ", text[i] != "\t", text[i] != "," { scheme.unicodeScalars.append(text[i]); i += 1 }
        guard !scheme.isEmpty else { return nil }
        self.scheme = scheme.lowercased()
        parameters = [:]
        while i < text.count {
            skipSpaces()
            while i < text.count, text[i] == "," { i += 1; skipSpaces() }
            var key = ""
            while i < text.count, text[i] != "=", text[i] != ",", text[i] != " " { key.unicodeScalars.append(text[i]); i += 1 }
            skipSpaces()
            guard i < text.count, text[i] == "=" else {
                // A new scheme begins (several challenges in one header): keep the first.
                break
            }
            i += 1
            skipSpaces()
            var value = ""
            if i < text.count, text[i] == "\"" {
                i += 1
                while i < text.count, text[i] != "\"" {
                    if text[i] == "\\", i + 1 < text.count { i += 1 }
                    value.unicodeScalars.append(text[i])
                    i += 1
                }
                i += 1
            } else {
                while i < text.count, text[i] != "," { value.unicodeScalars.append(text[i]); i += 1 }
                value = value.trimmingCharacters(in: .whitespaces)
            }
            if !key.isEmpty { parameters[key.lowercased()] = value }
        }
    }

    /// The URL a bearer token is asked for: the realm with `service` and `scope` added.
    func tokenURL() -> URL? {
        guard scheme == "bearer", let realm = parameters["realm"], var components = URLComponents(string: realm),
              components.scheme == "https" || components.scheme == "http" else { return nil }
        var items = components.queryItems ?? []
        if let service = parameters["service"] { items.append(URLQueryItem(name: "service", value: service)) }
        if let scope = parameters["scope"] {
            for part in scope.split(separator: " ") { items.append(URLQueryItem(name: "scope", value: String(part))) }
        }
        components.queryItems = items.isEmpty ? nil : items
        return components.url
    }
}

/// What a token service returns (`token`, or OAuth2's `access_token`).
struct TokenResponse: Decodable {
    var token: String?
    var accessToken: String?

    enum CodingKeys: String, CodingKey { case token, accessToken = "access_token" }

    var value: String? { (token?.isEmpty == false ? token : nil) ?? accessToken }
}
