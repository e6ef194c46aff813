import Foundation
import GRDB
import Testing
import TestSupport
@testable import RegistryFormat

/// What the `registry` binary promises a hostile file, folder or database (README, "Security"),
/// end to end: another application's database is left alone, names cannot drive the
/// terminal, messages stay one bounded line, damaged sizes are reported instead of crashing,
/// and a bundle of 65,536 shards exports with one data file open (issue 21, items 3, 7, 11,
/// 12, 16).
@Suite struct CLISecurityTests {
    /// `registry ARGUMENTS…` with at most `files` open descriptors (`ulimit -n`).
    static func runLimited(files: Int, _ arguments: [String]) throws -> ProcessResult {
        guard let binary = RegistryBinary.path else { throw TestFailure("the registry binary was not found") }
        return try runProcess("/bin/sh", ["-c", "ulimit -n \(files) && exec \"$0\" \"$@\"", binary] + arguments,
                              environment: RegistryBinary.environment)
    }

    // MARK: - Item 3: another application's database

    @Test func anotherApplicationsDatabaseIsRefusedInOneLineAndLeftAsItWas() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let path = cli.tmp.path + "/app.db"
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me')")
        }
        try queue.close()
        let before = try fileBytes(path)
        let expected = "Error: \(path): this SQLite database is not a registry (it holds notes); nothing was changed. "
            + "Point --registry (or REGISTRY_PATH) at a registry file, or at a new path to create one\n"
        guard let binary = RegistryBinary.path else { throw TestFailure("the registry binary was not found") }
        // As the probe ran it: a read verb with REGISTRY_PATH at the other file.
        for arguments in [["ls"], ["show", "m"], ["history", "m"], ["gc"], ["push", Fixtures.casePath("seed_mlp_training"), "m"]] {
            let result = try runProcess(binary, arguments, environment: ["REGISTRY_NO_PROGRESS": "1", "REGISTRY_PATH": path])
            #expect(result.status == 1 && result.stdout.isEmpty, "\(arguments): \(result)")
            #expect(result.stderr == expected, "\(arguments): \(result.stderr)")
        }
        let json = try runProcess(binary, ["ls", "--json"], environment: ["REGISTRY_PATH": path])
        #expect(json.stderr.contains("\"code\" : \"not_a_registry\""), "\(json)")
        #expect(try fileBytes(path) == before)
        let after = try DatabaseQueue(path: path).read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"), try String.fetchOne(db, sql: "PRAGMA journal_mode"))
        }
        #expect(after.0 == ["notes"] && after.1 == "wal", "\(after)")
    }

    // MARK: - Item 11: control characters in names

    /// The date column of `ls` and `show` (local time) as a fixed text, for pinning the rest.
    static func withoutDates(_ text: String) -> String {
        text.replacingOccurrences(of: #"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"#, with: "YYYY-MM-DD hh:mm:ss", options: .regularExpression)
    }

    @Test func controlCharactersInLabelsAndFileNamesAreEscapedInTextOutput() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let folder = cli.tmp.path + "/model"
        try FileManager.default.copyItem(atPath: Fixtures.casePath("seed_mlp_train_and_serve"), toPath: folder)
        // A file whose name sets the terminal's title; a label that clears the screen and one
        // whose newline would fake a row.
        let title = "\u{1B}]0;owned\u{07}.txt"
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/assets.extra/" + title))
        try cli.ok("push", folder, "seed", "--label", "note=\u{1B}[2J\u{1B}[H", "--label", "row=x\nseed:9  fake", "--label", "dir=\u{202E}txt.exe")

        let ls = try cli.ok("ls")
        #expect(!ls.stdout.contains(0x1B) && !ls.stdout.contains(0x07))
        #expect(Self.withoutDates(ls.out) == """
            VERSION  CREATED              KIND         TAG SETS         TENSORS  TENSOR SIZE  STEP  METRICS  ALIASES/LABELS
            seed:1   YYYY-MM-DD hh:mm:ss  saved_model  {train} {serve}  21       74.3 KiB                    dir=\\u{202E}txt.exe note=\\x1B[2J\\x1B[H row=x\\x0Aseed:9  fake

            """)

        let show = try cli.ok("show", "seed")
        #expect(!show.stdout.contains(0x1B) && !show.stdout.contains(0x07))
        #expect(show.out.contains("\nlabels: dir=\\u{202E}txt.exe note=\\x1B[2J\\x1B[H row=x\\x0Aseed:9  fake\n"), "\(show.out)")
        #expect(show.out.contains("\n  assets.extra/\\x1B]0;owned\\x07.txt  1 B\n"), "\(show.out)")

        // --json stays exact.
        let listed = try #require(try cli.json("ls") as? [[String: Any]])
        #expect(listed.first?["labels"] as? [String: String] == ["note": "\u{1B}[2J\u{1B}[H", "row": "x\nseed:9  fake", "dir": "\u{202E}txt.exe"])
        let detail = try #require(try cli.json("show", "seed") as? [String: Any])
        let files = (detail["files"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        #expect(files.contains("assets.extra/" + title), "\(files)")
    }

    // MARK: - Item 12: names in messages

    @Test func namesInMessagesAreEscapedAndBounded() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("seed_mlp_training"), "m")  // read verbs need a registry
        let long = try cli.run("show", String(repeating: "a", count: 100_000))
        #expect(long.status == 1)
        #expect(long.stderr == "Error: '\(String(repeating: "a", count: 200))… (99800 more characters)' cannot name a model: "
                + "it is longer than 200 characters\n", "\(long.stderr.prefix(400))")

        let escape = try cli.run("show", "\u{1B}[2Jm")
        #expect(escape.status == 1)
        #expect(escape.stderr == "Error: '\\x1B[2Jm' cannot name a model: '\\x1B' is not allowed; a name is lowercase letters and digits, "
                + "with '.', '_', '__' or dashes between them, in parts joined by '/'\n", "\(escape.stderr)")

        let label = try cli.run("ls", "--label", String(repeating: "k", count: 100_000))
        #expect(label.status == 1 && label.stderr.count < 1_000 && label.stderr.hasSuffix("… (99800 more characters)' is not a label; write key=value\n"),
                "\(label.stderr.prefix(400))")
    }

    // MARK: - Items 7 and 12: damaged sizes

    static let twoTo62: Int64 = 1 << 62

    /// Sizes of 2^62 in the columns beside two tensors' entries: every verb still works (the
    /// export reads the entries) and `verify` names both; before, `show` and `pull` crashed on
    /// an arithmetic overflow and `verify` said all intact.
    @Test func sizesOf2To62InTensorColumnsAreDamageNotACrash() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("seed_mlp_training"), "m")
        try DatabaseQueue(path: cli.database).write { db in
            try db.execute(sql: "UPDATE tensors SET size = ? WHERE name IN ('beta1_power', 'beta2_power')", arguments: [Self.twoTo62])
        }
        for arguments in [["ls"], ["show", "m"], ["history", "m"], ["gc"]] {
            let result = try cli.run(arguments)
            #expect(result.status == 0 && result.stderr.isEmpty, "\(arguments): \(result)")
        }
        let out = cli.tmp.path + "/out"
        try cli.ok("pull", "m", "-o", out)
        #expect(try fileBytes(out + "/variables/variables.index") == fileBytes(Fixtures.casePath("seed_mlp_training") + "/variables/variables.index"))
        let verify = try cli.run("verify")
        #expect(verify.status == 1)
        #expect(verify.out.hasSuffix("""
            DAMAGED m:1 tensor 'beta1_power': its columns (size 4611686018427387904, offset 0) disagree with its index entry (size 4, offset 0)
            DAMAGED m:1 tensor 'beta2_power': its columns (size 4611686018427387904, offset 4) disagree with its index entry (size 4, offset 4)

            """), "\(verify.out)")
    }

    /// A stored entry claiming 2^62 bytes (a uint8 tensor of that shape): `pull` refuses in one
    /// line before writing, `verify` names it.
    @Test func anEntryOf2To62BytesIsRefusedByPullAndReportedByVerify() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("seed_mlp_training"), "m")
        try DatabaseQueue(path: cli.database).write { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT id, key, entry FROM tensors WHERE name = 'global_step'"))
            var entry = try BundleEntry(key: [UInt8](row["key"] as Data), encodedValue: [UInt8](row["entry"] as Data), file: "test")
            entry.dtype = .uint8
            entry.shape = [Self.twoTo62]
            entry.size = Self.twoTo62
            try db.execute(sql: "UPDATE tensors SET entry = ?, size = ?, dtype = ? WHERE id = ?",
                           arguments: [Data(entry.encodedValue), entry.size, entry.dtype.rawValue, row["id"] as Int64])
        }
        let out = cli.tmp.path + "/out"
        let pull = try cli.run("pull", "m", "-o", out)
        #expect(pull.status == 1 && pull.stderr.split(separator: "\n").count == 1, "\(pull)")
        // global_step's 2^62 bytes now run over the tensors after it.
        #expect(pull.stderr.hasPrefix("Error: the tensor index of m:1 is damaged inside the registry: ")
                && pull.stderr.contains("'global_step' (8..<4611686018427387912)"), "\(pull.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let verify = try cli.run("verify")
        #expect(verify.status == 1 && verify.out.contains("DAMAGED m:1 tensor index: the tensor index of m:1 is damaged"), "\(verify)")
        #expect(!verify.stderr.contains("overflow") && !pull.stderr.contains("overflow"))
    }

    // MARK: - Item 16: many shards

    /// A header declaring many shards, only the first present, pushed and pulled with 40 open
    /// descriptors allowed: the export writes one data file at a time. 1,000 shards here,
    /// 65,536 (the most a header may declare) under `REGISTRY_SOAK=1`; before, the exporter
    /// opened every shard at once and failed with "Too many open files".
    @Test func aBundleOfManyShardsExportsWithOneDataFileOpen() throws {
        let shards = ProcessInfo.processInfo.environment["REGISTRY_SOAK"] == "1" ? Int(BundleHeader.maxShards) : 1_000
        let cli = try CLI()
        defer { cli.cleanup() }
        let folder = cli.tmp.path + "/model"
        try FileManager.default.copyItem(atPath: Fixtures.casePath("seed_mlp_training"), toPath: folder)
        let prefix = folder + "/variables/variables"
        var index = try BundleIndex.decode(try fileBytes(prefix + ".index"), file: "index")
        index.header.numShards = Int32(shards)
        try Data(index.encode()).write(to: URL(fileURLWithPath: prefix + ".index"))
        try FileManager.default.moveItem(atPath: prefix + ".data-00000-of-00001", toPath: BundleReader.dataFileName(prefix: prefix, shard: 0, of: shards))

        let push = try Self.runLimited(files: 40, ["push", "--registry", cli.database, folder, "m"])
        #expect(push.status == 0, "\(push)")
        let out = cli.tmp.path + "/out"
        let pull = try Self.runLimited(files: 40, ["pull", "--registry", cli.database, "m", "-o", out])
        #expect(pull.status == 0, "\(pull)")
        let pulled = out + "/variables/variables"
        #expect(try fileBytes(pulled + ".index") == fileBytes(prefix + ".index"))
        #expect(try fileBytes(BundleReader.dataFileName(prefix: pulled, shard: 0, of: shards))
                == fileBytes(BundleReader.dataFileName(prefix: prefix, shard: 0, of: shards)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/variables").count == shards + 1)
        #expect(fileSize(BundleReader.dataFileName(prefix: pulled, shard: shards - 1, of: shards)) == 0)
        try cli.ok("verify")
    }
}
