import Foundation

/// `registry remote login HOST`: credentials checked against the registry, then stored where
/// every OCI tool finds them (`DockerConfig.store`).
package enum RemoteLogin {
    package static func run(_ remote: OCIReference, username: String, password: String, limits: HTTPLimits) throws -> String {
        guard !username.isEmpty, !password.isEmpty else {
            throw RemoteError.credentialStore(detail: "a login needs a user name (--username) and a password on standard input")
        }
        let credentials = OCICredentials(username: username, password: password, source: "the login")
        let base = OCIReference(plainHTTP: remote.plainHTTP, host: remote.host, repository: "")
        let client = try OCIClient(remote: base, credentials: credentials, limits: limits)
        let response = try client.send("GET", client.rootURL(""), what: "check the credentials")
        guard response.status == 200 else {
            let error = response.ociError
            throw RemoteError.refused(what: "accept the credentials (GET /v2/)", status: response.status, code: error.code, message: error.message)
        }
        return try DockerConfig().store(host: remote.host, username: username, password: password)
    }
}
