import Foundation
import SwiftProtobuf

/// The text `checkpoint` file that tells TensorFlow which checkpoint is the latest.
public struct CheckpointState: Equatable, Sendable {
    public static let fileName = "checkpoint"

    public var modelCheckpointPath: String
    public var allModelCheckpointPaths: [String]
    public var allModelCheckpointTimestamps: [Double]
    public var lastPreservedTimestamp: Double

    public init(modelCheckpointPath: String, allModelCheckpointPaths: [String],
                allModelCheckpointTimestamps: [Double] = [], lastPreservedTimestamp: Double = 0) {
        self.modelCheckpointPath = modelCheckpointPath
        self.allModelCheckpointPaths = allModelCheckpointPaths
        self.allModelCheckpointTimestamps = allModelCheckpointTimestamps
        self.lastPreservedTimestamp = lastPreservedTimestamp
    }

    public static func parse(_ bytes: [UInt8], file: String) throws(FormatError) -> CheckpointState {
        guard bytes.count <= 16 << 20 else {
            throw .unsupported(file: file, detail: "a \(bytes.count)-byte checkpoint state file; TensorFlow writes a few hundred bytes")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .corrupt(file: file, entry: nil, detail: "not UTF-8 text")
        }
        let proto: Tensorflow_CheckpointState
        do {
            proto = try Tensorflow_CheckpointState(textFormatString: text)
        } catch {
            throw .corrupt(file: file, entry: nil, detail: "not a text-format CheckpointState (\(error))")
        }
        return CheckpointState(modelCheckpointPath: proto.modelCheckpointPath,
                               allModelCheckpointPaths: proto.allModelCheckpointPaths,
                               allModelCheckpointTimestamps: proto.allModelCheckpointTimestamps,
                               lastPreservedTimestamp: proto.lastPreservedTimestamp)
    }

    /// The text as Python's `text_format.MessageToString` writes it.
    public var text: String {
        var out = "model_checkpoint_path: \(Self.quote(modelCheckpointPath))\n"
        for path in allModelCheckpointPaths { out += "all_model_checkpoint_paths: \(Self.quote(path))\n" }
        for timestamp in allModelCheckpointTimestamps { out += "all_model_checkpoint_timestamps: \(Self.number(timestamp))\n" }
        if lastPreservedTimestamp != 0 { out += "last_preserved_timestamp: \(Self.number(lastPreservedTimestamp))\n" }
        return out
    }

    static func quote(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "'": out += "\\'"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\" + String(scalar.value, radix: 8).leftPadded(to: 3)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Shortest round-trip form, as Python's repr (`3.0`, `1795534872.4613247`).
    static func number(_ value: Double) -> String { "\(value)" }
}
