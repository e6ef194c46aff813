import Crypto
import Foundation
import Testing
import TestSupport

/// `registry ui` over HTTP: every route's status and content type, the API's JSON byte for
/// byte what the CLI's `--json` prints, every error (404 pages naming what is missing, 400s
/// naming the parameter, JSON errors with the CLI's codes), and a registry left untouched.
@Suite(.timeLimit(.minutes(5))) struct UITests {
    /// A registry with two versions of `seed` (a label, an alias, a parent), `keras`, and a
    /// trained run `r` of three checkpoints; the test's body gets it running under `registry ui`.
    static func withServer(_ body: (CLI, UIServer) throws -> Void) throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("seed_mlp_train_and_serve"), "seed", "--label", "data=random", "--alias", "prod")
        try cli.ok("push", Fixtures.casePath("seed_mlp_train_and_serve"), "seed", "--parent", "seed:1", "--label", "run=2")
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "keras")
        try cli.ok("train", "r", "--epochs", "3", "--save-every", "50", "--print-every", "10")
        let server = try UIServer(database: cli.database)
        defer { server.stop() }
        try body(cli, server)
    }

    /// The CLI's `--json` stdout for `arguments`.
    static func cliJSON(_ cli: CLI, _ arguments: String...) throws -> String {
        let result = try cli.run(arguments + ["--json"])
        try #require(result.status == 0, "\(result)")
        return result.out
    }

    @Test func theAPIAnswersWhatTheCLIPrints() throws {
        try Self.withServer { cli, server in
            let pairs: [(String, String)] = [
                ("/api/ls", try Self.cliJSON(cli, "ls")),
                ("/api/ls?tag=serve", try Self.cliJSON(cli, "ls", "--tag", "serve")),
                ("/api/ls?tags=serve", try Self.cliJSON(cli, "ls", "--tags", "serve")),
                ("/api/ls?signature=serving_default&latest=true", try Self.cliJSON(cli, "ls", "--signature", "serving_default", "--latest")),
                ("/api/ls?label=data%3Drandom", try Self.cliJSON(cli, "ls", "--label", "data=random")),
                ("/api/ls?model=r", try Self.cliJSON(cli, "ls", "--model", "r")),
                ("/api/history?model=seed", try Self.cliJSON(cli, "history", "seed")),
                ("/api/show?ref=seed%40prod", try Self.cliJSON(cli, "show", "seed@prod")),
                ("/api/show?ref=r:2", try Self.cliJSON(cli, "show", "r:2")),
                ("/api/diff?from=r:1&to=r:3", try Self.cliJSON(cli, "diff", "r:1", "r:3")),
                ("/api/diff?from=seed:1&to=keras", try Self.cliJSON(cli, "diff", "seed:1", "keras")),
            ]
            for (path, expected) in pairs {
                let reply = try server.request(path)
                #expect(reply.status == 200, "\(path): \(reply.text)")
                #expect(reply.contentType == "application/json; charset=utf-8", "\(path)")
                #expect(reply.text == expected, "\(path) differs from the CLI's --json:\n\(reply.text)\n---\n\(expected)")
            }
            let listed = try #require(try JSONSerialization.jsonObject(with: Data(try Self.cliJSON(cli, "ls").utf8)) as? [Any])
            #expect(try server.request("/api/ls").headers["x-total-count"] == String(listed.count))
        }
    }

    @Test func listingsComeAPageAtATime() throws {
        try Self.withServer { cli, server in
            let all = try #require(try JSONSerialization.jsonObject(with: Data(try Self.cliJSON(cli, "ls").utf8)) as? [[String: Any]])
            #expect(all.count == 6)
            let page = try server.request("/api/ls?limit=2&offset=3")
            let items = try #require(try page.json() as? [[String: Any]])
            #expect(items.map { "\($0["model"]!):\($0["version"]!)" } == all[3..<5].map { "\($0["model"]!):\($0["version"]!)" })
            #expect(page.headers["x-total-count"] == "6")
            #expect(page.headers["link"] == "</api/ls?limit=2&offset=5>; rel=\"next\"", "\(page.headers)")
            let last = try server.request("/api/ls?limit=2&offset=4")
            #expect(last.headers["link"] == nil)
            let history = try server.request("/api/history?model=r&limit=1&offset=2")
            let versions = try #require(try history.json() as? [[String: Any]])
            #expect(versions.map { $0["version"] as? Int } == [3] && history.headers["x-total-count"] == "3")

            let models = try #require(try server.request("/api/models").json() as? [[String: Any]])
            #expect(models.map { $0["name"] as? String } == ["keras", "r", "seed"])
            let seed = try #require(models.last)
            #expect(seed["versions"] as? Int == 2 && seed["aliases"] as? [String: Int] == ["prod": 1])
            #expect((seed["latest"] as? [String: Any])?["version"] as? Int == 2)
            let served = try #require(try server.request("/api/models?label=data%3Drandom").json() as? [[String: Any]])
            #expect(served.map { $0["name"] as? String } == ["seed"])
            #expect((served.first?["latest"] as? [String: Any])?["version"] as? Int == 1, "the newest version that matches")

            let curve = try #require(try server.request("/api/curve?model=r").json() as? [String: Any])
            #expect((curve["epochs"] as? [Any])?.count == 3 && (curve["checkpoints"] as? [Any])?.count == 3)
            let thinned = try #require(try server.request("/api/curve?model=r&points=2").json() as? [String: Any])
            #expect((thinned["epochs"] as? [[String: Any]])?.map { $0["epoch"] as? Int } == [0, 2], "every 2nd and the last")
            #expect(thinned["epochCount"] as? Int == 3)

            let search = try #require(try server.request("/api/search?q=KERNEL").json() as? [String: Any])
            #expect(((search["tensors"] as? [[String: Any]]) ?? []).contains { ($0["name"] as? String)?.contains("kernel") == true })
            let labels = try #require(try server.request("/api/search?q=random").json() as? [String: Any])
            #expect((labels["labels"] as? [[String: Any]])?.first?["versions"] as? Int == 1)
            #expect((try server.request("/api/search?q=see").json() as? [String: Any])?["models"] as? [String] == ["seed"])
        }
    }

    @Test func everyPageRendersAsHTML() throws {
        try Self.withServer { _, server in
            let pages: [(String, [String])] = [
                ("/", ["keras", "seed", "r", "prod → 1", "run=2"]),
                ("/?tag=serve&label=", ["seed", "keras"]),
                ("/models/seed", ["seed:1", "seed:2", "name=\"from\"", "Compare"]),
                ("/models/r", ["<svg", "<polyline", "kept"]),
                ("/models/seed:1", ["serving_default", "input_layer:0", "float32", "[?,28]", "registry pull seed:1", "sha256:", "lineage"]),
                ("/models/seed@prod", ["seed", ":1"]),
                ("/models/seed:2", ["href=\"/models/seed:1\""]),
                ("/diff?from=r:1&to=r:3", ["changed", "<meter"]),
                // What `diff` says beyond tensors: a tag set removed, a collection added, a file changed.
                ("/diff?from=seed:1&to=keras", ["Meta graphs and files", "<td>Tag set</td><td>-</td><td><code>{train}</code>",
                                                "<td>Collection</td><td>+</td><td><code>{serve} saved_model_main_op</code>",
                                                "<td>File</td><td>~</td><td><code>assets.extra/example_inputs.npz</code></td><td>704 bytes -&gt; 470 bytes"]),
                ("/diff", ["Compare versions"]),
                ("/search?q=seed", ["/models/seed"]),
                ("/search", ["Search"]),
            ]
            for (path, needles) in pages {
                let reply = try server.request(path)
                #expect(reply.status == 200, "\(path): \(reply.text.prefix(500))")
                #expect(reply.contentType == "text/html; charset=utf-8", "\(path)")
                #expect(reply.text.hasPrefix("<!doctype html>"), "\(path)")
                #expect(reply.headers["server-timing"]?.hasPrefix("app;dur=") == true, "\(path)")
                #expect(reply.headers["content-security-policy"]?.contains("default-src 'none'") == true)
                for needle in needles { #expect(reply.text.localizedCaseInsensitiveContains(needle), "\(path) lacks \(needle)") }
            }
            for (path, type) in [("/assets/style.css", "text/css; charset=utf-8"), ("/assets/app.js", "text/javascript; charset=utf-8"),
                                 ("/assets/icon.svg", "image/svg+xml")] {
                let reply = try server.request(path)
                #expect(reply.status == 200 && reply.contentType == type && !reply.body.isEmpty, "\(path)")
            }
            let head = try server.request("/", method: "HEAD")
            #expect(head.status == 200 && head.body.isEmpty)
        }
    }

    @Test func badRequestsGetTheirStatusAndReason() throws {
        try Self.withServer { cli, server in
            // Not found: the page and the JSON name what is missing, with the CLI's codes.
            let missing: [(String, String, String)] = [
                ("/models/nosuch", "model_not_found", "nosuch"),
                ("/models/seed:99", "version_not_found", "no version 99"),
                ("/models/seed@nope", "alias_not_found", "nope"),
                ("/nothing/here", "page_not_found", "/nothing/here"),
            ]
            for (path, _, named) in missing {
                let reply = try server.request(path)
                #expect(reply.status == 404 && reply.contentType == "text/html; charset=utf-8", "\(path): \(reply.status)")
                #expect(reply.text.contains(named), "\(path) does not name \(named)")
            }
            let cliError = try cli.run("show", "nosuch", "--json")
            let api = try server.request("/api/show?ref=nosuch")
            #expect(api.status == 404 && api.contentType == "application/json; charset=utf-8")
            #expect(api.text == cliError.stderr, "the API's error is the CLI's: \(api.text) vs \(cliError.stderr)")
            let jsonErrors: [(String, Int, String)] = [
                ("/api/history?model=nosuch", 404, "model_not_found"),
                ("/api/diff?from=seed:1&to=seed:9", 404, "version_not_found"),
                ("/api/curve?model=nosuch", 404, "model_not_found"),
                ("/api/nothing", 404, "page_not_found"),
                ("/api/ls?limit=abc", 400, "bad_parameter"),
                ("/api/ls?limit=0", 400, "bad_parameter"),
                ("/api/ls?offset=-1", 400, "bad_parameter"),
                ("/api/ls?latest=maybe", 400, "bad_parameter"),
                ("/api/ls?label=nokey", 400, "bad_parameter"),
                ("/api/ls?label=data%3Drandom&label=data%3Dother", 400, "bad_parameter"),
                ("/api/ls?bogus=1", 400, "unknown_parameter"),
                ("/api/show", 400, "bad_parameter"),
                ("/api/show?ref=seed:x", 400, "bad_parameter"),
                ("/api/diff?from=seed:1", 400, "bad_parameter"),
                ("/api/search?q=%20", 400, "bad_parameter"),
                ("/api/curve?model=r&points=1", 400, "bad_parameter"),
            ]
            for (path, status, code) in jsonErrors {
                let reply = try server.request(path)
                #expect(reply.status == status && reply.contentType == "application/json; charset=utf-8", "\(path): \(reply.status) \(reply.text)")
                let error = try reply.error()
                #expect(error["code"] == code, "\(path): \(error)")
                #expect(Set(error.keys) == ["code", "category", "message"])
            }
            // A bad percent-encoding, sent as is (URLSession would encode the %).
            let raw = String(decoding: try server.rawExchange("GET /api/ls?tag=%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                                              readBytes: 100_000), as: UTF8.self)
            #expect(raw.hasPrefix("HTTP/1.1 400") && raw.contains("bad percent-encoding"), "\(raw)")
            let limit = try server.request("/api/ls?limit=abc").error()
            #expect(limit["message"] == "query parameter limit='abc' is not valid: a whole number from 1 to 1000")
            #expect(limit["category"] == "usage")
            for path in ["/?limit=0", "/?offset=x", "/?nosuch=1", "/models/seed?offset=-3", "/models/bad%20name", "/diff?from=seed:0&to=seed:1",
                         "/search?q=" + String(repeating: "x", count: 201)] {
                let reply = try server.request(path)
                #expect(reply.status == 400 && reply.contentType == "text/html; charset=utf-8", "\(path): \(reply.status)")
            }
            #expect(try server.request("/?offset=x").text.contains("query parameter offset=&#39;x&#39; is not valid"))
            // Only GET and HEAD: nothing here writes.
            for method in ["POST", "PUT", "DELETE"] {
                let reply = try server.request("/api/ls", method: method)
                #expect(reply.status == 405 && reply.headers["allow"] == "GET, HEAD", "\(method): \(reply.status)")
                #expect(try reply.error()["code"] == "method_not_allowed")
            }
        }
    }

    @Test func theRegistryIsLeftAsItWas() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("seed_mlp_train_and_serve"), "seed", "--alias", "prod")
        func digest() throws -> String {
            SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: cli.database))).map { String(format: "%02x", $0) }.joined()
        }
        let before = try digest()
        let folder = (cli.database as NSString).deletingLastPathComponent
        let filesBefore = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let server = try UIServer(database: cli.database)
        for path in ["/", "/models/seed", "/models/seed:1", "/diff?from=seed:1&to=seed@prod", "/search?q=s", "/api/ls", "/api/models",
                     "/api/show?ref=seed", "/api/curve?model=seed"] {
            #expect(try server.request(path).status == 200, "\(path)")
        }
        _ = try server.request("/api/ls", method: "POST")
        server.stop()
        #expect(try digest() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == filesBefore)

        // A registry that is not there is an error, and nothing is created.
        let absent = cli.tmp.path + "/absent/registry.db"
        let result = try cli.run(["ui", "--registry", absent, "--port", "0"])
        #expect(result.status == 1 && result.stderr == "Error: no registry at \(absent); `registry push` creates one\n", "\(result)")
        #expect(!FileManager.default.fileExists(atPath: cli.tmp.path + "/absent"))
    }

    @Test func theServerOutlivesClientsThatLeave() throws {
        try Self.withServer { _, server in
            // Requests abandoned before, during and after the answer, a garbled one, and a
            // request line longer than any path.
            for _ in 0..<3 {
                _ = try server.rawExchange("GET /api/ls HTTP/1.1\r\nHost: x\r\n\r\n", readBytes: 0)
                _ = try server.rawExchange("GET /models/seed:1 HTTP/1.1\r\nHost: x\r\n\r\n", readBytes: 100)
                _ = try server.rawExchange("GET /api/show?ref=seed HTTP/1.1\r\nHost: x\r\n", readBytes: 0)
                _ = try server.rawExchange("\u{1}\u{2}garbage\r\n\r\n", readBytes: 1000)
            }
            let long = try server.rawExchange("GET /" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", readBytes: 200)
            #expect(String(decoding: long, as: UTF8.self).hasPrefix("HTTP/1.1 4"), "\(String(decoding: long, as: UTF8.self).prefix(100))")
            let reply = try server.request("/models/seed:1")
            #expect(reply.status == 200 && reply.text.contains("serving_default"))
            #expect(server.process.isRunning)
        }
    }

    @Test func theURLAndTheAddressItListensOn() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("seed_mlp_train_and_serve"), "seed")
        let server = try UIServer(database: cli.database)
        defer { server.stop() }
        #expect(server.url.hasPrefix("http://127.0.0.1:") && server.port > 0)
        // The port taken: a second server says so, in one line, and exits 1 (JSON under --json).
        let taken = try cli.run(["ui", "--port", String(server.port)])
        #expect(taken.status == 1 && taken.stderr.contains("cannot listen on 127.0.0.1:\(server.port)"), "\(taken)")
        let usage = try cli.run(["ui", "--port", "70000"])
        #expect(usage.status == 64 && usage.stderr.contains("--port"), "\(usage)")
    }
}
