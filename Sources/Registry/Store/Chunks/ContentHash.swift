import RegistryFormat
import Crypto
import Foundation

/// The address of stored bytes: SHA-256 of a chunk's raw bytes; a content's address hashes
/// its chunk addresses and size, so it can be computed as chunks are hashed in parallel.
public struct ContentHash: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    package init(bytes: [UInt8]) { self.bytes = bytes }

    package static func ofChunk(_ raw: UnsafeRawBufferPointer) -> ContentHash {
        ContentHash(bytes: Array(SHA256.hash(data: raw)))
    }

    package static func ofContent(chunks: [ContentHash], size: Int64) -> ContentHash {
        var hasher = SHA256()
        for chunk in chunks { hasher.update(data: chunk.bytes) }
        var sizeBytes: [UInt8] = []
        ByteWriter.appendUInt64LE(UInt64(size), to: &sizeBytes)
        hasher.update(data: sizeBytes)
        return ContentHash(bytes: Array(hasher.finalize()))
    }

    public var description: String { bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined() }
    public var short: String { String(description.prefix(12)) }
}
