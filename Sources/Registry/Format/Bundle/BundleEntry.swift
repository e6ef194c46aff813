import Foundation
import SwiftProtobuf

/// One tensor's row in a bundle index (`BundleEntryProto` plus its key): where its bytes
/// are and how to check them. The store keeps exactly these fields per tensor.
public struct BundleEntry: Hashable, Sendable {
    /// The key as raw bytes: a variable name, or a binary slice key (see `TensorSliceKey`).
    public var key: [UInt8]
    public var dtype: DType
    public var shape: [Int64]
    public var shardID: Int32
    public var offset: Int64
    public var size: Int64
    /// The masked crc32c exactly as stored.
    public var maskedCRC32C: UInt32
    /// Non-empty only on the full entry of a partitioned tensor, which holds no data itself.
    public var slices: [TensorSlice]
    /// Fields of a newer TensorFlow this build does not know, re-emitted unchanged.
    public var unknownFields: Data

    public init(key: [UInt8], dtype: DType, shape: [Int64], shardID: Int32 = 0, offset: Int64 = 0,
                size: Int64 = 0, maskedCRC32C: UInt32 = 0, slices: [TensorSlice] = [], unknownFields: Data = Data()) {
        self.key = key
        self.dtype = dtype
        self.shape = shape
        self.shardID = shardID
        self.offset = offset
        self.size = size
        self.maskedCRC32C = maskedCRC32C
        self.slices = slices
        self.unknownFields = unknownFields
    }

    /// The key for messages and listings: the name, or a decoded slice key, or hex.
    public var displayName: String {
        if let slice = TensorSliceKey.decode(key) { return slice.description }
        return TableReader.printable(key)
    }

    /// The name as text, when the key is valid UTF-8.
    public var name: String? { String(validating: key, as: UTF8.self) }

    public var isSliceKey: Bool { key.first == 0 }

    /// Number of elements, or nil when a dimension is negative or the product overflows.
    public var elementCount: Int64? { Self.elementCount(of: shape) }

    static func elementCount(of shape: [Int64]) -> Int64? {
        var count: Int64 = 1
        for dim in shape {
            guard dim >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    // MARK: - Protobuf

    init(key: [UInt8], proto: Tensorflow_BundleEntryProto) {
        self.init(key: key, dtype: DType(rawValue: Int32(proto.dtype.rawValue)), shape: proto.shape.dim.map(\.size),
                  shardID: proto.shardID, offset: proto.offset, size: proto.size, maskedCRC32C: proto.crc32C,
                  slices: proto.slices.map(TensorSlice.init(proto:)), unknownFields: proto.unknownFields.data)
    }

    /// Decodes the value of an index entry (`encodedValue`); `file` names it in errors.
    package init(key: [UInt8], encodedValue: [UInt8], file: String) throws(FormatError) {
        let proto: Tensorflow_BundleEntryProto
        do {
            proto = try Tensorflow_BundleEntryProto(serializedBytes: encodedValue)
        } catch {
            throw .corrupt(file: file, entry: TableReader.printable(key), detail: "not a BundleEntryProto")
        }
        self.init(key: key, proto: proto)
    }

    var proto: Tensorflow_BundleEntryProto {
        var proto = Tensorflow_BundleEntryProto()
        proto.dtype = dtype.proto
        proto.shape = .with { $0.dim = shape.map { size in .with { $0.size = size } } }
        proto.shardID = shardID
        proto.offset = offset
        proto.size = size
        proto.crc32C = maskedCRC32C
        proto.slices = slices.map(\.proto)
        if !unknownFields.isEmpty {
            // Unknown bytes are parsed back in so that serialization re-emits them last, as TF does.
            if let withUnknown = try? Tensorflow_BundleEntryProto(serializedBytes: unknownFields) {
                proto.unknownFields = withUnknown.unknownFields
            }
        }
        return proto
    }

    /// The serialized `BundleEntryProto` value of the index entry.
    package var encodedValue: [UInt8] {
        // Serializing a fully built message cannot fail.
        (try? proto.serializedBytes()) ?? []
    }
}

/// Which part of a partitioned tensor a slice covers: per dimension a start and a length,
/// where a nil length means the whole dimension.
public struct TensorSlice: Hashable, Sendable, CustomStringConvertible {
    /// One dimension of a slice: where it starts and how long it is (nil: the whole dimension).
    public struct Extent: Hashable, Sendable {
        public var start: Int64
        public var length: Int64?
        public init(start: Int64, length: Int64?) { self.start = start; self.length = length }
    }

    public var extents: [Extent]

    public init(extents: [Extent]) { self.extents = extents }

    package init(proto: Tensorflow_TensorSliceProto) {
        extents = proto.extent.map { Extent(start: $0.start, length: $0.hasLengthHack_p == nil ? nil : $0.length) }
    }

    package var proto: Tensorflow_TensorSliceProto {
        .with {
            $0.extent = extents.map { extent in
                .with {
                    $0.start = extent.start
                    if let length = extent.length { $0.length = length }
                }
            }
        }
    }

    /// The shape of this slice inside a tensor of `fullShape`, or nil if it does not fit.
    public func shape(in fullShape: [Int64]) -> [Int64]? {
        guard extents.count == fullShape.count else { return nil }
        var result: [Int64] = []
        for (extent, dim) in zip(extents, fullShape) {
            let length = extent.length ?? dim
            guard extent.start >= 0, length >= 0, extent.start <= dim, length <= dim - extent.start else { return nil }
            result.append(length)
        }
        return result
    }

    public var description: String {
        extents.map { e in e.length.map { "\(e.start):\($0)" } ?? "-" }.joined(separator: ",")
    }
}
