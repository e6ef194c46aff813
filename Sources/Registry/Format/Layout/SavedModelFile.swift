import Foundation
import SwiftProtobuf

/// `saved_model.pb` (or `.pbtxt`) as the registry keeps it: the schema version and each
/// MetaGraphDef's own bytes. The binary file is split at the wire level and rebuilt from
/// those bytes, which reproduces TensorFlow's file exactly.
public struct SavedModelFile: Sendable {
    /// Which graph file was read: binary, or text kept as its original bytes.
    public enum Encoding: Sendable, Equatable {
        case binary
        /// `saved_model.pbtxt`, with the original text, which is written back verbatim.
        case text(original: [UInt8])
    }

    public var schemaVersion: Int64
    public var metaGraphs: [MetaGraph]
    /// Fields of `SavedModel` other than 1 and 2, raw, in order (none in TF's own files).
    public var otherFields: [UInt8]
    public var encoding: Encoding

    public init(schemaVersion: Int64 = 1, metaGraphs: [MetaGraph], otherFields: [UInt8] = [], encoding: Encoding = .binary) {
        self.schemaVersion = schemaVersion
        self.metaGraphs = metaGraphs
        self.otherFields = otherFields
        self.encoding = encoding
    }

    public static let binaryName = "saved_model.pb"
    public static let textName = "saved_model.pbtxt"

    /// Parses a binary `SavedModel`, keeping each MetaGraphDef's byte range.
    public static func decode(binary bytes: [UInt8], file: String) throws(FormatError) -> SavedModelFile {
        var reader = ByteReader(bytes)
        var schemaVersion: Int64 = 0
        var metaGraphs: [MetaGraph] = []
        var other: [UInt8] = []
        do {
            while !reader.isAtEnd {
                let fieldStart = reader.position
                let tag = try reader.readVarint()
                let field = tag >> 3, wireType = tag & 7
                switch (field, wireType) {
                case (1, 0):
                    schemaVersion = Int64(bitPattern: try reader.readVarint())
                case (2, 2):
                    let length = try reader.readVarint()
                    guard length <= UInt64(reader.remaining) else { throw ByteReader.Failure.truncated(needed: Int(clamping: length), available: reader.remaining) }
                    metaGraphs.append(try MetaGraph(bytes: reader.readBytes(Int(length)), file: file))
                case (_, 0): _ = try reader.readVarint(); other += bytes[fieldStart..<reader.position]
                case (_, 1): _ = try reader.readSlice(8); other += bytes[fieldStart..<reader.position]
                case (_, 5): _ = try reader.readSlice(4); other += bytes[fieldStart..<reader.position]
                case (_, 2):
                    let length = try reader.readVarint()
                    guard length <= UInt64(reader.remaining) else { throw ByteReader.Failure.truncated(needed: Int(clamping: length), available: reader.remaining) }
                    _ = try reader.readSlice(Int(length))
                    other += bytes[fieldStart..<reader.position]
                default:
                    throw FormatError.corrupt(file: file, entry: nil, detail: "wire type \(wireType) at byte \(fieldStart) is not valid protobuf")
                }
            }
        } catch let error as FormatError {
            throw error
        } catch ByteReader.Failure.varintOverflow {
            throw .corrupt(file: file, entry: nil, detail: "the SavedModel message holds an overlong varint")
        } catch {
            throw .truncated(file: file, detail: "the SavedModel message ends inside a field")
        }
        guard field1Valid(schemaVersion) else {
            throw .unsupported(file: file, detail: "saved_model_schema_version \(schemaVersion); this tool reads version 1")
        }
        return SavedModelFile(schemaVersion: schemaVersion, metaGraphs: metaGraphs, otherFields: other)
    }

    private static func field1Valid(_ version: Int64) -> Bool { version == 1 || version == 0 }

    /// Parses `saved_model.pbtxt`; the text itself is kept to be written back unchanged. The
    /// parsed graphs lack the fields our subset keeps opaque (see `TextFormatScrubber`): they
    /// serve the indexes, and a subset of the graphs cannot be exported from them.
    public static func decode(text bytes: [UInt8], file: String) throws(FormatError) -> SavedModelFile {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .corrupt(file: file, entry: nil, detail: "not UTF-8 text")
        }
        let message: Tensorflow_SavedModel
        do {
            var options = TextFormatDecodingOptions()
            options.ignoreUnknownFields = true
            message = try Tensorflow_SavedModel(textFormatString: TextFormatScrubber.scrub(text), options: options)
        } catch {
            throw .corrupt(file: file, entry: nil, detail: "not a text-format SavedModel (\(error))")
        }
        return SavedModelFile(schemaVersion: message.savedModelSchemaVersion,
                              metaGraphs: message.metaGraphs.map(MetaGraph.init(proto:)),
                              encoding: .text(original: bytes))
    }

    /// The file name this model is written under.
    public var fileName: String {
        if case .text = encoding { return Self.textName }
        return Self.binaryName
    }

    /// The file's bytes: the original text, or the binary rebuilt from each graph's bytes.
    public func encode() -> [UInt8] {
        if case .text(let original) = encoding { return original }
        return Self.encodeBinary(schemaVersion: schemaVersion, metaGraphs: metaGraphs.map(\.bytes), otherFields: otherFields)
    }

    public static func encodeBinary(schemaVersion: Int64, metaGraphs: [[UInt8]], otherFields: [UInt8] = []) -> [UInt8] {
        var out: [UInt8] = []
        if schemaVersion != 0 {
            out.append(0x08)
            ByteWriter.appendVarint(UInt64(bitPattern: schemaVersion), to: &out)
        }
        for graph in metaGraphs {
            out.append(0x12)
            ByteWriter.appendVarint(UInt64(graph.count), to: &out)
            out += graph
        }
        return out + otherFields
    }
}
