import RegistryFormat
/// What storing some bytes cost and saved.
public struct StoreStatistics: Sendable, Equatable, Codable {
    /// Bytes handed over.
    public var rawBytes: Int64 = 0
    /// Bytes of new chunks as stored (after their filters).
    public var storedBytes: Int64 = 0
    /// Raw bytes that were already stored (same chunk or same content) and cost nothing.
    public var dedupBytes: Int64 = 0
    public var newChunks: Int = 0
    public var reusedChunks: Int = 0
    /// New chunks stored relative to their parent's chunk (a difference or an XOR).
    public var deltaChunks: Int = 0

    public init() {}

    public static func += (a: inout StoreStatistics, b: StoreStatistics) {
        a.rawBytes += b.rawBytes
        a.storedBytes += b.storedBytes
        a.dedupBytes += b.dedupBytes
        a.newChunks += b.newChunks
        a.reusedChunks += b.reusedChunks
        a.deltaChunks += b.deltaChunks
    }
}
