import Crypto
import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryStore

/// A push reads exactly the files its scan listed: a file swapped for a symbolic link (or for
/// another file, or a folder for a link) between the scan and the read is refused, never
/// followed (issue 21, item 4). Files are opened relative to the folder's descriptor with
/// `O_NOFOLLOW` at every step and checked against the scan's device, inode and size.
@Suite struct FolderSwapTests {
    static let secret = Array("SECRET: not part of any model, must never be stored\n".utf8)

    /// A copy of `seed_mlp_train_and_serve` (which has `assets/vocab.txt`) and a secret file beside it.
    static func setUp(_ tmp: TemporaryDirectory) throws -> (folder: String, secret: String) {
        let folder = tmp.path + "/model"
        try FileManager.default.copyItem(atPath: Fixtures.path("seed_mlp_train_and_serve"), toPath: folder)
        let secret = tmp.path + "/secret.txt"
        try Data(Self.secret).write(to: URL(fileURLWithPath: secret))
        return (folder, secret)
    }

    /// Whether the registry stores the secret's bytes as a chunk (a chunk is addressed by the
    /// SHA-256 of its raw bytes).
    static func storesSecret(_ path: String) throws -> Bool {
        let hash = Data(SHA256.hash(data: Self.secret))
        return try DatabaseQueue(path: path).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM chunks WHERE hash = ?", arguments: [hash])! > 0
        }
    }

    /// Scans the folder, lets `swap` change it, then imports what was scanned.
    static func pushAfterSwap(_ swap: (String) throws -> Void) throws -> (error: FormatError?, storedSecret: Bool) {
        try withRegistry { registry, tmp in
            let (folder, _) = try setUp(tmp)
            let scanned = try SavedModelDirectory.open(folder)
            try swap(folder)
            var failure: FormatError?
            do {
                _ = try registry.push(scanned, model: "m")
            } catch let error as FormatError {
                failure = error
            }
            let stored = try storesSecret(registry.path)
            if failure != nil { #expect(try registry.list().isEmpty, "a refused push left a version") }
            return (failure, stored)
        }
    }

    /// The push must have been refused as unsafe, naming a file ending in `file` and saying `words`.
    static func expectUnsafePath(_ error: FormatError?, file suffix: String = "", saying words: String,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .unsafePath(let file, let detail)? = error else {
            Issue.record("expected unsafePath, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        #expect(file.hasSuffix(suffix) && detail.contains(words), "\(file): \(detail)", sourceLocation: sourceLocation)
    }

    @Test func aFileSwappedForALinkAfterTheScanIsRefused() throws {
        let result = try Self.pushAfterSwap { folder in
            try FileManager.default.removeItem(atPath: folder + "/assets/vocab.txt")
            try FileManager.default.createSymbolicLink(atPath: folder + "/assets/vocab.txt", withDestinationPath: folder + "/../secret.txt")
        }
        #expect(!result.storedSecret, "the link's target was stored")
        Self.expectUnsafePath(result.error, file: "model/assets/vocab.txt", saying: "symbolic link")
    }

    @Test func aFolderSwappedForALinkAfterTheScanIsRefused() throws {
        let result = try Self.pushAfterSwap { folder in
            // assets/ becomes a link to a folder whose vocab.txt is the secret.
            let elsewhere = folder + "/../elsewhere"
            try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: false)
            try FileManager.default.copyItem(atPath: folder + "/../secret.txt", toPath: elsewhere + "/vocab.txt")
            try FileManager.default.removeItem(atPath: folder + "/assets")
            try FileManager.default.createSymbolicLink(atPath: folder + "/assets", withDestinationPath: elsewhere)
        }
        #expect(!result.storedSecret, "a file through the linked folder was stored")
        Self.expectUnsafePath(result.error, saying: "symbolic link")
    }

    @Test func aFileReplacedByAnotherAfterTheScanIsRefused() throws {
        let result = try Self.pushAfterSwap { folder in
            // A rename leaves a regular file under the name, but not the one the scan listed.
            try FileManager.default.copyItem(atPath: folder + "/../secret.txt", toPath: folder + "/../swap.txt")
            guard rename(folder + "/../swap.txt", folder + "/assets/vocab.txt") == 0 else { throw TestFailure("rename failed") }
        }
        #expect(!result.storedSecret, "the replacement was stored")
        Self.expectUnsafePath(result.error, saying: "replaced while the folder was read")
    }

    @Test func aDataShardSwappedForALinkIsRefused() throws {
        let result = try Self.pushAfterSwap { folder in
            let shard = folder + "/variables/variables.data-00000-of-00001"
            try FileManager.default.moveItem(atPath: shard, toPath: folder + "/../shard")
            try FileManager.default.createSymbolicLink(atPath: shard, withDestinationPath: folder + "/../shard")
        }
        Self.expectUnsafePath(result.error, file: "variables/variables.data-00000-of-00001", saying: "symbolic link")
    }

    @Test func aFileThatGrowsAfterTheScanIsRefused() throws {
        let result = try Self.pushAfterSwap { folder in
            let handle = try #require(FileHandle(forWritingAtPath: folder + "/assets/vocab.txt"))
            handle.seekToEndOfFile()
            handle.write(Data(Self.secret))
            handle.closeFile()
        }
        #expect(!result.storedSecret)
        guard case .truncated(_, let detail)? = result.error else {
            Issue.record("expected a changed-size error, got \(String(describing: result.error))")
            return
        }
        #expect(detail.contains("changed size"), "\(detail)")
    }

    /// The probe's race: a thread swaps `assets/vocab.txt` between the real file and a link to
    /// the secret while pushes run. Every push either fails or stores the real file; the secret
    /// is never stored. 40 pushes here, 300 under `REGISTRY_SOAK=1` (before the fix, 5 of 300
    /// stored the link's target).
    @Test func swappingDuringManyPushesNeverStoresTheLinkTarget() throws {
        let pushes = ProcessInfo.processInfo.environment["REGISTRY_SOAK"] == "1" ? 300 : 40
        try withRegistry { registry, tmp in
            let (folder, secret) = try Self.setUp(tmp)
            let vocab = folder + "/assets/vocab.txt"
            let original = try fileBytes(vocab)
            let swapper = Swapper(target: vocab, real: original, linkTo: secret, scratch: tmp.path)
            let thread = Thread { swapper.run() }
            thread.start()
            var refused = 0, pushed = 0
            for _ in 0..<pushes {
                do {
                    _ = try registry.push(savedModel: folder, model: "m")
                    pushed += 1
                } catch is FormatError {
                    refused += 1
                }
            }
            swapper.stop()
            #expect(refused + pushed == pushes)
            #expect(try !Self.storesSecret(registry.path), "the link's target was stored (\(pushed) pushed, \(refused) refused)")
        }
    }

    /// Swaps a file between its real bytes and a link, by rename (so the name always exists).
    final class Swapper: @unchecked Sendable {
        let target: String, real: [UInt8], linkTo: String, scratch: String
        private let lock = NSLock()
        private var running = true
        private let done = DispatchSemaphore(value: 0)

        init(target: String, real: [UInt8], linkTo: String, scratch: String) {
            self.target = target
            self.real = real
            self.linkTo = linkTo
            self.scratch = scratch
        }

        func run() {
            var n = 0
            while lock.withLock({ running }) {
                let staged = scratch + "/swap-\(n)"
                if n % 2 == 0 {
                    _ = symlink(linkTo, staged)
                } else {
                    FileManager.default.createFile(atPath: staged, contents: Data(real))
                }
                _ = rename(staged, target)
                n += 1
                usleep(UInt32.random(in: 0...500))
            }
            // Leave the real file in place.
            FileManager.default.createFile(atPath: scratch + "/swap-last", contents: Data(real))
            _ = rename(scratch + "/swap-last", target)
            done.signal()
        }

        func stop() {
            lock.withLock { running = false }
            done.wait()
        }
    }
}
