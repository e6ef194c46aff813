import Foundation
import Testing
import TestSupport

/// Several `registry` processes on one registry file at once: 4 pushers (each a sequence of
/// `registry push` processes) while 2 readers loop `registry ls --json` and `registry pull`.
/// Every push lands with its own version number, no "database is locked" reaches anyone
/// (the busy timeout makes writers wait their turn), and readers only ever see whole
/// versions: each listed version has all its tensors, and pulls byte-identical to the source.
///
/// The short form (the default, for CI) pushes 25 models per pusher; `REGISTRY_SOAK=1`
/// pushes 100 per pusher and creates a new registry from many processes 50 times instead
/// of 10. Each test prints a one-line summary (pushes/s, max push latency, reader loops).
@Suite(.serialized) struct ConcurrencyTests {
    static let soak = ProcessInfo.processInfo.environment["REGISTRY_SOAK"] == "1"
    static let pushers = 4
    static let readers = 2
    static var pushesPerPusher: Int { soak ? 100 : 25 }
    /// A small SavedModel (21 tensors, 4 files, about 0.1 s per push in a debug build).
    static let fixture = "seed_mlp_training"

    // MARK: - Helpers

    /// What the workers report, from several threads.
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var failures: [String] = []
        private(set) var pushed: [(pusher: Int, model: String, version: Int)] = []
        private(set) var latencies: [Double] = []
        private(set) var listings = 0
        private(set) var pulls = 0
        private var stop = false

        func fail(_ message: String) { lock.withLock { failures.append(message) } }
        func push(pusher: Int, model: String, version: Int, seconds: Double) {
            lock.withLock { pushed.append((pusher, model, version)); latencies.append(seconds) }
        }
        func listed() { lock.withLock { listings += 1 } }
        func pulled() { lock.withLock { pulls += 1 } }
        var stopped: Bool { lock.withLock { stop } }
        func finish() { lock.withLock { stop = true } }
    }

    /// One row of `ls --json`.
    struct Listed {
        var model: String
        var version: Int
        var tensors: Int
        var tensorBytes: Int
    }

    static func listed(_ result: ProcessResult) throws -> [Listed] {
        guard let rows = try? result.json() as? [[String: Any]] else { throw TestFailure("ls --json printed no JSON array: \(result)") }
        return rows.map {
            Listed(model: $0["model"] as? String ?? "?", version: $0["version"] as? Int ?? -1,
                   tensors: $0["tensors"] as? Int ?? -1, tensorBytes: $0["tensorBytes"] as? Int ?? -1)
        }
    }

    /// "locked" or "busy" anywhere in a process's stderr: SQLite's contention reached the user.
    static func contention(_ result: ProcessResult) -> Bool {
        let text = result.stderr.lowercased()
        return text.contains("locked") || text.contains("busy")
    }

    /// The fixture's files (relative path → bytes) and its one version's tensor count and
    /// bytes as `ls` reports them, from a push into a registry of its own.
    static func expectations() throws -> (files: [String: [UInt8]], tensors: Int, tensorBytes: Int) {
        let source = Fixtures.casePath(fixture)
        var files: [String: [UInt8]] = [:]
        for file in try Tree(source).files { files[file] = try fileBytes(source + "/" + file) }
        let scratch = try CLI()
        defer { scratch.cleanup() }
        try scratch.ok("push", source, "baseline")
        let rows = try listed(try scratch.ok("ls", "--json"))
        let row = try #require(rows.first)
        return (files, row.tensors, row.tensorBytes)
    }

    /// `count` processes running `body(i)` at once, each on its own thread; returns when all are done.
    static func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for index in 0..<count {
            DispatchQueue.global().async(group: group) { body(index) }
        }
        group.wait()
    }

    /// Runs the pushers (each pushing `pushesPerPusher` times, to `model(pusher, i)`) and the
    /// readers at once on a registry that does not exist yet; returns the log and the pushers' wall time.
    static func run(_ cli: CLI, model: @escaping @Sendable (Int, Int) -> String,
                    check: @escaping @Sendable ([Listed]) -> String?) throws -> (Log, Double) {
        let source = Fixtures.casePath(fixture)
        let expected = try expectations()
        let log = Log()
        let start = Date()
        let readersDone = DispatchGroup()
        for reader in 0..<readers {
            DispatchQueue.global().async(group: readersDone) {
                Self.read(cli, reader: reader, expected: expected, log: log, check: check)
            }
        }
        concurrently(pushers) { pusher in
            for i in 1...pushesPerPusher {
                let name = model(pusher, i)
                let began = Date()
                do {
                    let result = try cli.run(["push", source, name, "--json"])
                    let seconds = Date().timeIntervalSince(began)
                    if contention(result) { log.fail("push \(name) reported contention: \(result)") }
                    guard result.status == 0, let json = try? result.json() as? [String: Any],
                          let version = json["version"] as? Int, json["model"] as? String == name else {
                        log.fail("push \(name) failed: \(result)")
                        continue
                    }
                    log.push(pusher: pusher, model: name, version: version, seconds: seconds)
                } catch {
                    log.fail("push \(name) could not run: \(error)")
                }
            }
        }
        let pushSeconds = Date().timeIntervalSince(start)
        log.finish()
        readersDone.wait()
        return (log, pushSeconds)
    }

    /// One reader: `ls --json` (every listed version of the fixture whole), then a pull of the
    /// newest listed version into a fresh folder (byte-identical to the fixture), until told to stop.
    static func read(_ cli: CLI, reader: Int, expected: (files: [String: [UInt8]], tensors: Int, tensorBytes: Int),
                     log: Log, check: @Sendable ([Listed]) -> String?) {
        var iteration = 0
        repeat {
            iteration += 1
            do {
                let ls = try cli.run(["ls", "--json"])
                if contention(ls) { log.fail("reader \(reader): ls reported contention: \(ls)") }
                // Before the first push has created it, there is no registry to read (and a reader creates none).
                if ls.status == 1 && ls.stderr.contains("\"code\" : \"no_registry\"") { continue }
                guard ls.status == 0 else {
                    log.fail("reader \(reader): ls failed: \(ls)")
                    continue
                }
                let rows = try listed(ls)
                log.listed()
                for row in rows where row.tensors != expected.tensors || row.tensorBytes != expected.tensorBytes {
                    log.fail("reader \(reader): \(row.model):\(row.version) listed with \(row.tensors) tensors / \(row.tensorBytes) bytes, "
                             + "expected \(expected.tensors) / \(expected.tensorBytes) (a partial version)")
                }
                if let problem = check(rows) { log.fail("reader \(reader): \(problem)") }
                guard let newest = rows.max(by: { ($0.version, $0.model) < ($1.version, $1.model) }) else { continue }
                let folder = cli.tmp.path + "/pull-\(reader)-\(iteration)"
                let pull = try cli.run(["pull", "\(newest.model):\(newest.version)", "-o", folder])
                defer { try? FileManager.default.removeItem(atPath: folder) }
                if contention(pull) { log.fail("reader \(reader): pull reported contention: \(pull)") }
                guard pull.status == 0 else {
                    log.fail("reader \(reader): pull of listed \(newest.model):\(newest.version) failed: \(pull)")
                    continue
                }
                let files = try Tree(folder).files
                if files != expected.files.keys.sorted() {
                    log.fail("reader \(reader): \(newest.model):\(newest.version) pulled files \(files), expected \(expected.files.keys.sorted())")
                }
                for file in files {
                    let bytes = try fileBytes(folder + "/" + file)
                    if bytes != expected.files[file] {
                        log.fail("reader \(reader): \(newest.model):\(newest.version)/\(file) differs from the fixture")
                    }
                }
                log.pulled()
            } catch {
                log.fail("reader \(reader): \(error)")
            }
        } while !log.stopped
    }

    /// `verify --json` exits 0 with no problems and counts `versions` versions.
    static func expectVerified(_ cli: CLI, versions: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let verify = try cli.run("verify", "--json")
        #expect(verify.status == 0, "verify: \(verify)", sourceLocation: sourceLocation)
        let report = try #require(try verify.json() as? [String: Any], sourceLocation: sourceLocation)
        #expect((report["problems"] as? [Any])?.isEmpty == true, "verify: \(report)", sourceLocation: sourceLocation)
        #expect(report["versions"] as? Int == versions, "verify: \(report)", sourceLocation: sourceLocation)
    }

    static func summary(_ name: String, _ log: Log, seconds: Double) -> String {
        let pushes = log.pushed.count
        return String(format: "ConcurrencyTests.%@: %d pushes by %d processes in %.1f s (%.1f pushes/s), max push latency %.2f s; "
                      + "%d readers: %d ls, %d pulls; %d failures",
                      name, pushes, pushers, seconds, Double(pushes) / max(seconds, 0.001), log.latencies.max() ?? 0,
                      readers, log.listings, log.pulls, log.failures.count)
    }

    // MARK: - Tests

    /// 4 pushers push 25 models each (`m-P-I`) into one new registry; 2 readers list and pull.
    @Test func pushersIntoDistinctModelsWhileReadersListAndPull() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let (log, seconds) = try Self.run(cli, model: { "m-\($0)-\($1)" }, check: { rows in
            // Each model gets exactly one version: 1.
            let wrong = rows.filter { $0.version != 1 }
            return wrong.isEmpty ? nil : "versions other than 1 listed: \(wrong.map { "\($0.model):\($0.version)" })"
        })
        print(Self.summary("distinctModels", log, seconds: seconds))
        #expect(log.failures.isEmpty, "\(log.failures.count) failures, first: \(log.failures.prefix(5).joined(separator: "\n"))")
        let total = Self.pushers * Self.pushesPerPusher
        #expect(log.pushed.count == total)
        #expect(log.listings > 0 && log.pulls > 0, "the readers never completed a loop")
        var expectedNames = Set<String>()
        for pusher in 0..<Self.pushers { for i in 1...Self.pushesPerPusher { expectedNames.insert("m-\(pusher)-\(i)") } }
        #expect(Set(log.pushed.map(\.model)) == expectedNames)
        #expect(log.pushed.allSatisfy { $0.version == 1 })

        let rows = try Self.listed(try cli.ok("ls", "--json"))
        #expect(rows.count == total, "ls lists \(rows.count) versions, expected \(total)")
        #expect(Set(rows.map { "\($0.model):\($0.version)" }) == Set(expectedNames.map { "\($0):1" }))
        try Self.expectVerified(cli, versions: total)
    }

    /// 4 pushers push into the same model: the versions are numbered exactly 1...100, no gaps
    /// or duplicates, each pusher's numbers increasing; readers always see 1...k.
    @Test func pushersIntoOneModelGetNumbersOneToN() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let (log, seconds) = try Self.run(cli, model: { _, _ in "shared" }, check: { rows in
            // Numbers are given out inside the push's write transaction, so a reader sees 1...k.
            let numbers = rows.filter { $0.model == "shared" }.map(\.version).sorted()
            let others = rows.filter { $0.model != "shared" }
            if !others.isEmpty { return "unexpected models listed: \(others.map(\.model))" }
            return numbers == Array(0..<numbers.count).map { $0 + 1 } ? nil : "listed numbers are not 1...k: \(numbers)"
        })
        print(Self.summary("oneModel", log, seconds: seconds))
        #expect(log.failures.isEmpty, "\(log.failures.count) failures, first: \(log.failures.prefix(5).joined(separator: "\n"))")
        let total = Self.pushers * Self.pushesPerPusher
        #expect(log.listings > 0 && log.pulls > 0, "the readers never completed a loop")
        #expect(log.pushed.map(\.version).sorted() == Array(1...total), "push results: \(log.pushed.map(\.version).sorted())")
        for pusher in 0..<Self.pushers {
            let own = log.pushed.filter { $0.pusher == pusher }.map(\.version)
            #expect(own == own.sorted(), "pusher \(pusher)'s versions are not increasing: \(own)")
        }
        let history = try #require(try cli.json("history", "shared") as? [[String: Any]])
        #expect(history.compactMap { $0["version"] as? Int }.sorted() == Array(1...total))
        try Self.expectVerified(cli, versions: total)
    }

    /// Several processes creating the same new registry at the same moment (each applying the
    /// migrations, switching the file to WAL): every one of them succeeds.
    @Test func manyProcessesCreatingOneNewRegistry() throws {
        let rounds = Self.soak ? 50 : 10, processes = 6
        let source = Fixtures.casePath(Self.fixture)
        var failures: [String] = []
        let started = Date()
        for round in 1...rounds {
            let cli = try CLI()
            defer { cli.cleanup() }
            let log = Log()
            Self.concurrently(processes) { index in
                do {
                    // Every one pushes, so every one creates and migrates the file (verbs that only
                    // read create no registry).
                    let result = try cli.run(["push", source, "m\(index)"])
                    if result.status != 0 || Self.contention(result) { log.fail("round \(round), process \(index): \(result)") }
                } catch {
                    log.fail("round \(round), process \(index): \(error)")
                }
            }
            failures += log.failures
            let rows = try Self.listed(try cli.ok("ls", "--json"))
            #expect(rows.count == processes, "round \(round): \(rows.map(\.model))")
        }
        print(String(format: "ConcurrencyTests.newRegistry: %d rounds of %d processes creating one registry in %.1f s; %d failures",
                     rounds, processes, Date().timeIntervalSince(started), failures.count))
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(3).joined(separator: "\n"))")
    }
}
