import Registry

/// Why a set of named tensors cannot become a `TrainingState`.
public enum TrainingStateError: Error, Equatable, CustomStringConvertible {
    case missing(name: String)
    case wrongDType(name: String, expected: DType, found: DType)
    case wrongShape(name: String, expected: [Int64], found: [Int64])
    case wrongByteCount(name: String, expected: Int, found: Int)

    public var description: String {
        switch self {
        case .missing(let name): "tensor '\(name)' is missing"
        case .wrongDType(let name, let expected, let found): "tensor '\(name)' is \(found), expected \(expected)"
        case .wrongShape(let name, let expected, let found): "tensor '\(name)' has shape \(found), expected \(expected)"
        case .wrongByteCount(let name, let expected, let found): "tensor '\(name)' has \(found) bytes, expected \(expected)"
        }
    }
}
