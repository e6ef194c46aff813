import Foundation
import RegistryFormat
import RegistryStore

extension ModelRegistry {
    /// Points `alias` of `model` at version `number` (moving it if it exists).
    public func setAlias(model: String, alias: String, version number: Int64) throws {
        _ = try VersionReference(parsing: "\(model)@\(alias)")
        try store.write { session in
            try session.setAlias(alias, to: try session.resolve(VersionReference(model: model, selector: .number(number))))
        }
    }

    /// Removes an alias; the version stays.
    public func removeAlias(model: String, alias: String) throws {
        try store.write { session in
            let version = try session.resolve(VersionReference(model: model, selector: .alias(alias)))
            try session.removeAlias(alias, modelID: version.modelID)
        }
    }

    /// Deletes a version (its aliases go with it; its children are re-linked to its parent).
    /// Its bytes stay until `gc`.
    public func remove(_ reference: VersionReference) throws -> Int64 {
        try store.write { session in
            let version = try session.resolve(reference)
            try session.deleteVersion(version)
            return version.number
        }
    }

    /// Deletes a model and every version of it. Its bytes stay until `gc`.
    public func removeModel(_ name: String) throws -> Int {
        try store.write { session in try session.deleteModel(id: try session.existingModelID(name)) }
    }

    /// Drops contents no version refers to and chunks no content refers to, then returns the
    /// freed pages to the file system.
    public func collectGarbage() throws -> GCReport {
        let before = store.fileBytes
        let collected = try store.write { try $0.deleteUnreferenced() }
        try store.shrink()
        return GCReport(contentsRemoved: collected.contents, chunksRemoved: collected.chunks, bytesFreed: collected.bytes,
                        fileBytesBefore: before, fileBytesAfter: store.fileBytes)
    }
}
