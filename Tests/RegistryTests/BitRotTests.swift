import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// Single bits flipped in stored chunks, directly in the SQLite file: `verify` names exactly
/// the versions and the tensors, files and graphs that use the damaged chunk, and `pull` of
/// such a version fails with a clear error, leaving no folder, while the other versions
/// still pull byte for byte.
///
/// The registry holds two models that share nothing (`alpha` = seed_mlp_training, `beta` =
/// dtypes_zoo), a second `alpha` version that shares its variables' chunks with the first
/// (seed_mlp_train_and_serve: same values), and a `gamma` pushed from a text
/// `saved_model.pbtxt`, whose graph text is a content of its own. What a chunk damages is
/// computed from the tables (`content_chunks`, `tensors`, `files`, `meta_graphs`,
/// `versions.graph_text_id`), independently of `verify`. 200 seeded flips in CI, 2,000 with
/// `REGISTRY_SOAK=1`.
@Suite struct BitRotTests {
    static let trials = ProcessInfo.processInfo.environment["REGISTRY_SOAK"] == "1" ? 2_000 : 200

    struct Version: Hashable, CustomStringConvertible {
        var model: String
        var number: Int64
        var description: String { "\(model)@\(number)" }
    }

    @Test func everyFlippedBitIsNamedByVerifyAndRefusedByPull() throws {
        try withTemporaryDirectory(label: "registry-bitrot") { tmp in
            let textModel = try Self.textCopy(of: "dtypes_exotic", in: tmp.path)
            let sources: [(Version, String)] = [
                (Version(model: "alpha", number: 1), Fixtures.path("seed_mlp_training")),
                (Version(model: "beta", number: 1), Fixtures.path("dtypes_zoo")),
                (Version(model: "alpha", number: 2), Fixtures.path("seed_mlp_train_and_serve")),
                (Version(model: "gamma", number: 1), textModel),
            ]
            let dbPath = tmp.path + "/registry.db"
            let registry = try ModelRegistry(path: dbPath)
            for (version, folder) in sources {
                #expect(try registry.push(savedModel: folder, model: version.model).version == version.number)
            }
            #expect(try registry.verify().problems.isEmpty)
            let source = Dictionary(uniqueKeysWithValues: sources)
            let database = try DatabaseQueue(path: dbPath)

            let chunkIDs = try database.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM chunks ORDER BY id") }
            let (alphaChunks, betaChunks, sharedWithFirst) = try database.read { db in
                (try Self.chunks(of: Version(model: "alpha", number: 1), db), try Self.chunks(of: Version(model: "beta", number: 1), db),
                 try Self.chunks(of: Version(model: "alpha", number: 2), db))
            }
            #expect(alphaChunks.isDisjoint(with: betaChunks), "alpha and beta share chunks")
            #expect(alphaChunks.intersection(sharedWithFirst).count >= 10, "alpha@2 should reuse alpha@1's tensor chunks")

            var rng = SplitMix64(seed: 0xb17_b0d_f11b)
            var flips = 0, detected = 0, harmless = 0, pullsRefused = 0, cleanPulls = 0
            var pullErrors: [String: Int] = [:]
            var sharedFlips = 0
            for trial in 0..<Self.trials {
                let chunkID = chunkIDs[Int(rng.next() % UInt64(chunkIDs.count))]
                let row = try database.read { db in
                    try Row.fetchOne(db, sql: "SELECT id, hash, filter, raw_size, data, width, base_id, depth FROM chunks WHERE id = ?", arguments: [chunkID])!
                }
                let original = row[4] as Data
                var damaged = [UInt8](original)
                let bit = Int(rng.next() % UInt64(damaged.count * 8))
                damaged[bit / 8] ^= 1 << UInt8(bit % 8)
                let label = "trial \(trial): chunk \(chunkID) (filter \(row[2] as Int), \(original.count) bytes), bit \(bit)"
                try database.write { db in try db.execute(sql: "UPDATE chunks SET data = ? WHERE id = ?", arguments: [Data(damaged), chunkID]) }
                defer { try? database.write { db in try db.execute(sql: "UPDATE chunks SET data = ? WHERE id = ?", arguments: [original, chunkID]) } }
                flips += 1

                // An lz4 chunk whose damaged bytes still decode to the recorded bytes (a match offset
                // into a run of equal bytes) has lost nothing: nothing may be reported then.
                let damagedRow = StoredChunk(id: chunkID, hash: row[1], filter: row[2], width: row[5], rawSize: row[3], baseID: row[6],
                                             depth: row[7], data: Data(damaged))
                let stillIntact = row[6] as Int64? == nil && (try? ChunkDecoder.decode(chain: [damagedRow], verify: true)) != nil
                let (expected, pulledContents) = try database.read { db in try Self.damage(of: chunkID, db) }
                if stillIntact {
                    harmless += 1
                    let old = [UInt8](original)
                    print("bit rot: \(label): the lz4 stream changed (byte \(bit / 8): \(String(old[bit / 8], radix: 16)) -> "
                          + "\(String(damaged[bit / 8], radix: 16)), raw size \(row[3] as Int)) but still decodes to the recorded bytes")
                }
                let wanted = stillIntact ? [] : expected

                let report = try registry.verify()
                let found = report.problems.map { "\($0.model)@\($0.version): \($0.item)" }.sorted()
                #expect(found == wanted, "\(label): verify named \(found), expected \(wanted)")
                for problem in report.problems where !problem.detail.contains("chunk \(chunkID) is damaged") {
                    Issue.record("\(label): \(problem.item): unclear detail \(problem.detail)")
                }
                if !found.isEmpty && found == wanted { detected += 1 }
                let affected = Set(wanted.map { String($0.prefix { $0 != ":" }) })
                if affected.count > 1 { sharedFlips += 1 }

                // Versions that read the damaged bytes when pulled: fail, and leave nothing behind.
                for version in sources.map(\.0) where !stillIntact && pulledContents.contains(version) {
                    let target = tmp.path + "/pull-\(trial)-\(version.model)\(version.number)"
                    do {
                        _ = try registry.pull(VersionReference(model: version.model, selector: .number(version.number)), to: target)
                        Issue.record("\(label): pull of \(version) succeeded")
                    } catch StoreError.damaged(let what, _) {
                        pullErrors["StoreError.damaged(\(what.hasPrefix("chunk") ? "chunk" : what.hasPrefix("tensor") ? "tensor" : "other"))", default: 0] += 1
                        pullsRefused += 1
                    } catch let error as FormatError {
                        pullErrors["FormatError.\(error.kind.rawValue)", default: 0] += 1
                        pullsRefused += 1
                    } catch {
                        Issue.record("\(label): pull of \(version) threw \(type(of: error)): \(error)")
                    }
                    #expect(!FileSystem.exists(target), "\(label): pull of \(version) left \(target)")
                }
                // Versions untouched by the chunk: one of them, picked at random, pulls byte for byte.
                let untouched = sources.map(\.0).filter { !affected.contains($0.description) }
                if !untouched.isEmpty {
                    let version = untouched[Int(rng.next() % UInt64(untouched.count))]
                    let target = tmp.path + "/clean-\(trial)"
                    _ = try registry.pull(VersionReference(model: version.model, selector: .number(version.number)), to: target)
                    let listing = try DirectoryListing.scan(target)
                    #expect(listing == (try DirectoryListing.scan(source[version]!)), "\(label): \(version) pulled a different tree")
                    for file in listing.files where try fileBytes(target + "/" + file) != fileBytes(source[version]! + "/" + file) {
                        Issue.record("\(label): \(version) pulled a different \(file)")
                    }
                    try FileManager.default.removeItem(atPath: target)
                    cleanPulls += 1
                }
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix(".") }
                #expect(leftovers.isEmpty, "\(label): staging folders left: \(leftovers)")
            }
            #expect(try registry.verify().problems.isEmpty, "the registry is whole again after every flip was undone")
            #expect(detected + harmless == flips, "\(flips - detected - harmless) flips went undetected")
            print("bit rot: \(flips) bits flipped in \(chunkIDs.count) chunks, \(detected) detected by verify with exactly the damaged "
                  + "versions and items (\(sharedFlips) in chunks shared by two versions), \(harmless) left the chunk's bytes intact; "
                  + "\(pullsRefused) pulls of damaged versions refused (\(pullErrors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))), "
                  + "\(cleanPulls) pulls of undamaged versions byte-identical")
        }
    }

    /// The chunk ids every content of a version uses.
    static func chunks(of version: Version, _ db: Database) throws -> Set<Int64> {
        let id = try Int64.fetchOne(db, sql: """
            SELECT v.id FROM versions v JOIN models m ON m.id = v.model_id WHERE m.name = ? AND v.number = ?
            """, arguments: [version.model, version.number])!
        return Set(try Int64.fetchAll(db, sql: """
            SELECT chunk_id FROM content_chunks WHERE content_id IN (
                SELECT content_id FROM tensors WHERE version_id = :id
                UNION SELECT content_id FROM files WHERE version_id = :id
                UNION SELECT content_id FROM meta_graphs WHERE version_id = :id
                UNION SELECT graph_text_id FROM versions WHERE id = :id)
            """, arguments: ["id": id]))
    }

    /// What a damaged chunk spoils, from the tables: `verify`'s items ("model@n: tensor 'x'",
    /// "meta graph {tags}", "file path"), and the versions whose pull reads the chunk (a text
    /// graph's version writes its text, not its parsed meta graphs).
    static func damage(of chunkID: Int64, _ db: Database) throws -> ([String], Set<Version>) {
        let contents = "(SELECT content_id FROM content_chunks WHERE chunk_id = \(chunkID))"
        let owner = "JOIN versions v ON v.id = x.version_id JOIN models m ON m.id = v.model_id"
        let rows = try Row.fetchAll(db, sql: """
            SELECT m.name, v.number, 'tensor ''' || x.name || '''', 1 FROM tensors x \(owner) WHERE x.content_id IN \(contents)
            UNION ALL SELECT m.name, v.number, 'file ' || x.path, 1 FROM files x \(owner) WHERE x.is_folder = 0 AND x.content_id IN \(contents)
            UNION ALL SELECT m.name, v.number, 'meta graph {' || x.tag_set || '}', v.graph_encoding = 'binary' FROM meta_graphs x \(owner)
                WHERE x.content_id IN \(contents)
            UNION ALL SELECT m.name, v.number, 'file saved_model.pbtxt', 1 FROM versions v JOIN models m ON m.id = v.model_id
                WHERE v.graph_text_id IN \(contents)
            """)
        var items: [String] = []
        var pulled = Set<Version>()
        for row in rows {
            let version = Version(model: row[0], number: row[1])
            items.append("\(version): \(row[2] as String)")
            if row[3] as Bool { pulled.insert(version) }
        }
        return (items.sorted(), pulled)
    }

    /// A copy of a fixture SavedModel whose graph is `saved_model.pbtxt` (protobuf text format).
    static func textCopy(of name: String, in folder: String) throws -> String {
        let target = folder + "/" + name + "-text"
        try FileManager.default.copyItem(atPath: Fixtures.path(name), toPath: target)
        let binary = try Tensorflow_SavedModel(serializedBytes: try fileBytes(target + "/saved_model.pb"))
        try binary.textFormatString().write(toFile: target + "/saved_model.pbtxt", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: target + "/saved_model.pb")
        return target
    }
}
