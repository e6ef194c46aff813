import RegistryFormat
import GRDB

/// An input or output of a signature: its key, graph tensor, dtype and shape, so that `show`
/// answers "what does this model take" without decoding the graph.
package struct SignatureTensorRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    package static let databaseTableName = "signature_tensors"

    /// Which side of the signature a tensor is on.
    package enum Direction: String, Codable, Sendable { case input, output }

    package var signatureID: Int64
    package var direction: Direction
    package var key: String
    package var tensorName: String
    package var dtype: String
    /// JSON array with -1 for unknown dimensions; nil for unknown rank.
    package var shape: String?

    enum CodingKeys: String, CodingKey {
        case direction, key, dtype, shape
        case signatureID = "signature_id", tensorName = "tensor_name"
    }

    package init(signatureID: Int64, direction: Direction, key: String, tensorName: String, dtype: String, shape: String?) {
        self.signatureID = signatureID
        self.direction = direction
        self.key = key
        self.tensorName = tensorName
        self.dtype = dtype
        self.shape = shape
    }
}
