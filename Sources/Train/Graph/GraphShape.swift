import Registry

/// `TensorShapeProto`s. An empty proto is a *scalar*; `unknown_rank` is only for unknown shapes.
enum GraphShape {
    static func known(_ dims: [Int64]) -> Tensorflow_TensorShapeProto {
        var shape = Tensorflow_TensorShapeProto()
        shape.dim = dims.map { size in
            var dim = Tensorflow_TensorShapeProto.Dim()
            dim.size = size
            return dim
        }
        return shape
    }
}
