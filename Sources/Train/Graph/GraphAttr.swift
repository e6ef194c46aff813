import Foundation
import Registry

/// `AttrValue` constructors (spec §2.3). Oneof members are set even when they hold the default,
/// which is what TF writes (`b: false` → `28 00`, `s: ""` → `12 00`).
enum GraphAttr {
    static func type(_ dtype: Tensorflow_DataType) -> Tensorflow_AttrValue {
        var value = Tensorflow_AttrValue()
        value.value = .type(dtype)
        return value
    }

    static func types(_ dtypes: [Tensorflow_DataType]) -> Tensorflow_AttrValue {
        var list = Tensorflow_AttrValue.ListValue()
        list.type = dtypes
        var value = Tensorflow_AttrValue()
        value.value = .list(list)
        return value
    }

    static func shape(_ dims: [Int64]) -> Tensorflow_AttrValue {
        var value = Tensorflow_AttrValue()
        value.value = .shape(GraphShape.known(dims))
        return value
    }

    static func bool(_ flag: Bool) -> Tensorflow_AttrValue {
        var value = Tensorflow_AttrValue()
        value.value = .b(flag)
        return value
    }

    static func int(_ number: Int64) -> Tensorflow_AttrValue {
        var value = Tensorflow_AttrValue()
        value.value = .i(number)
        return value
    }

    static func string(_ text: String) -> Tensorflow_AttrValue {
        var value = Tensorflow_AttrValue()
        value.value = .s(Data(text.utf8))
        return value
    }

    static func tensor(_ tensor: Tensorflow_TensorProto) -> Tensorflow_AttrValue {
        var value = Tensorflow_AttrValue()
        value.value = .tensor(tensor)
        return value
    }
}
