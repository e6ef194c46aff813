/// An input or output of a signature: what a caller feeds or fetches, by key.
public struct SignatureTensor: Sendable, Equatable {
    public var key: String
    /// The graph tensor (`input_layer:0`); a sparse tensor's values, "(composite)" for composites.
    public var name: String
    public var dtype: DType
    /// nil when the rank is unknown; -1 for unknown dimensions.
    public var shape: [Int64]?
}

/// A signature of a MetaGraphDef (`serving_default`): its method and tensors, sorted by key.
public struct Signature: Sendable, Equatable {
    public var key: String
    public var method: String
    public var inputs: [SignatureTensor]
    public var outputs: [SignatureTensor]
}

/// A collection of a MetaGraphDef: its key, what kind of list it holds, and how many items.
public struct CollectionSummary: Sendable, Equatable {
    public var key: String
    /// `node_list`, `bytes_list`, `int64_list`, `float_list`, `any_list`, or `empty`.
    public var kind: String
    public var size: Int
}

extension MetaGraph {
    /// The graph's signatures, as the registry indexes and shows them.
    public var signatures: [Signature] {
        proto.signatureDef.map { entry in
            func tensors(_ map: [(key: String, value: Tensorflow_TensorInfo)]) -> [SignatureTensor] {
                map.map { key, info in
                    SignatureTensor(key: key, name: Self.tensorName(info), dtype: DType(info.dtype),
                                    shape: info.tensorShape.unknownRank ? nil : info.tensorShape.dim.map(\.size))
                }.sorted { $0.key < $1.key }
            }
            let value = entry.value
            return Signature(key: entry.key, method: value.methodName, inputs: tensors(value.inputs.map { ($0.key, $0.value) }),
                             outputs: tensors(value.outputs.map { ($0.key, $0.value) }))
        }.sorted { $0.key < $1.key }
    }

    /// The graph's collections, sorted by key.
    public var collections: [CollectionSummary] {
        proto.collectionDef.map { entry in
            let (kind, size) = Self.kind(of: entry.value)
            return CollectionSummary(key: entry.key, kind: kind, size: size)
        }.sorted { $0.key < $1.key }
    }

    private static func tensorName(_ info: Tensorflow_TensorInfo) -> String {
        switch info.encoding {
        case .name(let name): return name
        case .cooSparse(let sparse): return sparse.valuesTensorName
        case .compositeTensor: return "(composite)"
        case nil: return ""
        }
    }

    private static func kind(of collection: Tensorflow_CollectionDef) -> (String, Int) {
        switch collection.kind {
        case .nodeList(let list): return ("node_list", list.value.count)
        case .bytesList(let list): return ("bytes_list", list.value.count)
        case .int64List(let list): return ("int64_list", list.value.count)
        case .floatList(let list): return ("float_list", list.value.count)
        case .anyList(let list): return ("any_list", list.value.count)
        case nil: return ("empty", 0)
        }
    }
}
