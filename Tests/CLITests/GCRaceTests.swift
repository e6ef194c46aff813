import Foundation
import Testing
import TestSupport

/// gc in a loop (child `registry gc` processes, one after another) while two pushers push
/// model variants whose chunks are exactly those of versions they removed just before, so
/// that each push deduplicates against chunks gc is deleting at that moment, and a reader
/// lists and pulls. No command fails or reports contention; afterwards `verify` is clean and
/// every version pulls byte-identical to its source.
@Suite(.serialized) struct GCRaceTests {
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var failures: [String] = []
        private(set) var gcs = 0, freed = 0, reads = 0
        private var done = false
        func fail(_ message: String) { lock.withLock { failures.append(message) } }
        func collected(chunks: Int) { lock.withLock { gcs += 1; freed += chunks } }
        func read() { lock.withLock { reads += 1 } }
        var stopped: Bool { lock.withLock { done } }
        func stop() { lock.withLock { done = true } }
    }

    static let pushesPerPusher = soak ? 20 : 6

    @Test func gcLoopWhilePushesReuseTheChunksOfRemovedVersions() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let model = try SyntheticModel(megabytes: 8, seed: 11)
        // Three variants: each changes every other tensor, so variants share half their chunks.
        var digests: [FolderDigest] = []
        for variant in 0..<3 {
            try model.write(variant: variant, to: cli.tmp.path + "/v\(variant)")
            digests.append(try FolderDigest(cli.tmp.path + "/v\(variant)"))
        }
        try cli.ok("push", Fixtures.casePath("large_weights"), "keep")
        let keep = try FolderDigest(Fixtures.casePath("large_weights"))

        let log = Log()
        let gcDone = DispatchGroup(), readerDone = DispatchGroup()
        DispatchQueue.global().async(group: gcDone) {
            while !log.stopped {
                do {
                    let gc = try cli.run("gc", "--json")
                    guard gc.status == 0, let report = try gc.json() as? [String: Any] else { log.fail("gc: \(gc)"); continue }
                    log.collected(chunks: report["chunksRemoved"] as? Int ?? 0)
                } catch { log.fail("gc: \(error)") }
            }
        }
        DispatchQueue.global().async(group: readerDone) {
            while !log.stopped {
                do {
                    let ls = try cli.run("ls", "--model", "keep", "--json")
                    if ls.status != 0 || ConcurrencyTests.contention(ls) { log.fail("ls: \(ls)") }
                    if let problem = try CrashSafetyTests.pullProblem(cli, "keep:1", expected: keep) {
                        log.fail("reader: \(problem)")
                    }
                    log.read()
                } catch { log.fail("reader: \(error)") }
            }
        }
        // Pusher p pushes variant (i + p) % 3 as p-model:i, then removes version i - 1: the
        // chunks of that version that the next variant shares become garbage, and the next
        // push wants them again.
        ConcurrencyTests.concurrently(2) { pusher in
            for i in 1...Self.pushesPerPusher {
                let variant = (i + pusher) % 3
                do {
                    let push = try cli.run("push", cli.tmp.path + "/v\(variant)", "p\(pusher)", "--json")
                    let number = (try? push.json() as? [String: Any])?["version"] as? Int
                    if push.status != 0 || number != i || ConcurrencyTests.contention(push) { log.fail("push p\(pusher) #\(i): \(push)") }
                    if i > 1 {
                        let rm = try cli.run("rm", "p\(pusher):\(i - 1)")
                        if rm.status != 0 { log.fail("rm p\(pusher):\(i - 1): \(rm)") }
                    }
                } catch { log.fail("pusher \(pusher): \(error)") }
            }
        }
        log.stop()
        gcDone.wait()
        readerDone.wait()
        print("GCRaceTests: \(2 * Self.pushesPerPusher) pushes against \(log.gcs) gc runs (\(log.freed) chunks freed), "
              + "\(log.reads) reader loops; \(log.failures.count) failures")
        #expect(log.failures.isEmpty, "\(log.failures.prefix(5).joined(separator: "\n"))")
        #expect(log.gcs > 1 && log.freed > 0, "gc never ran while pushes did")

        // What the last removal left, then nothing.
        try cli.ok("gc")
        let again = try #require(try cli.json("gc") as? [String: Any])
        #expect(again["chunksRemoved"] as? Int == 0 && again["contentsRemoved"] as? Int == 0, "\(again)")
        try ConcurrencyTests.expectVerified(cli, versions: 3)
        for pusher in 0..<2 {
            let variant = (Self.pushesPerPusher + pusher) % 3
            let problem = try CrashSafetyTests.pullProblem(cli, "p\(pusher):\(Self.pushesPerPusher)", expected: digests[variant])
            #expect(problem == nil, "\(problem ?? "")")
        }
    }
}
