import Foundation
import SwiftProtobuf

/// One MetaGraphDef of a SavedModel: its bytes exactly as read (TensorFlow's map order cannot
/// be reproduced by re-serializing, so these bytes are what gets written back) and the parsed
/// message, for the fields the registry indexes.
public struct MetaGraph: Sendable {
    public let bytes: [UInt8]
    public let proto: Tensorflow_MetaGraphDef

    public init(bytes: [UInt8], file: String) throws(FormatError) {
        self.bytes = bytes
        do {
            proto = try Tensorflow_MetaGraphDef(serializedBytes: bytes)
        } catch {
            throw .corrupt(file: file, entry: nil, detail: "a MetaGraphDef does not parse (\(error))")
        }
    }

    /// Builds from a message (for graphs we construct); the bytes are its serialization.
    public init(proto: Tensorflow_MetaGraphDef) {
        self.proto = proto
        self.bytes = (try? proto.serializedBytes()) ?? []
    }

    public var tagSet: TagSet { TagSet(proto.metaInfoDef.tags) }
}
