import Foundation
import SwiftProtobuf

/// The header entry of a bundle index (`BundleHeaderProto`, stored under the empty key).
public struct BundleHeader: Hashable, Sendable {
    public var numShards: Int32
    /// 0 little-endian, 1 big-endian.
    public var endianness: Int
    public var producer: Int32
    public var minConsumer: Int32
    public var badConsumers: [Int32]
    public var unknownFields: Data

    /// What TensorFlow 2.21 writes (`kTensorBundleVersion = 1`).
    public init(numShards: Int32 = 1) {
        self.init(numShards: numShards, endianness: 0, producer: 1, minConsumer: 0, badConsumers: [], unknownFields: Data())
    }

    public init(numShards: Int32, endianness: Int, producer: Int32, minConsumer: Int32, badConsumers: [Int32], unknownFields: Data) {
        self.numShards = numShards
        self.endianness = endianness
        self.producer = producer
        self.minConsumer = minConsumer
        self.badConsumers = badConsumers
        self.unknownFields = unknownFields
    }

    /// The most data shards a bundle may have here (TF sets no limit; its saves write one per device).
    static let maxShards: Int32 = 1 << 16

    /// The bundle version this reader implements; TF refuses a bundle whose header excludes it.
    static let readerVersion: Int32 = 1

    init(proto: Tensorflow_BundleHeaderProto) {
        self.init(numShards: proto.numShards, endianness: proto.endianness.rawValue, producer: proto.version.producer,
                  minConsumer: proto.version.minConsumer, badConsumers: proto.version.badConsumers,
                  unknownFields: proto.unknownFields.data)
    }

    var proto: Tensorflow_BundleHeaderProto {
        var proto = Tensorflow_BundleHeaderProto()
        proto.numShards = numShards
        proto.endianness = .init(rawValue: endianness) ?? .little
        proto.version = .with {
            $0.producer = producer
            $0.minConsumer = minConsumer
            $0.badConsumers = badConsumers
        }
        if !unknownFields.isEmpty, let parsed = try? Tensorflow_BundleHeaderProto(serializedBytes: unknownFields) {
            proto.unknownFields = parsed.unknownFields
        }
        return proto
    }

    /// The serialized `BundleHeaderProto`: the index's first entry, as a version row keeps it.
    package var encodedValue: [UInt8] { (try? proto.serializedBytes()) ?? [] }

    /// Decodes a header kept as `encodedValue` and checks it; `file` names it in errors.
    package init(encodedValue: [UInt8], file: String) throws(FormatError) {
        do {
            self.init(proto: try Tensorflow_BundleHeaderProto(serializedBytes: encodedValue))
        } catch {
            throw .corrupt(file: file, entry: "(header)", detail: "not a BundleHeaderProto")
        }
        try validate(file: file)
    }

    /// TensorFlow's version check, with its reasons.
    package func validate(file: String) throws(FormatError) {
        guard numShards >= 1 else {
            throw .corrupt(file: file, entry: nil, detail: "header says \(numShards) shards; a bundle has at least one")
        }
        // Readers and writers visit every shard's data file, so the count read from the file is bounded.
        guard numShards <= Self.maxShards else {
            throw .unsupported(file: file, detail: "header says \(numShards) shards; this tool reads at most \(Self.maxShards)")
        }
        guard endianness == 0 else {
            throw .unsupported(file: file, detail: "big-endian bundle; re-save it on a little-endian machine")
        }
        if producer < 0 || minConsumer > Self.readerVersion || badConsumers.contains(Self.readerVersion) {
            throw .unsupported(file: file, detail: "bundle version producer \(producer), min consumer \(minConsumer) "
                + "excludes reader version \(Self.readerVersion); it was written by a newer TensorFlow")
        }
    }
}
