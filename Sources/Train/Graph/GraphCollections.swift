import Foundation
import Registry

/// `CollectionDef`s and the order a MetaGraphDef lists them in.
enum GraphCollections {
    /// A `bytes_list` collection (serialized protos such as `VariableDef`s).
    static func bytes(_ values: [Data]) -> Tensorflow_CollectionDef {
        var list = Tensorflow_CollectionDef.BytesList()
        list.value = values
        var collection = Tensorflow_CollectionDef()
        collection.kind = .bytesList(list)
        return collection
    }

    /// A `node_list` collection: tensor names (`NAME:0`) and op names.
    static func nodes(_ values: [String]) -> Tensorflow_CollectionDef {
        var list = Tensorflow_CollectionDef.NodeList()
        list.value = values
        var collection = Tensorflow_CollectionDef()
        collection.kind = .nodeList(list)
        return collection
    }

    /// The map's entries in the order TF's Python serializer writes them.
    static func entries(_ map: [String: Tensorflow_CollectionDef]) -> [Tensorflow_MetaGraphDef.CollectionDefEntry] {
        map.keys.sorted(by: UpbKeyOrder.precedes).map { key in
            var entry = Tensorflow_MetaGraphDef.CollectionDefEntry()
            entry.key = key
            entry.value = map[key]!
            return entry
        }
    }
}
