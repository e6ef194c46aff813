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

    /// Deletes what no version uses any more: the contents nothing refers to, then the chunks
    /// no content lists (nor uses as a delta base), in short transactions that readers and
    /// writers interleave with, costing what it frees. Then hands the freed pages back to the
    /// file system a step at a time, on a registry with incremental vacuum; `keepFree` (and an
    /// older registry, until `compact`) leaves them in the file, where later pushes reuse them.
    /// `dryRun` changes nothing and reports what would be removed.
    public func collectGarbage(dryRun: Bool = false, keepFree: Bool = false) throws -> GCReport {
        let before = store.fileBytes
        let collected = dryRun ? try store.unreferencedGarbage() : try store.deleteUnreferenced()
        if !dryRun && !keepFree { try store.returnFreePages() }
        let usage = try store.read { try $0.pageUsage() }
        let after = store.fileBytes
        return GCReport(dryRun: dryRun, contentsRemoved: collected.contents, chunksRemoved: collected.chunks, bytesFreed: collected.bytes,
                        bytesReturned: max(0, before - after), bytesReusable: usage.freeBytes,
                        fileBytesBefore: before, fileBytesAfter: after, incrementalVacuum: usage.incremental)
    }

    /// Rewrites the registry file at its smallest (see `RegistryDatabase.compact`): checks free
    /// space first, streams through the disk, and is safe to interrupt. Other writers wait
    /// while it runs; this registry object stays usable afterwards.
    public func compact(progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> CompactReport {
        let start = DispatchTime.now().uptimeNanoseconds
        let done = try store.compact(progress: progress)
        return CompactReport(fileBytesBefore: done.bytesBefore, fileBytesAfter: done.bytesAfter,
                             seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}
