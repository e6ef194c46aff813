import RegistryFormat

extension BundleEntry {
    /// Checks bytes read back from the store against this entry (their size, and their crc32c
    /// by the dtype's own rule). A failure is damage inside the registry, not in a file
    /// TensorFlow wrote, so it is the one `StoreError.damaged`, whose advice fits.
    package func checkStored(_ payload: [UInt8], what: String) throws(StoreError) {
        guard Int64(payload.count) == size else {
            throw .damaged(what: what, detail: "\(payload.count) bytes stored, \(size) recorded")
        }
        do {
            try BundleReader.verify(self, payload: payload, file: what)
        } catch {
            throw .damaged(what: what, detail: error.detail)
        }
    }

    /// Checks the size and crc32c of bytes streamed back from the store (fixed-size dtypes).
    package func checkStored(size stored: Int64, crc: UInt32, what: String) throws(StoreError) {
        guard stored == size else { throw .damaged(what: what, detail: "\(stored) bytes stored, \(size) recorded") }
        guard crc == CRC32C.unmask(maskedCRC32C) else {
            throw .damaged(what: what, detail: FormatError.checksumMismatch(file: what, entry: nil, expected: CRC32C.unmask(maskedCRC32C),
                                                                            actual: crc).detail)
        }
    }
}
