import Foundation
import Registry

/// `TensorProto` values for `Const` nodes, in the encodings Python's `make_tensor_proto` picks
/// (spec §2.4): scalars and splats in the `*_val` fields, multi-element int32 in `tensor_content`,
/// strings always in `string_val`.
enum GraphConst {
    private static func base(_ dtype: Tensorflow_DataType, _ dims: [Int64]) -> Tensorflow_TensorProto {
        var tensor = Tensorflow_TensorProto()
        tensor.dtype = dtype
        tensor.tensorShape = GraphShape.known(dims)
        return tensor
    }

    /// A float tensor whose every element is `value` (short form: one `float_val`).
    static func float(_ value: Float, shape dims: [Int64] = []) -> Tensorflow_TensorProto {
        var tensor = base(.dtFloat, dims)
        tensor.floatVal = [value]
        return tensor
    }

    /// A vector with no elements (shape `[0]`, no values): what TF writes for `[]`.
    static func empty(_ dtype: Tensorflow_DataType) -> Tensorflow_TensorProto {
        base(dtype, [0])
    }

    /// An int32 scalar or splat (`int_val`).
    static func int32(_ value: Int32, shape dims: [Int64] = []) -> Tensorflow_TensorProto {
        var tensor = base(.dtInt32, dims)
        tensor.intVal = [value]
        return tensor
    }

    /// A 1-D int32 vector with raw little-endian `tensor_content` (as TF writes shape constants).
    static func int32Vector(_ values: [Int32]) -> Tensorflow_TensorProto {
        var tensor = base(.dtInt32, [Int64(values.count)])
        var bytes = Data(capacity: values.count * 4)
        for value in values { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        tensor.tensorContent = bytes
        return tensor
    }

    static func int64(_ value: Int64, shape dims: [Int64] = []) -> Tensorflow_TensorProto {
        var tensor = base(.dtInt64, dims)
        tensor.int64Val = [value]
        return tensor
    }

    static func string(_ value: String) -> Tensorflow_TensorProto {
        var tensor = base(.dtString, [])
        tensor.stringVal = [Data(value.utf8)]
        return tensor
    }

    static func strings(_ values: [String]) -> Tensorflow_TensorProto {
        var tensor = base(.dtString, [Int64(values.count)])
        tensor.stringVal = values.map { Data($0.utf8) }
        return tensor
    }
}
