import Crypto
import Foundation
import Testing
import TestSupport

/// The token dance as Docker Hub and GHCR run it, against docker-registry with `auth.token`:
/// the registry answers 401 `Bearer realm=…,service=…,scope=…`; the client asks the realm (a
/// small token service here, in python3's http.server) with basic credentials and retries
/// with the JWT it hands out (ES256, signed by a key whose self-signed certificate the
/// registry trusts).
@Suite(.enabled(if: OCIServer.enabled, "needs /usr/bin/docker-registry (make deps)"))
struct RemoteTokenAuthTests {
    static let issuer = "registry-tests-issuer"
    static let service = "registry-tests"

    @Test func bearerTokensComeFromTheRealmAskedWithBasicCredentials() throws {
        let folder = try TemporaryDirectory(label: "registry-token-auth")
        defer { folder.cleanup() }
        let keyPath = folder.path + "/key.pem", certPath = folder.path + "/cert.pem"
        let openssl = try runProcess("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                                       "-nodes", "-keyout", keyPath, "-out", certPath, "-days", "2", "-subj", "/CN=registry-tests-token"])
        try #require(openssl.status == 0, "openssl: \(openssl)")
        // Two tokens, so that a push must come back for more: one that only reads, one that also writes.
        let keyPEM = try String(contentsOfFile: keyPath, encoding: .utf8), certPEM = try String(contentsOfFile: certPath, encoding: .utf8)
        let readToken = try Self.mintToken(keyPEM: keyPEM, certPEM: certPEM, repository: "team/tok", actions: ["pull"])
        let token = try Self.mintToken(keyPEM: keyPEM, certPEM: certPEM, repository: "team/tok", actions: ["pull", "push"])
        try Data(readToken.utf8).write(to: URL(fileURLWithPath: folder.path + "/token-pull"))
        try Data(token.utf8).write(to: URL(fileURLWithPath: folder.path + "/token-push"))

        let password = "tr0ub4dor&3"
        let basic = Data("tester:\(password)".utf8).base64EncodedString()
        let tokenPort = try OCIServer.freePort()
        let log = folder.path + "/requests.log"
        let tokenService = Process()
        tokenService.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tokenService.arguments = ["python3", "-c", Self.tokenServer, String(tokenPort), folder.path + "/token-", log, basic]
        tokenService.standardInput = FileHandle.nullDevice
        try tokenService.run()
        // SIGKILL: children of the test process inherit a signal mask that blocks SIGTERM.
        defer { kill(tokenService.processIdentifier, SIGKILL); tokenService.waitUntilExit() }
        try #require(waitUntil(timeout: 15) { OCIServer.accepts(port: tokenPort) }, "the token service did not start")

        let server = try OCIServer(token: .init(realm: "http://127.0.0.1:\(tokenPort)/token", service: Self.service, issuer: Self.issuer,
                                                rootCertBundle: certPath))
        defer { server.cleanup() }
        let cli = try CLI()
        defer { cli.cleanup() }
        let remote = RemoteDriver(cli: cli)
        try remote.ok("push", Fixtures.casePath("keras_tf2"), "k")
        let repository = server.url("team/tok")
        let good = ["REGISTRY_OCI_USERNAME": "tester", "REGISTRY_OCI_PASSWORD": password]
        var outputs: [ProcessResult] = []
        func run(_ arguments: [String], _ environment: [String: String]) throws -> ProcessResult {
            let result = try remote.run(arguments, environment: environment)
            outputs.append(result)
            return result
        }

        let anonymous = try run(["push", "k", "--to", repository + ":v1"], [:])
        #expect(anonymous.status == 1 && anonymous.stderr.contains("no anonymous access"), "\(anonymous)")
        let wrong = try run(["push", "k", "--to", repository + ":v1"], ["REGISTRY_OCI_USERNAME": "tester", "REGISTRY_OCI_PASSWORD": "nope"])
        #expect(wrong.status == 1 && wrong.stderr.contains("refused the user name and password"), "\(wrong)")

        let pushed = try run(["push", "k", "--to", repository + ":v1", "--json"], good)
        #expect(pushed.status == 0, "\(pushed)")
        let requests = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let granted = requests.filter { $0["ok"] as? Bool == true }
        #expect(!granted.isEmpty && granted.allSatisfy { ($0["service"] as? [String]) == [Self.service] }, "\(requests)")
        // Read access first (the HEADs), then, challenged again by the upload, read and write
        // (in the order the server's challenge lists them, which docker-registry varies).
        let scopes = granted.flatMap { $0["scope"] as? [String] ?? [] }
        let readWrite = scopes.contains { $0 == "repository:team/tok:pull,push" || $0 == "repository:team/tok:push,pull" }
        #expect(scopes.first == "repository:team/tok:pull" && readWrite, "scopes asked: \(scopes)")
        let listed = try run(["remote", "ls", repository], good)
        #expect(listed.status == 0 && listed.out.contains("k:1"), "\(listed)")

        // A token given directly is used as it is: no request to the token service.
        let before = try String(contentsOfFile: log, encoding: .utf8).count
        let other = try CLI()
        defer { other.cleanup() }
        let withToken = try RemoteDriver(cli: other).run(["pull", repository + ":v1", "-o", other.tmp.path + "/out"],
                                                         environment: ["REGISTRY_OCI_TOKEN": token])
        outputs.append(withToken)
        #expect(withToken.status == 0, "\(withToken)")
        #expect(try String(contentsOfFile: log, encoding: .utf8).count == before)
        #expect(try Tree(other.tmp.path + "/out") == Tree(Fixtures.casePath("keras_tf2")))

        for result in outputs {
            for secret in [password, basic, token, readToken] {
                #expect(!result.out.contains(secret) && !result.stderr.contains(secret), "a credential was printed: \(result)")
            }
        }
    }

    /// A JWT as distribution's token auth checks it: ES256 over `header.claims`, the signing
    /// certificate in `x5c`, issuer, audience, validity and the access granted.
    static func mintToken(keyPEM: String, certPEM: String, repository: String, actions: [String]) throws -> String {
        let key = try P256.Signing.PrivateKey(pemRepresentation: keyPEM)
        let der = certPEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let now = Int(Date().timeIntervalSince1970)
        let header: [String: Any] = ["typ": "JWT", "alg": "ES256", "x5c": [der]]
        let claims: [String: Any] = [
            "iss": issuer, "sub": "tester", "aud": service, "exp": now + 3600, "nbf": now - 60, "iat": now - 60,
            "jti": UUID().uuidString, "access": [["type": "repository", "name": repository, "actions": actions]],
        ]
        func base64URL(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let input = base64URL(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
            + "." + base64URL(try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]))
        return input + "." + base64URL(try key.signature(for: Data(input.utf8)).rawRepresentation)
    }

    /// GET /token: checks the basic credentials, logs what was asked (never the credentials),
    /// answers 401, or the write token when the scope asks to push, else the read token.
    static let tokenServer = """
        import http.server, json, sys, urllib.parse
        port, token_file, log_file, expected = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                query = urllib.parse.parse_qs(url.query)
                ok = self.headers.get('Authorization', '') == 'Basic ' + expected
                with open(log_file, 'a') as log:
                    log.write(json.dumps({'path': url.path, 'service': query.get('service', []), 'scope': query.get('scope', []), 'ok': ok}) + '\\n')
                kind = 'push' if any('push' in scope for scope in query.get('scope', [])) else 'pull'
                body = json.dumps({'token': open(token_file + kind).read().strip(), 'expires_in': 3600}).encode() if ok else \\
                    b'{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}'
                self.send_response(200 if ok else 401)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        http.server.HTTPServer(('127.0.0.1', port), Handler).serve_forever()
        """
}
