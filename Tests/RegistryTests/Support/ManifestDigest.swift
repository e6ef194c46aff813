import Crypto
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// sha256 of a tensor by the manifest's rule: raw bytes for fixed-size dtypes; for strings,
/// each element's length as uint64 LE followed by its bytes.
func manifestDigest(_ entry: BundleEntry, value: [UInt8]) throws -> String {
    var hasher = SHA256()
    if entry.dtype == .string {
        let elements = try StringTensor.decode(value, count: Int(entry.elementCount ?? 0), file: "test", entry: entry.displayName)
        for element in elements {
            var length: [UInt8] = []
            ByteWriter.appendUInt64LE(UInt64(element.count), to: &length)
            hasher.update(data: length)
            hasher.update(data: element)
        }
    } else {
        hasher.update(data: value)
    }
    return lowercaseHex(hasher.finalize())
}
