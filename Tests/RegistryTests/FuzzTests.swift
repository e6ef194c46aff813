import Dispatch
import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// A seeded mutation fuzzer over every TensorFlow file the registry reads: `variables.index`
/// (and checkpoint indexes), `saved_model.pb`, data shards (with the real or a doctored
/// index), and the `checkpoint` state file. Each mutant either decodes or throws a
/// `FormatError`; no input crashes, hangs (a guard of `CrashGuard.hangSeconds`, generous: a
/// test judges behaviour, never speed), or makes memory grow.
///
/// The mutants come from the TensorFlow-written corpus in `../shared/fixtures` and SplitMix64,
/// so a round number replays the same input. Mutators: bit flips, interesting byte values,
/// varint-boundary insertions, truncation, duplicated ranges, splices between two fixtures;
/// for tables also block-level damage with the block crc fixed up, entries rebuilt into
/// fresh blocks, and decoded indexes doctored field by field and re-encoded, so that the
/// mutants reach the block, protobuf and extent checks behind the crc.
///
/// CI runs about 11,000 inputs; `REGISTRY_SOAK=1` runs twenty times as many. Each target runs
/// in a child process of its own (an exit test), so that its peak RSS is its own: read in this
/// process it counted every test running beside it (333 MB once, while a remote pull ran). A
/// mutant that fails is written to a temporary folder (a crash or a hang too: from the signal
/// handler or the watchdog before the process dies) and its path printed; never into the
/// checkout. Copying it into `Tests/RegistryTests/Regressions/` is a deliberate commit, and
/// `savedRegressionsDecodeOrThrowFormatError` replays what is there.
@Suite(.serialized) struct FuzzTests {
    static let soak = ProcessInfo.processInfo.environment["REGISTRY_SOAK"] == "1"

    /// Inputs for one target: `ci` normally, twenty times that in the soak run.
    static func budget(_ ci: Int) -> Int { soak ? ci * 20 : ci }

    // MARK: (a) variables.index and checkpoint indexes

    @Test func mutatedIndexesDecodeOrThrowFormatError() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent, \.standardErrorContent]) {
            FuzzChild.run { try FuzzTests.mutatedIndexesDecodeOrThrowFormatErrorBody() }
        }
        FuzzChild.report(result)
    }

    static func mutatedIndexesDecodeOrThrowFormatErrorBody() throws -> [String] {
        let seeds = try FuzzCorpus.indexes()
        let run = FuzzRun(target: "index")
        var m = Mutator(seed: 0x1dec_0de5_0000_000a)
        // The 531 KB multiblock index costs ~40 times the others per input: it comes up less often.
        let schedule = FuzzCorpus.weighted(seeds.indices.map { (seeds[$0].bytes.count, $0) })
        for round in 0..<Self.budget(4_000) {
            let seed = seeds[schedule[round % schedule.count]]
            let other = seeds[m.below(seeds.count)]
            let (how, input) = IndexMutants.make(seed, other: other, &m)
            run.run(round: round, label: "\(seed.name): \(how)", input: input) { try FuzzReplay.index(input) }
        }
        // The crc fix-ups and rebuilt blocks get mutants past the crc to every inner check.
        return run.finish() + FuzzChild.require([
            (run.kinds["corrupt", default: 0] > run.inputs / 4, "fewer than a quarter corrupt: \(run.kinds)"),
            (run.kinds["checksumMismatch", default: 0] > 0, "no checksum mismatch: \(run.kinds)"),
            (run.accepted > 0, "nothing accepted"),
        ])
    }

    // MARK: (b) saved_model.pb

    @Test func mutatedSavedModelFilesDecodeOrThrowFormatError() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent, \.standardErrorContent]) {
            FuzzChild.run { try FuzzTests.mutatedSavedModelFilesDecodeOrThrowFormatErrorBody() }
        }
        FuzzChild.report(result)
    }

    static func mutatedSavedModelFilesDecodeOrThrowFormatErrorBody() throws -> [String] {
        let seeds = try FuzzCorpus.savedModels()
        let run = FuzzRun(target: "savedmodel")
        var m = Mutator(seed: 0x5a7e_d30d_e100_000b)
        let schedule = FuzzCorpus.weighted(seeds.indices.map { (seeds[$0].bytes.count, $0) })
        for round in 0..<Self.budget(1_500) {
            let seed = seeds[schedule[round % schedule.count]]
            var input = seed.bytes
            let other = seeds[m.below(seeds.count)].bytes
            let how = m.mutate(&input, other: other)
            run.run(round: round, label: "\(seed.name): \(how)", input: input) { try FuzzReplay.savedModel(input) }
        }
        return run.finish() + FuzzChild.require([(run.accepted > 0 && run.rejected > 0, "accepted \(run.accepted), rejected \(run.rejected)")])
    }

    /// The text form `SavedModelDirectory.open` also reads (`saved_model.pbtxt`): the
    /// scrubber that skips opaque fields and `Any` expansions, then the text parser.
    @Test func mutatedSavedModelTextsDecodeOrThrowFormatError() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent, \.standardErrorContent]) {
            FuzzChild.run { try FuzzTests.mutatedSavedModelTextsDecodeOrThrowFormatErrorBody() }
        }
        FuzzChild.report(result)
    }

    static func mutatedSavedModelTextsDecodeOrThrowFormatErrorBody() throws -> [String] {
        let seeds = try FuzzCorpus.savedModelTexts()
        let run = FuzzRun(target: "savedmodeltext")
        var m = Mutator(seed: 0x7e47_5a7e_d000_000b)
        for round in 0..<Self.budget(500) {
            let seed = seeds[round % seeds.count]
            var input = seed.bytes
            let other = seeds[m.below(seeds.count)].bytes
            let how = m.mutateText(&input, other: other)
            run.run(round: round, label: "\(seed.name): \(how)", input: input) { try FuzzReplay.savedModelText(input) }
        }
        return run.finish() + FuzzChild.require([(run.accepted > 0 && run.rejected > 0, "accepted \(run.accepted), rejected \(run.rejected)")])
    }

    // MARK: (c) data shards, with the real index or a doctored one

    @Test func mutatedBundlesReadOrThrowFormatError() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent, \.standardErrorContent]) {
            FuzzChild.run { try FuzzTests.mutatedBundlesReadOrThrowFormatErrorBody() }
        }
        FuzzChild.report(result)
    }

    static func mutatedBundlesReadOrThrowFormatErrorBody() throws -> [String] {
        let seeds = try FuzzCorpus.bundles()
        let scratch = try TemporaryDirectory(label: "registry-fuzz-bundle")
        defer { scratch.cleanup() }
        let run = FuzzRun(target: "bundle")
        var m = Mutator(seed: 0xda7a_5ba2_d000_000c)
        let schedule = FuzzCorpus.weighted(seeds.indices.map { (seeds[$0].files.reduce(0) { $0 + $1.bytes.count }, $0) })
        for round in 0..<Self.budget(2_500) {
            let seed = seeds[schedule[round % schedule.count]]
            let other = seeds[m.below(seeds.count)]
            let (how, files) = BundleMutants.make(seed, other: other, &m)
            let input = BundleContainer.encode(files)
            run.run(round: round, label: "\(seed.name): \(how)", input: input) {
                try FuzzReplay.bundle(files: files, in: scratch.path)
            }
        }
        return run.finish() + FuzzChild.require([
            (run.kinds["checksumMismatch", default: 0] > 0 && run.kinds["truncated", default: 0] > 0, "\(run.kinds)"),
            (run.accepted > 0, "nothing accepted"),
        ])
    }

    // MARK: (d) the checkpoint state file

    @Test func mutatedCheckpointStatesParseOrThrowFormatError() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent, \.standardErrorContent]) {
            FuzzChild.run { try FuzzTests.mutatedCheckpointStatesParseOrThrowFormatErrorBody() }
        }
        FuzzChild.report(result)
    }

    static func mutatedCheckpointStatesParseOrThrowFormatErrorBody() throws -> [String] {
        let seeds = try FuzzCorpus.checkpointStates()
        let run = FuzzRun(target: "checkpoint")
        var m = Mutator(seed: 0xc4ec_4901_7000_000d)
        for round in 0..<Self.budget(3_000) {
            let seed = seeds[round % seeds.count]
            var input = seed.bytes
            let other = seeds[m.below(seeds.count)].bytes
            let how = m.mutateText(&input, other: other)
            run.run(round: round, label: "\(seed.name): \(how)", input: input) { try FuzzReplay.checkpointState(input) }
        }
        return run.finish() + FuzzChild.require([(run.accepted > 0 && run.rejected > 0, "accepted \(run.accepted), rejected \(run.rejected)")])
    }

    // MARK: Regressions

    /// Every input committed under `Regressions/` (each once crashed, hung or threw an untyped
    /// error): it still decodes or throws a `FormatError`.
    @Test func savedRegressionsDecodeOrThrowFormatError() throws {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: FuzzRun.committedRegressions)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
        let scratch = try TemporaryDirectory(label: "registry-fuzz-regressions")
        defer { scratch.cleanup() }
        var replayed = 0
        for name in names {
            let bytes = try fileBytes(FuzzRun.committedRegressions + "/" + name)
            #expect(bytes.count < 100_000, "\(name) is \(bytes.count) bytes; keep regressions small")
            do {
                switch name.split(separator: "-").first.map(String.init) ?? "" {
                case "index": try FuzzReplay.index(bytes)
                case "savedmodel": try FuzzReplay.savedModel(bytes)
                case "savedmodeltext": try FuzzReplay.savedModelText(bytes)
                case "bundle": try FuzzReplay.bundle(files: try BundleContainer.decode(bytes), in: scratch.path)
                case "checkpoint": try FuzzReplay.checkpointState(bytes)
                default: Issue.record("\(name): unknown regression kind (index-, savedmodel-, savedmodeltext-, bundle-, checkpoint-)"); continue
                }
            } catch is FormatError {
            } catch {
                Issue.record("\(name): \(type(of: error)): \(error)")
            }
            replayed += 1
        }
        print("fuzz regressions: \(replayed) saved inputs replayed from Tests/RegistryTests/Regressions")
    }

    // MARK: Decompression trusts only sizes the store recorded

    /// A chunk row whose recorded raw size or stored bytes were changed behind the registry's
    /// back: `verify` lists it and `pull` fails with `StoreError.damaged`, leaving no folder,
    /// and neither allocates what the damaged row claims (measured in a child process of its own).
    @Test func damagedChunkSizesAndDataAreReportedWithoutHugeAllocations() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent, \.standardErrorContent]) {
            FuzzChild.run { try FuzzTests.damagedChunksBody() }
        }
        FuzzChild.report(result)
    }

    static func damagedChunksBody() throws -> [String] {
        try withTemporaryDirectory(label: "registry-fuzz-chunks") { tmp in
            var problems: [String] = []
            let dbPath = tmp.path + "/registry.db"
            let registry = try ModelRegistry(path: dbPath)
            _ = try registry.push(savedModel: Fixtures.path("large_weights"), model: "w")
            let database = try DatabaseQueue(path: dbPath)
            // The biggest chunk of each filter (random bytes raw, the string tensor as lz4, float
            // tensors as byte planes).
            let chunks = try database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT id, filter, raw_size FROM chunks c WHERE raw_size = (SELECT MAX(raw_size) FROM chunks WHERE filter = c.filter)
                    GROUP BY filter
                    """).map { (id: $0[0] as Int64, filter: $0[1] as Int, rawSize: $0[2] as Int64) }
            }
            if Set(chunks.map(\.filter)) != [0, 1, 3] { problems.append("expected raw, lz4 and byte-plane chunks: \(chunks)") }
            let damages: [(String, String)] = [
                ("raw_size x 1000", "UPDATE chunks SET raw_size = raw_size * 1000 WHERE id = ?"),
                ("raw_size 2^40", "UPDATE chunks SET raw_size = 1099511627776 WHERE id = ?"),
                ("raw_size 2^62", "UPDATE chunks SET raw_size = 4611686018427387904 WHERE id = ?"),
                ("raw_size negative", "UPDATE chunks SET raw_size = -raw_size WHERE id = ?"),
                ("raw_size + 1", "UPDATE chunks SET raw_size = raw_size + 1 WHERE id = ?"),
                ("raw_size - 1", "UPDATE chunks SET raw_size = raw_size - 1 WHERE id = ?"),
                ("raw_size 0", "UPDATE chunks SET raw_size = 0 WHERE id = ?"),
                ("data truncated to half", "UPDATE chunks SET data = substr(data, 1, length(data) / 2) WHERE id = ?"),
                ("data without its last byte", "UPDATE chunks SET data = substr(data, 1, length(data) - 1) WHERE id = ?"),
                ("data empty", "UPDATE chunks SET data = x'' WHERE id = ?"),
                ("data doubled", "UPDATE chunks SET data = data || data WHERE id = ?"),
            ]
            let rssBefore = peakRSSKilobytes()
            var cases = 0
            for chunk in chunks {
                let original = try database.read { db in try Row.fetchOne(db, sql: "SELECT raw_size, data FROM chunks WHERE id = ?", arguments: [chunk.id])! }
                for (what, sql) in damages {
                    let label = "chunk \(chunk.id) (filter \(chunk.filter)): \(what)"
                    try database.write { db in try db.execute(sql: sql, arguments: [chunk.id]) }
                    defer {
                        try? database.write { db in
                            try db.execute(sql: "UPDATE chunks SET raw_size = ?, data = ? WHERE id = ?",
                                           arguments: [original[0] as Int64, original[1] as Data, chunk.id])
                        }
                    }
                    let report = try registry.verify()
                    if report.problems.isEmpty { problems.append("\(label): verify found nothing") }
                    for problem in report.problems where !problem.detail.contains("chunk \(chunk.id) is damaged") {
                        problems.append("\(label): \(problem.detail)")
                    }
                    let target = tmp.path + "/out-\(cases)"
                    do {
                        _ = try registry.pull(VersionReference(model: "w"), to: target)
                        problems.append("\(label): pull succeeded")
                    } catch StoreError.damaged(let damaged, _) {
                        if damaged != "chunk \(chunk.id)" { problems.append("\(label): pull named \(damaged)") }
                    } catch {
                        problems.append("\(label): pull threw \(type(of: error)) \(error), not StoreError.damaged")
                    }
                    if FileSystem.exists(target) { problems.append("\(label): pull left \(target)") }
                    let growth = (peakRSSKilobytes() - rssBefore) / 1024
                    if growth >= 256 { problems.append("\(label): peak RSS grew by \(growth) MB") }
                    cases += 1
                }
            }
            if !(try registry.verify().problems.isEmpty) { problems.append("verify finds damage after every row was restored") }
            _ = try registry.pull(VersionReference(model: "w"), to: tmp.path + "/clean")
            print("fuzz chunk rows: \(cases) damaged chunk rows, each reported by verify and refused by pull; "
                  + "peak RSS +\((peakRSSKilobytes() - rssBefore) / 1024) MB")
            return problems
        }
    }
}

// MARK: - What each input is run through (shared by the fuzz loops and the regression replay)

private struct RoundTripFailure: Error, CustomStringConvertible {
    var description: String
}

enum FuzzReplay {
    static let indexName = "fuzz/variables.index"
    static let graphName = "fuzz/saved_model.pb"
    static let stateName = "fuzz/checkpoint"
    static let textName = "fuzz/saved_model.pbtxt"

    /// Decodes an index; what decodes must encode again to the same index.
    static func index(_ bytes: [UInt8]) throws {
        let index = try BundleIndex.decode(bytes, file: indexName)
        let again = try BundleIndex.decode(index.encode(), file: indexName)
        guard again == index else { throw RoundTripFailure(description: "re-encoded index decodes differently") }
    }

    /// Decodes a binary SavedModel; what decodes must rebuild into a file with the same graphs
    /// (checked below 256 KB: a debug build parses the 2.5 MB fixture in ~0.4 s).
    static func savedModel(_ bytes: [UInt8]) throws {
        let file = try SavedModelFile.decode(binary: bytes, file: graphName)
        guard bytes.count <= 256 << 10 else { return }
        let again = try SavedModelFile.decode(binary: file.encode(), file: graphName)
        guard again.metaGraphs.map(\.bytes) == file.metaGraphs.map(\.bytes), again.otherFields == file.otherFields else {
            throw RoundTripFailure(description: "rebuilt saved_model.pb decodes differently")
        }
    }

    static func savedModelText(_ bytes: [UInt8]) throws {
        let file = try SavedModelFile.decode(text: bytes, file: textName)
        guard file.encode() == bytes else { throw RoundTripFailure(description: "the text is not written back verbatim") }
    }

    /// Parses a checkpoint state; what parses must write text that parses to the same state.
    static func checkpointState(_ bytes: [UInt8]) throws {
        let state = try CheckpointState.parse(bytes, file: stateName)
        let again = try CheckpointState.parse(Array(state.text.utf8), file: stateName)
        guard again.text == state.text else { throw RoundTripFailure(description: "written text parses differently") }
    }

    /// Writes the bundle's files (`b.index`, `b.data-…`) into `folder`, opens it and reads
    /// every entry: strings split into elements, partitioned tensors assembled, numeric ones
    /// both read whole and streamed.
    static func bundle(files: [(name: String, bytes: [UInt8])], in folder: String) throws {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            try FileManager.default.removeItem(atPath: folder + "/" + name)
        }
        for file in files {
            guard !file.name.contains("/"), file.name.hasPrefix("b.") else { throw TestFailure("bad file name \(file.name)") }
            try FileSystem.write(file.bytes, to: folder + "/" + file.name)
        }
        let reader = try BundleReader(prefix: folder + "/b")
        for entry in reader.index.entries {
            if !entry.slices.isEmpty {
                _ = try reader.fullValue(of: entry)
                continue
            }
            let bytes = try reader.read(entry)
            if entry.dtype == .string {
                let elements = try StringTensor.decode(bytes, count: Int(entry.elementCount ?? 0), file: folder + "/b", entry: entry.displayName)
                guard elements.count == Int(entry.elementCount ?? 0) else { throw RoundTripFailure(description: "string count") }
            } else if entry.dtype.elementSize != nil {
                var streamed: [UInt8] = []
                try reader.stream(entry, chunkSize: 4096) { streamed += $0 }
                guard streamed == bytes else { throw RoundTripFailure(description: "streamed bytes differ from read bytes") }
            }
        }
    }
}

// MARK: - The harness: timing, typed errors, memory, saved failures

/// One fuzz target's tally. `run` classifies an input's outcome (its time is recorded for the
/// summary line, never judged) and writes it to `newRegressions` when it fails; `finish`
/// prints the summary line and returns what went wrong.
final class FuzzRun {
    /// Inputs committed on purpose, replayed by `savedRegressionsDecodeOrThrowFormatError` (read only).
    static let committedRegressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Regressions").path
    /// Where failing inputs of this run go: a temporary folder, never the checkout.
    static let newRegressions = FileManager.default.temporaryDirectory.appendingPathComponent("registry-fuzz-regressions-\(getpid())").path

    let target: String
    private(set) var inputs = 0, accepted = 0, rejected = 0
    private(set) var kinds: [String: Int] = [:]
    private(set) var failures: [String] = []
    private(set) var saved: [String] = []
    private var unnamed = 0
    private var slowest: UInt64 = 0
    private var slowestLabel = ""
    private let rssBefore = peakRSSKilobytes()
    private let started = DispatchTime.now().uptimeNanoseconds

    init(target: String) {
        self.target = target
        CrashGuard.install()
    }

    func run(round: Int, label: String, input: [UInt8], _ body: () throws -> Void) {
        inputs += 1
        var failure: String?
        let elapsed: UInt64 = input.withUnsafeBytes { raw in
            CrashGuard.arm(raw, path: Self.newRegressions + "/\(target)-crash-round\(round).bin", label: "\(target) round \(round) (\(label))")
            defer { CrashGuard.disarm() }
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                try body()
                accepted += 1
            } catch let error as FormatError {
                rejected += 1
                kinds[error.kind.rawValue, default: 0] += 1
                if !Self.namesItsFile(error) {
                    unnamed += 1
                    if unnamed <= 3 { print("fuzz \(target) round \(round) (\(label)): the error does not name the file: \(error)") }
                }
            } catch {
                failure = "untyped \(type(of: error)): \(error)"
            }
            return DispatchTime.now().uptimeNanoseconds - start
        }
        if elapsed > slowest { slowest = elapsed; slowestLabel = "round \(round), \(input.count) bytes, \(label)" }
        if let failure {
            let path = Self.save(input, target: target)
            saved.append(path)
            failures.append("round \(round) (\(label)): \(failure); saved as \(path)")
        }
    }

    /// Errors name the fuzzed file (or, for bundles, the scratch folder's index or data file).
    private static func namesItsFile(_ error: FormatError) -> Bool {
        let text = error.description
        return text.contains("fuzz/") || text.contains("registry-fuzz-")
    }

    /// Writes a failing input to `newRegressions` and prints where.
    static func save(_ input: [UInt8], target: String) -> String {
        try? FileManager.default.createDirectory(atPath: newRegressions, withIntermediateDirectories: true)
        let path = newRegressions + "/\(target)-\(sha256Hex(input).prefix(16)).bin"
        FileManager.default.createFile(atPath: path, contents: Data(input))
        print("fuzz \(target): a failing input saved as \(path) (copy it into Tests/RegistryTests/Regressions to keep it)")
        return path
    }

    /// Prints the summary line; returns what went wrong (nothing when all is well). The peak
    /// RSS is this process's: a child process that runs this target alone.
    func finish() -> [String] {
        let peak = peakRSSKilobytes()
        let growth = (peak - rssBefore) / 1024
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let kindList = kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("fuzz \(target): \(inputs) inputs, \(accepted) accepted, \(rejected) rejected (\(kindList)), "
              + "\(failures.count) failures; slowest \(String(format: "%.1f", Double(slowest) / 1e6)) ms (\(slowestLabel)); "
              + "peak RSS \(peak / 1024) MB (+\(growth) MB); \(String(format: "%.1f", seconds)) s")
        return FuzzChild.require([
            (accepted + rejected + failures.count == inputs, "\(target): \(accepted) + \(rejected) + \(failures.count) is not \(inputs)"),
            (failures.isEmpty, "\(target): \(failures.count) failing inputs, first: \(failures.prefix(5))"),
            (unnamed == 0, "\(target): \(unnamed) errors do not name the file"),
            (growth < 256, "\(target): peak RSS grew by \(growth) MB"),
        ])
    }
}

func peakRSSKilobytes() -> Int {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    #if os(macOS)
    return usage.ru_maxrss / 1024  // bytes there, kilobytes on Linux
    #else
    return usage.ru_maxrss
    #endif
}

/// Writes the input being tried to `FuzzRun.newRegressions` if the process dies on it (a trap,
/// a bad access, an abort) or a watchdog finds it running for `hangSeconds`.
enum CrashGuard {
    nonisolated(unsafe) static var bytes: UnsafeRawPointer?
    nonisolated(unsafe) static var count = 0
    nonisolated(unsafe) static var path: UnsafeMutablePointer<CChar>?
    /// A hang, not a speed limit: the slowest input takes well under a second in a debug build,
    /// so two minutes is only ever reached by a loop that does not end, however loaded the machine.
    static let hangSeconds: UInt64 = 120
    private static let watchdog = Watchdog()
    private static let signals: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE]

    private final class Watchdog: @unchecked Sendable {
        let lock = NSLock()
        var started: UInt64 = 0
        var label = ""
        var running = false

        func start() {
            lock.lock()
            defer { lock.unlock() }
            guard !running else { return }
            running = true
            Thread.detachNewThread { [self] in
                while true {
                    usleep(250_000)
                    lock.lock()
                    let since = started, what = label
                    lock.unlock()
                    if since != 0, DispatchTime.now().uptimeNanoseconds - since > CrashGuard.hangSeconds * 1_000_000_000 {
                        CrashGuard.dump()
                        FileHandle.standardError.write(Data("fuzz: \(what) hangs (> \(CrashGuard.hangSeconds) s); input saved as \(CrashGuard.currentPath)\n".utf8))
                        abort()
                    }
                }
            }
        }
    }

    /// The actions in place before ours, put back before the signal is raised again.
    nonisolated(unsafe) private static var previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)

    private static let installed: Void = {
        let handler: @convention(c) (Int32) -> Void = { signal in
            CrashGuard.dump()
            // The previous action (the runtime's crash reporter, or the default) handles it again.
            sigaction(signal, CrashGuard.previous + Int(signal), nil)
            raise(signal)
        }
        for signal in signals {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = handler
            #else
            action.__sigaction_u.__sa_handler = handler
            #endif
            sigaction(signal, &action, previous + Int(signal))
        }
        watchdog.start()
    }()

    static func install() {
        _ = installed
        _ = folder
    }

    static var currentPath: String { path.map { String(cString: $0) } ?? "?" }

    static func arm(_ input: UnsafeRawBufferPointer, path newPath: String, label: String) {
        free(path)
        path = strdup(newPath)
        bytes = input.baseAddress.map { UnsafeRawPointer($0) }
        count = input.count
        watchdog.lock.lock()
        watchdog.started = DispatchTime.now().uptimeNanoseconds
        watchdog.label = label
        watchdog.lock.unlock()
    }

    static func disarm() {
        watchdog.lock.lock()
        watchdog.started = 0
        watchdog.lock.unlock()
        bytes = nil
        count = 0
    }

    /// The folder `dump` writes into, as a C string made before any signal.
    nonisolated(unsafe) private static let folder = strdup(FuzzRun.newRegressions)!

    /// Async-signal-safe: mkdir, open, write, close.
    static func dump() {
        guard let path, let bytes, count >= 0 else { return }
        _ = mkdir(folder, 0o755)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return }
        _ = write(fd, bytes, count)
        close(fd)
    }
}

// MARK: - Mutators

/// Byte-level mutations driven by SplitMix64.
struct Mutator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { rng.next() }
    /// 0..<bound (0 when bound <= 1).
    mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(rng.next() % UInt64(bound)) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    mutating func oneIn(_ n: Int) -> Bool { below(n) == 0 }

    static let interesting: [UInt8] = [0x00, 0xff, 0x7f, 0x80, 0x01]
    /// Varints at the edges: 2^64-1, 2^63-1, overlong, 10-byte overflows, 32-bit limits, 0.
    static let varints: [[UInt8]] = [
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
        [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
        [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02],
        [0xff, 0xff, 0xff, 0xff, 0x0f],
        [0xff, 0xff, 0xff, 0xff, 0x07],
        [0x80, 0x80, 0x80, 0x80, 0x10],
        [0x80, 0x80, 0x80, 0x80, 0x08],
        [0x80, 0x01], [0xff, 0x7f], [0x00], [0x80], [0xff],
    ]

    /// One to three stacked mutations; returns their names.
    mutating func mutate(_ bytes: inout [UInt8], other: [UInt8], inPlaceOnly: Bool = false) -> String {
        var names: [String] = []
        for _ in 0...below(3) { names.append(mutateOnce(&bytes, other: other, inPlaceOnly: inPlaceOnly)) }
        return names.joined(separator: "+")
    }

    mutating func mutateOnce(_ bytes: inout [UInt8], other: [UInt8], inPlaceOnly: Bool = false) -> String {
        let op = inPlaceOnly ? pick([0, 1, 3, 8]) : below(10)
        if bytes.isEmpty && [0, 1, 3, 8].contains(op) {
            bytes = [pick(Self.interesting)]
            return "empty-seeded"
        }
        switch op {
        case 0:
            for _ in 0...below(4) { bytes[below(bytes.count)] ^= 1 << UInt8(below(8)) }
            return "flip"
        case 1:
            for _ in 0...below(3) { bytes[below(bytes.count)] = pick(Self.interesting) }
            return "interesting"
        case 2:
            bytes.insert(contentsOf: pick(Self.varints), at: below(bytes.count + 1))
            return "varint-insert"
        case 3:
            let varint = pick(Self.varints), at = below(bytes.count)
            for (i, byte) in varint.enumerated() where at + i < bytes.count { bytes[at + i] = byte }
            return "varint-overwrite"
        case 4:
            guard !bytes.isEmpty else { return "noop" }
            bytes.removeLast(oneIn(2) ? 1 + below(min(8, bytes.count)) : below(bytes.count + 1))
            return "truncate"
        case 5:
            guard !bytes.isEmpty else { return "noop" }
            let start = below(bytes.count), length = 1 + below(min(oneIn(8) ? 65_536 : 64, bytes.count - start))
            let range = Array(bytes[start..<(start + length)])
            bytes.insert(contentsOf: range, at: oneIn(2) ? start + length : below(bytes.count + 1))
            return "duplicate"
        case 6:
            guard !other.isEmpty else { return "noop" }
            if oneIn(2) {  // head of this file, tail of the other
                let cut = below(bytes.count + 1), from = below(other.count)
                bytes = Array(bytes[..<cut]) + Array(other[from...].prefix(1 << 20))
            } else {  // a piece of the other file inserted
                let from = below(other.count), length = 1 + below(min(256, other.count - from))
                bytes.insert(contentsOf: other[from..<(from + length)], at: below(bytes.count + 1))
            }
            return "splice"
        case 7:
            guard !bytes.isEmpty else { return "noop" }
            let start = below(bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + below(oneIn(4) ? 4096 : 16)))
            return "delete"
        case 8:
            for _ in 0...below(8) { bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: next()) }
            return "random-bytes"
        default:
            bytes.insert(contentsOf: (0...below(8)).map { _ in UInt8(truncatingIfNeeded: next()) }, at: below(bytes.count + 1))
            return "insert-random"
        }
    }

    static let textTokens: [String] = [
        "\"", "\"", "'", "\\", "\\x", "\\x4", "\\777", "\\u12", "\\U0011ffff", ":", "{", "}", "<", ">", "[", "]", ",", ";", "#", "\n",
        " ", "1e999999", "-1e999999", "123456789012345678901234567890", "0x7fffffffffffffffff", "-0", "nan", "inf", "-inf",
        "infinity", "1.7976931348623157e309", "4.9e-325", "0x", "1.", ".5e", "1e", "+1", "--1", "18446744073709551616",
        "all_model_checkpoint_timestamps: ", "last_preserved_timestamp: ", "model_checkpoint_path: ",
        "all_model_checkpoint_paths: ", "unknown_field: 1", "[ext.field]: 1", "model_checkpoint_path { }",
        String(repeating: "{", count: 500), String(repeating: "a", count: 70_000),
    ]
    static let invalidUTF8: [[UInt8]] = [[0xc3], [0xff], [0xfe], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x00], [0x80]]

    /// Mutations for text formats: tokens that unbalance quotes and braces, out-of-range
    /// numbers, invalid UTF-8, repeated lines, plus the byte-level ones.
    mutating func mutateText(_ bytes: inout [UInt8], other: [UInt8]) -> String {
        var names: [String] = []
        for _ in 0...below(3) {
            switch below(8) {
            case 0, 1:
                let token = pick(Self.textTokens)
                bytes.insert(contentsOf: Array(token.utf8), at: below(bytes.count + 1))
                names.append("token")
            case 2:  // a value replaced by an odd number
                let number = pick(["1e999999", "nan", "-inf", "123456789012345678901234567890", "0x10", "1e-400", "-0.0", "\"1\"", ""])
                let field = pick(["all_model_checkpoint_timestamps", "last_preserved_timestamp", "model_checkpoint_path"])
                bytes += Array("\(field): \(number)\n".utf8)
                names.append("number")
            case 3:
                bytes.insert(contentsOf: pick(Self.invalidUTF8), at: below(bytes.count + 1))
                names.append("invalid-utf8")
            case 4:  // drop one quote
                let quotes = bytes.indices.filter { bytes[$0] == UInt8(ascii: "\"") }
                if !quotes.isEmpty { bytes.remove(at: pick(quotes)) }
                names.append("unquote")
            case 5:  // repeat a line many times
                let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
                if let line = lines.isEmpty ? nil : lines[below(lines.count)] {
                    // Many times, but the input stays under ~1 MB (the test's memory, not the parser's).
                    let times = min(oneIn(4) ? 5_000 : 3, max(1, (512 << 10) / (line.count + 1)))
                    for _ in 0..<times { bytes += line + [UInt8(ascii: "\n")] }
                }
                names.append("repeat-line")
            default:
                names.append(mutateOnce(&bytes, other: other))
            }
        }
        return names.joined(separator: "+")
    }
}

// MARK: - Table and bundle mutants

struct IndexSeed {
    let name: String
    let bytes: [UInt8]
    let layout: TableLayout
    /// Data block contents and the index block's separator keys.
    let blocks: [[UInt8]]
    let indexKeys: [[UInt8]]
    let index: BundleIndex
}

enum IndexMutants {
    static func make(_ seed: IndexSeed, other: IndexSeed, _ m: inout Mutator) -> (String, [UInt8]) {
        var bytes = seed.bytes
        switch m.below(10) {
        case 0, 1:  // anywhere in the file, no fix-ups
            return ("raw " + m.mutate(&bytes, other: other.bytes), bytes)
        case 2, 3:  // in place inside a block, crc made right again
            let handles = seed.layout.dataBlocks + [seed.layout.index, seed.layout.metaindex]
            let block = m.oneIn(3) ? m.pick(handles) : m.pick(seed.layout.dataBlocks)
            let start = Int(block.offset), end = Int(block.offset + block.size)
            var contents = Array(bytes[start..<end])
            var how = m.mutate(&contents, other: other.bytes, inPlaceOnly: true)
            bytes.replaceSubrange(start..<end, with: contents)
            if m.oneIn(10) {
                bytes[end] = m.pick([1, 2, 0xff])
                how += "+block-type"
            }
            refreshTrailer(&bytes, block)
            return ("block@\(block.offset) " + how, bytes)
        case 4, 5:  // a data block's contents damaged freely, the table laid out again around it
            var blocks = seed.blocks
            let which = m.below(blocks.count)
            let donor = other.blocks[m.below(other.blocks.count)]
            let how = m.mutate(&blocks[which], other: donor)
            return ("relaid block \(which) " + how, assembleTable(contents: blocks, indexKeys: seed.indexKeys))
        case 6, 7:  // entries edited, blocks rebuilt by the block builder
            var entries = seed.blocks.map { parseBlock($0) }
            let which = m.below(entries.count)
            var how = "entries of block \(which):"
            for _ in 0...m.below(2) {
                guard !entries[which].isEmpty else { break }
                let i = m.below(entries[which].count)
                let donor = entries[which][m.below(entries[which].count)]
                switch m.below(7) {
                case 0: how += " key " + m.mutate(&entries[which][i].key, other: donor.key)
                case 1, 2: how += " value " + m.mutate(&entries[which][i].value, other: donor.value)
                case 3: entries[which].insert(entries[which][i], at: i); how += " duplicate"
                case 4: entries[which].remove(at: i); how += " remove"
                case 5: entries[which].swapAt(i, m.below(entries[which].count)); how += " swap"
                default: entries[which][i].value = donor.value; how += " value-of-another"
                }
            }
            let interval = m.pick([16, 16, 1, 2, 1000])
            let blocks = entries.map { block -> [UInt8] in
                var builder = BlockBuilder(restartInterval: interval)
                for entry in block { builder.add(key: entry.key, value: entry.value) }
                return builder.finish()
            }
            return (how + " interval \(interval)", assembleTable(contents: blocks, indexKeys: m.oneIn(5) ? nil : seed.indexKeys))
        default:  // decoded, doctored field by field, encoded as TensorFlow would
            var index = seed.index
            let how = SemanticMutants.mutate(&index, dataSizes: [], &m)
            return ("fields " + how, index.encode())
        }
    }

    /// The entries of a well-formed block (the fixtures' own).
    static func parseBlock(_ contents: [UInt8]) -> [(key: [UInt8], value: [UInt8])] {
        do {
            var countReader = ByteReader(contents, from: contents.count - 4)
            let restarts = Int(try countReader.readUInt32LE())
            var reader = ByteReader(contents, from: 0, to: contents.count - 4 - 4 * restarts)
            var key: [UInt8] = []
            var entries: [(key: [UInt8], value: [UInt8])] = []
            while !reader.isAtEnd {
                let shared = Int(try reader.readVarint32()), nonShared = Int(try reader.readVarint32())
                let valueLength = Int(try reader.readVarint32())
                key = Array(key[..<shared]) + (try reader.readBytes(nonShared))
                entries.append((key, try reader.readBytes(valueLength)))
            }
            return entries
        } catch {
            return []
        }
    }
}

/// Field-level changes to a decoded index: extents, shapes, dtypes, shards, checksums,
/// slices and header fields set to edge values.
enum SemanticMutants {
    static func mutate(_ index: inout BundleIndex, dataSizes: [Int64], _ m: inout Mutator) -> String {
        var names: [String] = []
        for _ in 0...m.below(2) {
            guard !index.entries.isEmpty else { break }
            let i = m.below(index.entries.count)
            var e = index.entries[i]
            let dataSize = dataSizes.isEmpty ? 1 << 20 : dataSizes[Int(UInt32(bitPattern: e.shardID)) % dataSizes.count]
            switch m.below(12) {
            case 0:
                let another = index.entries[m.below(index.entries.count)].offset
                e.offset = m.pick([-1, 0, 1, e.offset &+ 1, e.offset &- 1, .max, Int64.max &- e.size &+ 1, 1 << 40, dataSize, dataSize &- e.size &+ 1, another])
                names.append("offset")
            case 1:
                e.size = m.pick([-1, 0, e.size &+ 1, e.size &- 1, .max, e.size &* 2, 1 << 40, dataSize, 4, 5])
                names.append("size")
            case 2:
                e.shape = m.pick([e.shape + [0], e.shape + [1 << 40], [.max, 2], [-1], [], e.shape.map { $0 &* 2 }, [1 << 31, 1 << 31],
                                  [3_037_000_500, 3_037_000_500], [e.size], [e.size / 4], Array(e.shape.reversed()), [Int64](repeating: 1, count: 64)])
                names.append("shape")
            case 3:
                e.dtype = DType(rawValue: m.pick([0, 1, 2, 3, 7, 7, 9, 10, 14, 18, 19, 20, 21, 21, 29, 33, 34, 100, -1, .max]))
                names.append("dtype")
            case 4:
                e.shardID = m.pick([-1, 1, index.header.numShards, .max, e.shardID == 0 ? 1 : 0])
                names.append("shard")
            case 5:
                e.maskedCRC32C = m.oneIn(2) ? e.maskedCRC32C ^ 1 : UInt32(truncatingIfNeeded: m.next())
                names.append("crc")
            case 6:
                let extents = e.shape.map { dim -> TensorSlice.Extent in
                    m.oneIn(3) ? .init(start: 0, length: nil)
                        : .init(start: m.pick([0, 1, -1, dim, dim &+ 1, .max]), length: m.pick([0, 1, -1, dim, .max, nil]))
                }
                if !e.slices.isEmpty && m.oneIn(2) {
                    e.slices.removeAll()
                } else {
                    e.slices.append(TensorSlice(extents: m.oneIn(4) ? extents + [.init(start: 0, length: 1)] : extents))
                    if m.oneIn(2) { e.size = 0; e.offset = 0 }
                }
                names.append("slices")
            case 7:  // another entry's extent and crc under this entry's dtype and shape
                let other = index.entries[m.below(index.entries.count)]
                e.offset = other.offset; e.size = other.size; e.maskedCRC32C = other.maskedCRC32C; e.shardID = other.shardID
                names.append("extent-of-another")
            case 8:
                index.header.numShards = m.pick([0, -1, 2, 3, .max, 1 << 16, (1 << 16) + 1, index.header.numShards &+ 1])
                names.append("num-shards")
            case 9:
                switch m.below(4) {
                case 0: index.header.endianness = 1
                case 1: index.header.producer = -1
                case 2: index.header.minConsumer = 2
                default: index.header.badConsumers = [1]
                }
                names.append("header-version")
            case 10:  // a string view of the bytes: count chosen so the minimum size still fits
                e.dtype = .string
                e.shape = [max(0, min(e.size &- 4, Int64(m.below(64))))]
                names.append("as-string")
            default:
                e.shape = [e.size]
                e.dtype = m.pick([.uint8, .int8, .bool])
                names.append("as-bytes")
            }
            index.entries[i] = e
        }
        return names.joined(separator: "+")
    }
}

struct BundleSeed {
    let name: String
    /// `b.index` first, then the data shards in order.
    let files: [(name: String, bytes: [UInt8])]
    let index: BundleIndex
}

enum BundleMutants {
    static func make(_ seed: BundleSeed, other: BundleSeed, _ m: inout Mutator) -> (String, [(name: String, bytes: [UInt8])]) {
        var files = seed.files
        let shards = files.count - 1
        let dataSizes = files.dropFirst().map { Int64($0.bytes.count) }
        switch m.below(20) {
        case 0..<10:  // one data shard damaged
            let shard = 1 + m.below(shards)
            let how = m.mutate(&files[shard].bytes, other: other.files[1 + m.below(other.files.count - 1)].bytes)
            return ("shard \(shard - 1) " + how, files)
        case 10..<13:  // bytes inside one tensor changed and its crc recomputed, so the payload parsers see them
            let candidates = seed.index.entries.filter { $0.slices.isEmpty && $0.size > 0 }
            guard let entry = candidates.isEmpty ? nil : m.pick(candidates) else { return ("noop", files) }
            let shard = 1 + Int(entry.shardID)
            let start = Int(entry.offset), end = Int(entry.offset + entry.size)
            var payload = Array(files[shard].bytes[start..<end])
            let how = m.mutate(&payload, other: [], inPlaceOnly: true)
            files[shard].bytes.replaceSubrange(start..<end, with: payload)
            var index = seed.index
            let position = index.entries.firstIndex { $0.key == entry.key }!
            let crc: UInt32?
            switch entry.dtype {
            case .string: crc = try? StringTensor.entryCRC(payload, count: Int(entry.elementCount ?? 0), file: "", entry: "")
            case .variant: crc = try? VariantTensor.entryCRC(payload, count: Int(entry.elementCount ?? 0), file: "", entry: "")
            default: crc = CRC32C.checksum(payload)
            }
            if let crc { index.entries[position].maskedCRC32C = CRC32C.mask(crc) }
            files[0].bytes = index.encode()
            return ("payload of \(entry.displayName) \(how)\(crc == nil ? "" : " crc fixed")", files)
        case 13..<19:  // the index doctored, the data files real
            var index = seed.index
            let how = SemanticMutants.mutate(&index, dataSizes: dataSizes, &m)
            files[0].bytes = index.encode()
            if m.oneIn(4) {
                let shard = 1 + m.below(shards)
                return ("index fields \(how) + shard " + m.mutate(&files[shard].bytes, other: []), files)
            }
            return ("index fields " + how, files)
        default:  // a shard missing, or an extra one
            if m.oneIn(2) {
                files.remove(at: 1 + m.below(shards))
                return ("shard missing", files)
            }
            files.append((BundleReader.dataFileName(prefix: "b", shard: shards, of: shards + 1), [1, 2, 3]))
            return ("extra shard file", files)
        }
    }
}

/// Several named files in one regression input: "RGFZ", then per file a u16 name length, the
/// name, a u32 length and the bytes (little-endian).
enum BundleContainer {
    static func encode(_ files: [(name: String, bytes: [UInt8])]) -> [UInt8] {
        var out = Array("RGFZ".utf8)
        for file in files {
            let name = Array(file.name.utf8)
            out += [UInt8(name.count & 0xff), UInt8(name.count >> 8)] + name
            ByteWriter.appendUInt32LE(UInt32(file.bytes.count), to: &out)
            out += file.bytes
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) throws -> [(name: String, bytes: [UInt8])] {
        guard bytes.starts(with: Array("RGFZ".utf8)) else { throw TestFailure("not a bundle container") }
        var reader = ByteReader(bytes, from: 4)
        var files: [(name: String, bytes: [UInt8])] = []
        while !reader.isAtEnd {
            let low = Int(try reader.readByte()), high = Int(try reader.readByte())
            let name = String(decoding: try reader.readBytes(low | high << 8), as: UTF8.self)
            let length = Int(try reader.readUInt32LE())
            files.append((name, try reader.readBytes(length)))
        }
        return files
    }
}

// MARK: - Seeds from the fixture corpus

enum FuzzCorpus {
    static var bundlePrefixes: [(name: String, prefix: String)] {
        var prefixes = Fixtures.savedModelCases.map { ($0, Fixtures.casePath($0) + "/variables/variables") }
            .filter { FileManager.default.fileExists(atPath: $0.1 + ".index") }
        for folder in ["saver_checkpoints/plain", "saver_checkpoints/sharded"] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.path(folder))) ?? []
            for name in names.sorted() where name.hasSuffix(".index") {
                prefixes.append(("\(folder)/\(name.dropLast(6))", Fixtures.path(folder) + "/" + name.dropLast(6)))
            }
        }
        return prefixes
    }

    static func indexes() throws -> [IndexSeed] {
        let seeds = try bundlePrefixes.map { name, prefix -> IndexSeed in
            let bytes = try fileBytes(prefix + ".index")
            let layout = try TableLayout(bytes)
            let indexEntries = IndexMutants.parseBlock(Array(bytes[Int(layout.index.offset)..<Int(layout.index.offset + layout.index.size)]))
            return IndexSeed(name: name, bytes: bytes, layout: layout,
                             blocks: layout.dataBlocks.map { Array(bytes[Int($0.offset)..<Int($0.offset + $0.size)]) },
                             indexKeys: indexEntries.map(\.key), index: try BundleIndex.decode(bytes, file: prefix + ".index"))
        }
        try #require(seeds.count >= 12, "expected every fixture's variables.index and the checkpoint indexes")
        return seeds
    }

    static func savedModels() throws -> [(name: String, bytes: [UInt8])] {
        let seeds = try Fixtures.savedModelCases.map { ($0, try fileBytes(Fixtures.casePath($0) + "/saved_model.pb")) }
        try #require(seeds.count >= 10)
        return seeds
    }

    /// Small fixtures' graphs in protobuf text format (as `textFormatString` writes them).
    static func savedModelTexts() throws -> [(name: String, bytes: [UInt8])] {
        try ["dtypes_exotic", "partitioned_variables"].map { name in
            let binary = try Tensorflow_SavedModel(serializedBytes: try fileBytes(Fixtures.casePath(name) + "/saved_model.pb"))
            return (name + ".pbtxt", Array(binary.textFormatString().utf8))
        }
    }

    static func bundles() throws -> [BundleSeed] {
        try bundlePrefixes.map { name, prefix in
            let index = try BundleIndex.decode(try fileBytes(prefix + ".index"), file: prefix + ".index")
            let count = Int(index.header.numShards)
            var files = [(name: "b.index", bytes: try fileBytes(prefix + ".index"))]
            for shard in 0..<count {
                files.append((BundleReader.dataFileName(prefix: "b", shard: shard, of: count),
                              try fileBytes(BundleReader.dataFileName(prefix: prefix, shard: shard, of: count))))
            }
            return BundleSeed(name: name, files: files, index: index)
        }
    }

    static func checkpointStates() throws -> [(name: String, bytes: [UInt8])] {
        var seeds = try ["saver_checkpoints/plain", "saver_checkpoints/sharded"].map { ($0, try fileBytes(Fixtures.path($0) + "/checkpoint")) }
        let written = CheckpointState(modelCheckpointPath: "/abs/path with \"quotes\"/model.ckpt-40",
                                      allModelCheckpointPaths: ["model.ckpt-30", "m\u{e9}\\odel\t\n.ckpt-40"],
                                      allModelCheckpointTimestamps: [1_795_534_872.4613247, 1_795_534_900.5],
                                      lastPreservedTimestamp: 1_795_534_000.25)
        seeds.append(("written-with-timestamps", Array(written.text.utf8)))
        return seeds
    }

    /// A round-robin schedule of seed indices in which big seeds come up less often: a seed of
    /// more than 256 KB once, more than 64 KB four times, others eight times per cycle.
    static func weighted(_ sizes: [(size: Int, index: Int)]) -> [Int] {
        var schedule: [Int] = []
        for pass in 0..<8 {
            for (size, index) in sizes {
                let times = size > 256 << 10 ? 1 : size > 64 << 10 ? 4 : 8
                if pass < times { schedule.append(index) }
            }
        }
        return schedule
    }
}
