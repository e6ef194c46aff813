import Foundation
import RegistryStore

/// `registry prune`'s rules: which versions of a model or training run stay. A version stays
/// when any rule keeps it (and a checkpoint its run's Saver kept for good, `preserved`, always
/// does); prune deletes the rest and runs gc. The storage reclaim a registry that keeps every
/// checkpoint needs.
public struct PruneRules: Sendable, Equatable {
    /// The newest this many versions stay; at least 1, so that prune never empties a model.
    public var keepLast: Int
    /// Versions an alias points at stay.
    public var keepAliased: Bool
    /// One version per this many hours stays: in version order, the first, then each created
    /// at least this long after the last one this rule kept.
    public var keepEveryHours: Double?
    /// Only versions created at least this many seconds ago may go; newer ones stay.
    public var olderThan: TimeInterval?

    public init(keepLast: Int, keepAliased: Bool = false, keepEveryHours: Double? = nil, olderThan: TimeInterval? = nil) {
        self.keepLast = keepLast
        self.keepAliased = keepAliased
        self.keepEveryHours = keepEveryHours
        self.olderThan = olderThan
    }

    func validate() throws {
        guard keepLast >= 1 else { throw RegistryError.invalidPruneRule("keep-last must be 1 or more (prune keeps at least the newest version; `rm NAME --all` deletes a model)") }
        if let hours = keepEveryHours, !(hours > 0 && hours.isFinite) { throw RegistryError.invalidPruneRule("keep-every-hours must be a positive number of hours") }
        if let age = olderThan, !(age >= 0 && age.isFinite) { throw RegistryError.invalidPruneRule("older-than must be a duration of 0 or more") }
    }

    /// For each version (in number order): why it stays; empty when it goes.
    func reasons(for versions: [VersionRecord], aliased: Set<Int64>, now: Date) -> [[PruneReason]] {
        var lastKeptEvery: Double?
        return versions.enumerated().map { i, version in
            var why: [PruneReason] = []
            if i >= versions.count - keepLast { why.append(.last) }
            if keepAliased && aliased.contains(version.id!) { why.append(.aliased) }
            if let hours = keepEveryHours, lastKeptEvery.map({ version.createdAt >= $0 + hours * 3600 }) ?? true {
                why.append(.everyHours)
                lastKeptEvery = version.createdAt
            }
            if let age = olderThan, version.createdAt > now.timeIntervalSince1970 - age { why.append(.recent) }
            if version.preserved { why.append(.preserved) }
            return why
        }
    }
}

/// Why prune keeps a version: the rule (`last`, `aliased`, `every-hours`, `recent` for
/// `--older-than`), or `preserved` by its run's `keep_checkpoint_every_n_hours`.
public enum PruneReason: String, Codable, Sendable {
    case last, aliased, everyHours = "every-hours", recent, preserved
}

/// What `prune` deleted (with `dryRun`, would delete) and why the rest stays.
public struct PruneReport: Codable, Sendable {
    /// A version prune keeps, with every rule that keeps it.
    public struct Kept: Codable, Sendable, Equatable {
        public var version: Int64
        public var reasons: [PruneReason]
    }

    public var model: String
    public var dryRun: Bool
    public var deleted: [Int64]
    public var kept: [Kept]
    /// The gc that followed the deletions (none in a dry run).
    public var gc: GCReport?
}

extension ModelRegistry {
    /// Deletes every version of `model` (a model or a run) that no rule keeps, in one
    /// transaction, each through the one rule for deleting a version (its children re-linked
    /// to its parent), then runs gc. `dryRun` deletes nothing. `now` is the clock `olderThan`
    /// counts from.
    public func prune(model: String, rules: PruneRules, dryRun: Bool = false, now: Date = Date()) throws -> PruneReport {
        try rules.validate()
        let decide = { (session: StoreSession) throws -> PruneReport in
            let modelID = try session.existingModelID(model)
            let versions = try session.versions(modelID: modelID)
            let reasons = rules.reasons(for: versions, aliased: try session.aliasedVersionIDs(modelID: modelID), now: now)
            var report = PruneReport(model: model, dryRun: dryRun, deleted: [], kept: [], gc: nil)
            for (version, why) in zip(versions, reasons) {
                if why.isEmpty { report.deleted.append(version.number) } else { report.kept.append(.init(version: version.number, reasons: why)) }
            }
            guard !dryRun else { return report }
            // Newest first, each row read again: a deletion re-links the children of the one
            // deleted, so a record read before it may name a parent that is gone.
            for version in zip(versions, reasons).filter({ $0.1.isEmpty }).map(\.0).reversed() {
                if let current = try session.versions(ids: [version.id!]).first { try session.deleteVersion(current) }
            }
            return report
        }
        var report = dryRun ? try store.read(decide) : try store.transaction(decide)
        if !dryRun { report.gc = try collectGarbage() }
        return report
    }
}
