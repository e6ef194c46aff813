import Foundation
import Testing
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore
import TestSupport

/// The pure parts of remotes: `oci://` references, default tags, authentication challenges,
/// token answers and tag-list paging.
@Suite struct RemoteReferenceTests {
    @Test func referencesParseIntoSchemeHostRepositoryTagAndDigest() throws {
        let plain = try OCIReference(parsing: "oci+http://127.0.0.1:5000/team/seed:v1")
        #expect(plain.plainHTTP && plain.host == "127.0.0.1:5000" && plain.repository == "team/seed" && plain.tag == "v1" && plain.digest == nil)
        #expect(plain.baseURL.absoluteString == "http://127.0.0.1:5000" && Origin(plain.baseURL)?.carriesCredentialsSafely == true)

        let secure = try OCIReference(parsing: "oci://ghcr.io/org/models/seed")
        #expect(!secure.plainHTTP && secure.host == "ghcr.io" && secure.repository == "org/models/seed" && secure.tag == nil)
        #expect(secure.baseURL.absoluteString == "https://ghcr.io" && Origin(secure.baseURL) == Origin(URL(string: "https://GHCR.io:443/x")!))

        let hex = String(repeating: "ab", count: 32)
        let pinned = try OCIReference(parsing: "oci://[::1]:443/a/b:t@sha256:\(hex)")
        #expect(pinned.host == "[::1]:443" && Origin.isLoopbackLiteral("[::1]") && pinned.tag == "t" && pinned.digest == "sha256:" + hex)
        #expect(pinned.description == "oci://[::1]:443/a/b:t@sha256:\(hex)")
        // A port is not a tag: the tag is looked for in the last path component only.
        let noTag = try OCIReference(parsing: "oci://host:5000/repo")
        #expect(noTag.tag == nil && noTag.host == "host:5000")
        #expect(noTag.with(tag: "x").description == "oci://host:5000/repo:x")
    }

    @Test func badReferencesAreRefusedWithoutRepeatingCredentials() {
        let bad = ["http://host/repo", "oci://", "oci://host", "oci://host/", "oci://host/Upper", "oci://host/a//b", "oci://host/a-/b",
                   "oci://host/repo:", "oci://host/repo:-x", "oci://host/repo:\(String(repeating: "t", count: 129))",
                   "oci://host/repo@sha256:abc", "oci://host:99999/repo", "oci://ho st/repo", "oci://user:hunter2@host/repo:t"]
        for text in bad {
            #expect(throws: RemoteError.self, "\(text)") { try OCIReference(parsing: text) }
        }
        do {
            _ = try OCIReference(parsing: "oci://user:hunter2@host/repo:t")
        } catch {
            #expect(!error.description.contains("hunter2") && error.description.contains("registry remote login"), "\(error)")
        }
        for good in ["oci://h/a.b_c__d--e/f-g", "oci://h/a0", "oci://h/repo:_T.1-x", "oci://h/x:" + String(repeating: "t", count: 128)] {
            #expect(throws: Never.self, "\(good)") { try OCIReference(parsing: good) }
        }
    }

    @Test func defaultTagsFollowTheTagGrammar() throws {
        #expect(OCIReference.defaultTag(model: "seed", version: 3) == "seed-3")
        #expect(OCIReference.defaultTag(model: "team/seed.v2", version: 12) == "team_seed.v2-12")
        let long = OCIReference.defaultTag(model: String(repeating: "m", count: 200), version: 123456)
        #expect(long.count == 128 && long.hasSuffix("-123456"))
        for model in ["seed", "team/seed.v2", String(repeating: "m", count: 200), "9lives", "a/b/c"] {
            let tag = OCIReference.defaultTag(model: model, version: 1)
            #expect(OCIReference.isValidTag(tag), "\(tag)")
            #expect(throws: Never.self) { try OCIReference(parsing: "oci://h/r:" + tag) }
        }
    }

    @Test func challengesParseQuotedParametersWithCommas() throws {
        let header = #"Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/seed:pull,push""#
        let challenge = try #require(AuthChallenge(header: header))
        #expect(challenge.scheme == "bearer")
        #expect(challenge.parameters == ["realm": "https://auth.example.com/token", "service": "registry.example.com",
                                         "scope": "repository:team/seed:pull,push"])
        let url = try #require(challenge.tokenURL())
        let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        #expect(url.host == "auth.example.com" && url.path == "/token")
        #expect(items.contains(URLQueryItem(name: "service", value: "registry.example.com")))
        #expect(items.contains(URLQueryItem(name: "scope", value: "repository:team/seed:pull,push")))

        let basic = try #require(AuthChallenge(header: #"Basic realm="registry-tests""#))
        #expect(basic.scheme == "basic" && basic.parameters["realm"] == "registry-tests" && basic.tokenURL() == nil)
        let escaped = try #require(AuthChallenge(header: #"Bearer realm="http://r/t?x=1", error="a \"quoted\" word""#))
        #expect(escaped.parameters["error"] == #"a "quoted" word"#)
        #expect(escaped.tokenURL()?.absoluteString.hasPrefix("http://r/t?x=1") == true)
        #expect(AuthChallenge(header: #"Bearer realm="ftp://r/t""#)?.tokenURL() == nil)
        #expect(AuthChallenge(header: "") == nil)
    }

    @Test func tokenAnswersAndLinkHeaders() throws {
        let docker = try JSONDecoder().decode(TokenResponse.self, from: Data(#"{"token":"abc","expires_in":300}"#.utf8))
        #expect(docker.value == "abc")
        let oauth = try JSONDecoder().decode(TokenResponse.self, from: Data(#"{"access_token":"xyz"}"#.utf8))
        #expect(oauth.value == "xyz")
        let base = URL(string: "https://h/v2/a/tags/list")!
        #expect(OCIRepository.nextPage(#"</v2/a/tags/list?last=t9&n=10>; rel="next""#, base: base)?.absoluteString
                == "https://h/v2/a/tags/list?last=t9&n=10")
        #expect(OCIRepository.nextPage(#"</v2/a/tags/list?n=10>; rel="prev""#, base: base) == nil)
    }

    @Test func credentialsFromTheEnvironmentAndWhereTheyMayGo() {
        let none = OCICredentials.fromEnvironment([:])
        #expect(none.isEmpty && none.basicHeader == nil)
        let basic = OCICredentials.fromEnvironment(["REGISTRY_OCI_USERNAME": "u", "REGISTRY_OCI_PASSWORD": "p"])
        #expect(basic.basicHeader == "Basic dTpw")
        let halfSet = OCICredentials.fromEnvironment(["REGISTRY_OCI_USERNAME": "u"])
        #expect(halfSet.isEmpty)
        #expect(OCICredentials.fromEnvironment(["REGISTRY_OCI_TOKEN": "t"]).token == "t")
        // Plain HTTP carries credentials to literal loopback addresses only: names that look
        // like loopback are names, resolved by whoever controls DNS or /etc/hosts.
        for host in ["10.1.2.3:5000", "localhost:5000", "127.evil.example.com:5000", "127.0.0.1.nip.io", "0x7f.1"] {
            #expect(throws: RemoteError.self, "\(host)") {
                _ = try OCIClient(remote: OCIReference(parsing: "oci+http://\(host)/a"), credentials: basic, limits: .standard)
            }
        }
        for host in ["127.0.0.1:5000", "127.8.9.10", "[::1]:5000"] {
            #expect(throws: Never.self, "\(host)") {
                _ = try OCIClient(remote: OCIReference(parsing: "oci+http://\(host)/a"), credentials: basic, limits: .standard)
            }
        }
        #expect(Origin.isLoopbackLiteral("127.0.0.1") && Origin.isLoopbackLiteral("::1") && Origin.isLoopbackLiteral("::ffff:127.0.0.2"))
        #expect(!Origin.isLoopbackLiteral("128.0.0.1") && !Origin.isLoopbackLiteral("127.1") && !Origin.isLoopbackLiteral("::2"))
        // Origins: scheme, host (case-insensitive) and port, the default port filled in.
        #expect(Origin(URL(string: "https://Reg.Example.com/v2/")!) == Origin(URL(string: "https://reg.example.com:443/x")!))
        #expect(Origin(URL(string: "https://reg.example.com/")!) != Origin(URL(string: "http://reg.example.com/")!))
        #expect(Origin(URL(string: "http://127.0.0.1:5000/")!) != Origin(URL(string: "http://127.0.0.2:5000/")!))
    }

    @Test func timeoutsComeFromTheEnvironment() throws {
        let limits = try HTTPLimits.fromEnvironment(["REGISTRY_OCI_CONNECT_TIMEOUT": "5", "REGISTRY_OCI_IDLE_TIMEOUT": "7",
                                                     "REGISTRY_OCI_MIN_RATE": "128", "REGISTRY_OCI_DEADLINE": "9"])
        #expect(limits.connectTimeout == 5 && limits.idleTimeout == 7 && limits.baseDeadline == 9 && limits.minimumRate == 128 * 1024)
        #expect(limits.deadline(bytes: 128 << 20) == 9 + 1024)
        #expect(HTTPLimits.standard.deadline(bytes: 16 << 20) == 60 + 256)
        for bad in ["0", "-1", "soon", "inf"] {
            #expect(throws: RemoteError.self) { try HTTPLimits.fromEnvironment(["REGISTRY_OCI_IDLE_TIMEOUT": bad]) }
        }
    }

    @Test func dockerConfigAuthsAreFoundByHost() throws {
        try withTemporaryDirectory { tmp in
            let auth = Data("me:pa:ss".utf8).base64EncodedString()
            let config = ["auths": ["https://registry.example.com/v1/": ["auth": auth], "127.0.0.1:5000": ["auth": ""],
                                    "other.example.com": ["username": "u", "password": "p"]]]
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: tmp.path + "/config.json"))
            let docker = DockerConfig(environment: ["DOCKER_CONFIG": tmp.path])
            let found = try #require(try docker.credentials(host: "registry.example.com"))
            #expect(found.basicHeader == "Basic " + auth && found.source == tmp.path + "/config.json (auths)")
            #expect(try docker.credentials(host: "other.example.com")?.basicHeader == "Basic dTpw")
            #expect(try docker.credentials(host: "127.0.0.1:5000") == nil && docker.credentials(host: "nowhere") == nil)
            #expect(DockerConfig.hostname("https://index.docker.io/v1/") == "index.docker.io")
            // Stored as docker login stores it: mode 0600, other keys kept.
            _ = try docker.store(host: "new.example.com:443", username: "a", password: "b")
            let written = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tmp.path + "/config.json"))) as? [String: Any])
            let auths = try #require(written["auths"] as? [String: Any])
            #expect(auths.count == 4 && (auths["new.example.com:443"] as? [String: String])?["auth"] == "YTpi")
            let mode = try FileManager.default.attributesOfItem(atPath: tmp.path + "/config.json")[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)
        }
    }
}
