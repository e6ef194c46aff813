import RegistryFormat

/// A version's tensor bundle as the store holds it (the header and each tensor's entry and
/// content), checked before anything is written from it: every entry against the header, and
/// the layout against `BundleLayout`, so that a tampered row (an offset of 2^43, overlapping
/// extents) is refused as damage instead of becoming an 8 TiB sparse file.
package struct StoredBundle {
    package var header: BundleHeader
    /// Every tensor of the version, in insertion order.
    package var tensors: [(entry: BundleEntry, contentID: Int64?)]

    /// The bundle of `version` (nil when it has none); `name` (`MODEL:N`) names it in errors.
    package init?(version: VersionRecord, name: String, session: StoreSession) throws {
        guard let headerBytes = version.bundleHeader else { return nil }
        let file = version.bundlePrefix.map { $0 + ".index" } ?? "bundle"
        do {
            let header = try BundleHeader(encodedValue: [UInt8](headerBytes), file: file)
            let tensors = try session.tensors(versionID: version.id!).map { row throws(FormatError) in
                let entry = try row.bundleEntry()
                try entry.validate(header: header, file: file)
                return (entry: entry, contentID: row.contentID)
            }
            try BundleLayout.check(tensors.map(\.entry), file: file)
            self.header = header
            self.tensors = tensors
        } catch let error as FormatError {
            throw StoreError.damaged(what: "the tensor index of \(name)", detail: error.detail)
        }
    }
}
