import Foundation

/// One scalar a training loop logged for TensorBoard: a tag's value at a global step.
public struct ScalarEvent: Sendable, Equatable {
    public var tag: String
    public var step: Int64
    public var value: Double
    /// Seconds since 1970 when it was logged.
    public var wallTime: Double

    public init(tag: String, step: Int64, value: Double, wallTime: Double) {
        self.tag = tag
        self.step = step
        self.value = value
        self.wallTime = wallTime
    }
}

/// A TensorBoard event file (`events.out.tfevents.*`): TFRecords, each a serialized `Event`;
/// the first says which format version wrote the file. The scalars are what this reads: the
/// `simple_value`s TF1's `tf.compat.v1.summary.scalar` and `Summary` protos write, and the
/// rank-0 numeric tensors TF2's `tf.summary.scalar` writes (plugin `scalars`). Other values
/// (histograms, images, text, graphs) are skipped; any record that fails its checks or does
/// not parse is an error naming the file and the record.
public enum EventFile {
    /// Every scalar of the file at `path`, in file order.
    public static func scalars(path: String) throws(FormatError) -> [ScalarEvent] {
        var records = try TFRecordReader(path: path)
        var scalars: [ScalarEvent] = []
        while let record = try records.next() {
            let name = "record \(records.index - 1)"
            let event: Tensorflow_Event
            do {
                event = try Tensorflow_Event(serializedBytes: record)
            } catch {
                throw .corrupt(file: path, entry: name, detail: "not an Event protocol buffer")
            }
            if records.index == 1 {
                guard event.fileVersion.hasPrefix("brain.Event:") else {
                    throw .corrupt(file: path, entry: name, detail: "not a TensorBoard event file: its first record names no brain.Event file version")
                }
                continue
            }
            for value in event.summary.value {
                guard let number = try scalar(of: value, file: path, record: name), number.isFinite else { continue }
                scalars.append(ScalarEvent(tag: value.tag, step: event.step, value: number, wallTime: event.wallTime))
            }
        }
        return scalars
    }

    /// A summary value's number: its `simple_value`, or the element of a rank-0 numeric tensor
    /// from the `scalars` plugin (or none); nil for anything else.
    static func scalar(of value: Tensorflow_Summary.Value, file: String, record: String) throws(FormatError) -> Double? {
        switch value.value {
        case .simpleValue(let number):
            return Double(number)
        case .tensor(let tensor):
            let plugin = value.metadata.pluginData.pluginName
            guard plugin.isEmpty || plugin == "scalars", tensor.tensorShape.dim.isEmpty, !tensor.tensorShape.unknownRank else { return nil }
            return try ScalarTensor.value(of: tensor, file: file, entry: "\(record), tag '\(value.tag)'")
        default:
            return nil
        }
    }
}

/// The one element of a rank-0 numeric `TensorProto`, from `tensor_content` (little-endian)
/// or the typed value fields.
enum ScalarTensor {
    static func value(of tensor: Tensorflow_TensorProto, file: String, entry: String) throws(FormatError) -> Double? {
        let dtype = DType(tensor.dtype)
        guard let size = dtype.elementSize, let decode = decoders[dtype.rawValue] else { return nil }
        if !tensor.tensorContent.isEmpty {
            guard tensor.tensorContent.count == size else {
                throw .corrupt(file: file, entry: entry, detail: "a \(dtype) scalar's tensor_content holds \(tensor.tensorContent.count) bytes, not \(size)")
            }
            var bits: UInt64 = 0
            for (i, byte) in tensor.tensorContent.enumerated() { bits |= UInt64(byte) << (8 * UInt64(i)) }
            return decode(bits)
        }
        switch dtype {
        case .float32: return tensor.floatVal.first.map(Double.init)
        case .float64: return tensor.doubleVal.first
        case .int64: return tensor.int64Val.first.map(Double.init)
        case .bool: return tensor.boolVal.first.map { $0 ? 1 : 0 }
        case .float16, .bfloat16: return tensor.halfVal.first.map { decode(UInt64(UInt16(truncatingIfNeeded: $0))) }
        case DType(rawValue: 22): return tensor.uint32Val.first.map(Double.init)
        case DType(rawValue: 23): return tensor.uint64Val.first.map(Double.init)
        default: return tensor.intVal.first.map(Double.init)
        }
    }

    /// Element bits (little-endian, zero-extended) to a number, by DataType number.
    private static let decoders: [Int32: @Sendable (UInt64) -> Double] = [
        1: { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0))) },
        2: { Double(bitPattern: $0) },
        3: { Double(Int32(truncatingIfNeeded: $0)) },
        4: { Double(UInt8(truncatingIfNeeded: $0)) },
        5: { Double(Int16(truncatingIfNeeded: $0)) },
        6: { Double(Int8(truncatingIfNeeded: $0)) },
        9: { Double(Int64(bitPattern: $0)) },
        10: { $0 & 0xff == 0 ? 0 : 1 },
        14: { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0) << 16)) },
        17: { Double(UInt16(truncatingIfNeeded: $0)) },
        19: { Double(Float16(bitPattern: UInt16(truncatingIfNeeded: $0))) },
        22: { Double(UInt32(truncatingIfNeeded: $0)) },
        23: { Double($0) },
    ]
}
