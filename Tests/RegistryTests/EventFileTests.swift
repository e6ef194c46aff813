import Foundation
import Testing
import TestSupport
@testable import RegistryFormat

/// TensorBoard event files as TensorFlow writes them (TF2 `tf.summary`, TF1 `FileWriter`), read
/// by `EventLog`; every truncation and every flipped bit of a real file refused with the file
/// and the record named; hostile lengths refused before anything is allocated.
@Suite struct EventFileTests {
    /// Writes a TF2 log (scalars, a histogram and text that are not curves, a subfolder) and a
    /// TF1 log (`Summary` protos with `simple_value`, the graph) into ARGV[1].
    static let writer = #"""
    import os, sys
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    root = sys.argv[1]
    train = tf.summary.create_file_writer(os.path.join(root, "tf2"))
    evaluation = tf.summary.create_file_writer(os.path.join(root, "tf2", "eval"))
    for s in range(1, 6):
        with train.as_default():
            tf.summary.scalar("loss", 1.0 / s, step=s)
            tf.summary.scalar("steps", tf.constant(s, tf.int64), step=s)
            tf.summary.histogram("weights", [1.0, 2.0, float(s)], step=s)
            tf.summary.text("note", "not a curve", step=s)
        with evaluation.as_default():
            tf.summary.scalar("loss", 2.0 / s, step=s)
    train.close()
    evaluation.close()
    graph = tf.Graph()
    with graph.as_default():
        writer = tf.compat.v1.summary.FileWriter(os.path.join(root, "tf1"), graph=graph)
        for s in range(0, 30, 10):
            writer.add_summary(tf.compat.v1.Summary(value=[tf.compat.v1.Summary.Value(tag="acc", simple_value=s / 100)]), s)
        writer.close()
    """#

    static func writeLogs(into folder: String) throws {
        let result = try TensorFlowOracle.runScript(writer, [folder])
        guard result.status == 0 else { throw TestFailure("the event writer failed: \(result.stderr.suffix(1500))") }
    }

    @Test(.enabled(if: TensorFlowOracle.enabled, "needs the TensorFlow venv (make test)"))
    func readsTheScalarsTensorFlowWrites() throws {
        try withTemporaryDirectory { tmp in
            try Self.writeLogs(into: tmp.path)
            let tf2 = try EventLog.scalars(folder: tmp.path + "/tf2")
            func series(_ tag: String) -> [Double] { tf2.filter { $0.tag == tag }.map(\.value) }
            #expect(Set(tf2.map(\.tag)) == ["loss", "steps", "eval/loss"])
            #expect(series("loss") == (1...5).map { Double(Float(1.0 / Double($0))) })
            #expect(series("eval/loss") == (1...5).map { Double(Float(2.0 / Double($0))) })
            #expect(series("steps") == [1, 2, 3, 4, 5], "an int64 tensor scalar")
            #expect(tf2.filter { $0.tag == "loss" }.map(\.step) == [1, 2, 3, 4, 5])
            #expect(tf2.allSatisfy { $0.wallTime > 1_600_000_000 })
            let tf1 = try EventLog.scalars(folder: tmp.path + "/tf1")
            #expect(tf1.map(\.tag) == ["acc", "acc", "acc"] && tf1.map(\.step) == [0, 10, 20])
            #expect(tf1.map(\.value) == [0, 0.1, 0.2].map { Double(Float($0)) })
        }
    }

    /// Every prefix of a real event file either ends on a record boundary (and reads the
    /// records before it) or is refused as truncated; every byte with a flipped bit is refused
    /// as a crc mismatch. The errors name the file and the record.
    @Test(.enabled(if: TensorFlowOracle.enabled, "needs the TensorFlow venv (make test)"))
    func everyTruncationAndFlippedBitIsRefused() throws {
        try withTemporaryDirectory { tmp in
            try Self.writeLogs(into: tmp.path)
            let name = try #require(try FileManager.default.contentsOfDirectory(atPath: tmp.path + "/tf1").first { $0.contains("tfevents") })
            let original = try ReadableFile(path: tmp.path + "/tf1/" + name).readAll()
            let mutant = tmp.path + "/mutant.tfevents"
            var boundaries = 0
            for length in 0..<original.count {
                try Data(original[0..<length]).write(to: URL(fileURLWithPath: mutant))
                do {
                    _ = try EventFile.scalars(path: mutant)
                    boundaries += 1
                } catch let error as FormatError {
                    #expect(error.code == "file_truncated" && error.description.hasPrefix(mutant + ": truncated: record "), "\(error)")
                }
            }
            #expect(boundaries >= 3, "the file ends a record at least after each of its first records")
            for position in stride(from: 0, to: original.count, by: 1) {
                var flipped = original
                flipped[position] ^= 1 << UInt8(position % 8)
                try Data(flipped).write(to: URL(fileURLWithPath: mutant))
                #expect(throws: FormatError.self, "bit \(position % 8) of byte \(position)") { _ = try EventFile.scalars(path: mutant) }
            }
        }
    }

    /// A record whose length (with a valid crc) claims far more than the file holds is refused
    /// as truncated without allocating it; a file of another kind is refused by its first record.
    @Test func hostileLengthsAndOtherFilesAreRefused() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/events.out.tfevents.0.host"
            var length: [UInt8] = []
            ByteWriter.appendUInt64LE(1 << 60, to: &length)
            var bytes = length
            ByteWriter.appendUInt32LE(CRC32C.mask(CRC32C.checksum(length)), to: &bytes)
            bytes += [1, 2, 3, 4]
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(throws: FormatError.truncated(file: path, detail: "record 0 at offset 0 claims \(1 << 60) bytes of data and a 4-byte crc, "
                                                  + "but the file ends 4 bytes after its header")) { _ = try EventLog.scalars(folder: tmp.path) }

            // A valid TFRecord whose first record is no Event with a file version.
            let data: [UInt8] = Array("not an event".utf8)
            var record: [UInt8] = []
            ByteWriter.appendUInt64LE(UInt64(data.count), to: &record)
            let header = record
            ByteWriter.appendUInt32LE(CRC32C.mask(CRC32C.checksum(header)), to: &record)
            record += data
            ByteWriter.appendUInt32LE(CRC32C.mask(CRC32C.checksum(data)), to: &record)
            try Data(record).write(to: URL(fileURLWithPath: path))
            #expect(throws: FormatError.self) { _ = try EventLog.scalars(folder: tmp.path) }

            try FileManager.default.removeItem(atPath: path)
            #expect(throws: FormatError.missing(file: tmp.path, detail: "no TensorBoard event file (events.out.tfevents.*) in this folder or below it")) {
                _ = try EventLog.scalars(folder: tmp.path)
            }
        }
    }
}
