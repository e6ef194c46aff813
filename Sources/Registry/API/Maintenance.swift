import Foundation
import RegistryFormat
import RegistryStore

/// What `rm` deleted, or with `dryRun` would delete; `--json` prints exactly these fields.
public struct Removal: Codable, Sendable, Equatable {
    public var model: String
    /// The version numbers, oldest first.
    public var versions: [Int64]
    /// The aliases that went (or would go) with them.
    public var aliases: [String]
    /// The whole model (`rm NAME --all`).
    public var wholeModel: Bool
    /// Nothing was changed.
    public var dryRun: Bool
}

/// A version's labels after `label`; `--json` prints exactly these fields.
public struct LabelResult: Codable, Sendable, Equatable {
    public var model: String
    public var version: Int64
    public var labels: [String: String]
}

extension ModelRegistry {
    /// Points `alias` of `model` at version `number` (moving it if it exists). `latest` is
    /// reserved: it always names the newest version.
    public func setAlias(model: String, alias: String, version number: Int64) throws {
        try Self.checkAlias(alias, model: model)
        try store.write { session in
            try session.setAlias(alias, to: try session.resolve(VersionReference(model: model, selector: .number(number))))
        }
    }

    /// Removes an alias; the version stays.
    public func removeAlias(model: String, alias: String) throws {
        if alias == "latest" { throw RegistryError.reservedAlias(alias) }
        try store.write { session in
            let version = try session.resolve(VersionReference(model: model, selector: .alias(alias)))
            try session.removeAlias(alias, modelID: version.modelID)
        }
    }

    /// An alias a push or `alias` may set: the reference grammar's, and not `latest`.
    static func checkAlias(_ alias: String, model: String) throws {
        if alias == "latest" { throw RegistryError.reservedAlias(alias) }
        _ = try VersionReference(parsing: "\(model)@\(alias)")
    }

    /// Sets and removes labels of a version: `set` adds or replaces, `remove` takes keys off
    /// (each must be there). One transaction. Returns the version's labels afterwards.
    public func label(_ reference: VersionReference, set: [String: String], remove: [String] = []) throws -> LabelResult {
        try store.write { session in
            let version = try session.resolve(reference)
            let name = "\(reference.model):\(version.number)"
            for key in remove where !(try session.removeLabel(key, versionID: version.id!)) {
                throw RegistryError.labelNotFound(version: name, key: key)
            }
            try session.setLabels(set, versionID: version.id!)
            return LabelResult(model: reference.model, version: version.number, labels: try session.labels(versionID: version.id!))
        }
    }

    /// Deletes a version (its children are re-linked to its parent); its bytes stay until
    /// `gc`. A version that aliases point at is refused, naming them, unless `force` (then the
    /// aliases go with it); `dryRun` changes nothing and says what would go.
    @discardableResult
    public func remove(_ reference: VersionReference, force: Bool = false, dryRun: Bool = false) throws -> Removal {
        try store.write { session in
            let version = try session.resolve(reference)
            var aliases = try session.aliases(versionID: version.id!)
            if case .alias(let named) = reference.selector, let at = aliases.firstIndex(of: named) {
                aliases.insert(aliases.remove(at: at), at: 0)  // the one the command named, first
            }
            if !aliases.isEmpty && !force {
                throw RegistryError.versionHasAliases(version: "\(reference.model):\(version.number)", aliases: aliases)
            }
            if !dryRun { try session.deleteVersion(version) }
            return Removal(model: reference.model, versions: [version.number], aliases: aliases, wholeModel: false, dryRun: dryRun)
        }
    }

    /// Deletes a model and every version of it; its bytes stay until `gc`. Refused while it
    /// has aliases, unless `force`; `dryRun` changes nothing.
    @discardableResult
    public func removeModel(_ name: String, force: Bool = false, dryRun: Bool = false) throws -> Removal {
        try store.write { session in
            let modelID = try session.existingModelID(name)
            let aliases = try session.aliases(modelID: modelID)
            if !aliases.isEmpty && !force { throw RegistryError.modelHasAliases(model: name, aliases: aliases.map(\.alias)) }
            let numbers = try session.versionNumbers(modelID: modelID)
            if !dryRun { _ = try session.deleteModel(id: modelID) }
            return Removal(model: name, versions: numbers, aliases: aliases.map(\.alias), wholeModel: true, dryRun: dryRun)
        }
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
