import Foundation
import RegistryFormat
import RegistryInterchange
import RegistryStore

/// Publishing versions into a TensorFlow Serving model base path (`registry serving sync`).
/// A pass makes the base path hold exactly the selected versions, in an order under which
/// the server never sees a partial version nor a config naming a missing one: the config is
/// read first (one that does not parse stops the pass before anything is written); each new
/// version is written aside, fsynced and renamed to `BASE/N`; then the config entry is
/// replaced atomically; then folders no longer selected nor named by the config are removed.
/// A folder whose marker and files still match its version is left untouched.
extension ModelRegistry {
    /// Syncs, and when labels are left to move (see `ServingLabelPlan`), waits until they may
    /// and syncs again; the passes' reports as one. `wait(seconds)` returns false to stop early.
    public func syncServing(_ request: ServingSyncRequest, wait: (TimeInterval) -> Bool,
                            progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> ServingSyncReport {
        var report = try syncServingPass(request, progress: progress)
        while let settles = report.config?.settlesAt {
            guard wait(Self.delay(until: settles)) else { break }
            report = report.followed(by: try syncServingPass(request, progress: progress))
        }
        return report
    }

    /// Keeps the base path in step: a pass now, then another whenever the model's aliases or
    /// latest version change (one query every `interval` seconds), labels are due to move, or
    /// the previous pass failed; until `wait` returns false. A failing first pass throws; later
    /// failures go to `onError` and the pass is retried at the next tick.
    public func watchServing(_ request: ServingSyncRequest, interval: TimeInterval, wait: (TimeInterval) -> Bool,
                             onPass: (ServingSyncReport) -> Void, onError: (Error) -> Void) throws {
        var seen = try servingState(model: request.model)
        var report = try syncServingPass(request)
        onPass(report)
        var failed = false
        while wait(min(interval, report.config?.settlesAt.map(Self.delay(until:)) ?? interval)) {
            do {
                let state = try servingState(model: request.model)
                let due = report.config?.settlesAt.map { $0 <= Date() } ?? false
                guard state != seen || due || failed else { continue }
                report = try syncServingPass(request)
                (seen, failed) = (state, false)
                onPass(report)
            } catch {
                failed = true
                report.config?.settlesAt = nil  // retried at the next tick, not at once
                onError(error)
            }
        }
    }

    /// One pass (see the extension's note).
    public func syncServingPass(_ request: ServingSyncRequest, progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> ServingSyncReport {
        try VersionReference.validate(modelName: request.model)
        let base = Self.absolute(request.base)
        let configFile = try request.config.map { try ModelServerConfigFile.read(Self.absolute($0)) }
        let existing = try configFile?.entry(named: request.model)
        return try store.read { session in
            let selection = try ServingSelection(session: session, request: request)
            let folder = try ServingBaseFolder(base)
            let entries = try folder.entries()
            let foreign = entries.filter { !$0.isPublished(model: request.model) }
            if !foreign.isEmpty && !request.force { throw RegistryError.foreignVersionFolders(base: base, names: foreign.map(\.name)) }
            var report = ServingSyncReport(model: request.model, base: base, selected: selection.numbers, written: [], replaced: [],
                                           unchanged: [], removed: [], kept: [], bytes: 0, config: nil)
            var present = try publish(selection.versions, into: folder, entries: entries, model: request.model, session: session,
                                      report: &report, progress: progress)
            present.formUnion(entries.filter { $0.isPublished(model: request.model) && !selection.numbers.contains($0.number) }.map(\.number))
            var keep = Set(selection.numbers)
            if var configFile {
                let plan = ServingLabelPlan(selected: selection.numbers, desired: selection.labels, existing: existing, present: present,
                                            settled: Self.settled(configFile, delay: request.labelDelay),
                                            immediate: request.labelDelay <= 0)
                report.config = try Self.write(plan, into: &configFile, model: request.model, base: base, existing: existing,
                                               delay: request.labelDelay)
                keep.formUnion(plan.versions)
            }
            try Self.removeUnselected(entries, keep: keep, from: folder, keepAll: request.keepUnselected, selected: selection.numbers,
                                      report: &report)
            return report
        }
    }

    /// Writes the selected versions whose folders do not already hold them; returns the
    /// numbers whose folders were in place and matching before (left untouched).
    private func publish(_ versions: [VersionRecord], into folder: ServingBaseFolder, entries: [ServingBaseFolder.Entry], model: String,
                         session: StoreSession, report: inout ServingSyncReport,
                         progress: (@Sendable (Int64, Int64) -> Void)?) throws -> Set<Int64> {
        var present = Set<Int64>()
        var toWrite: [(version: VersionRecord, digest: String, replace: Bool)] = []
        for version in versions {
            let digest = try session.contentDigest(versionID: version.id!)
            let name = ServingVersionName.folder(version.number)
            let there = entries.first { $0.name == name }
            if let there, let marker = there.marker, there.isPublished(model: model), marker.digest == digest,
               marker.matches(folder.path + "/" + name) {
                present.insert(version.number)
                report.unchanged.append(version.number)
            } else {
                toWrite.append((version, digest, there != nil))
            }
        }
        let total = try toWrite.reduce(Int64(0)) { $0 + (try session.storedBytes(versionID: $1.version.id!)) }
        var done: Int64 = 0
        for item in toWrite {
            report.bytes += try folder.publish(item.version, model: model, digest: item.digest, session: session, replace: item.replace,
                                               progress: { bytes in done += bytes; progress?(done, total) })
            report.written.append(item.version.number)
            if item.replace { report.replaced.append(item.version.number) }
        }
        return present
    }

    /// Replaces the model's entry when it changes; what the entry says after.
    private static func write(_ plan: ServingLabelPlan, into file: inout ModelServerConfigFile, model: String, base: String,
                              existing: Tensorflow_Serving_ModelConfig?, delay: TimeInterval) throws -> ServingConfigReport {
        let entry = plan.entry(model: model, base: base, existing: existing)
        var modified = file.modified
        if entry != existing {
            file.setEntry(entry)
            modified = try file.write()
        }
        let settlesAt = plan.pending.isEmpty ? nil : modified.map { $0.addingTimeInterval(delay) }
        return ServingConfigReport(path: file.path, written: entry != existing, versions: plan.versions, labels: plan.labels,
                                   pendingLabels: plan.pending, settlesAt: settlesAt)
    }

    /// Removes (or with `keepAll` keeps) the version folders not in `keep`, and folders under a
    /// name that is not the registry's for their number (`007` beside `7`).
    private static func removeUnselected(_ entries: [ServingBaseFolder.Entry], keep: Set<Int64>, from folder: ServingBaseFolder,
                                         keepAll: Bool, selected: [Int64], report: inout ServingSyncReport) throws {
        for entry in entries {
            if keep.contains(entry.number) && entry.name == ServingVersionName.folder(entry.number) {
                if !selected.contains(entry.number) { report.kept.append(entry.name) }
            } else if keepAll {
                report.kept.append(entry.name)
            } else {
                try folder.remove(entry.name)
                report.removed.append(entry.name)
            }
        }
    }

    /// The config file has been in place `delay` seconds (or the delay is 0).
    private static func settled(_ file: ModelServerConfigFile, delay: TimeInterval) -> Bool {
        delay <= 0 || (file.modified.map { Date().timeIntervalSince($0) >= delay } ?? false)
    }

    /// Seconds from now until `date` (a little after, so that the file's age has passed it).
    private static func delay(until date: Date) -> TimeInterval {
        max(0, date.timeIntervalSinceNow) + 0.05
    }

    /// What a watch compares between ticks: the model's latest version and its aliases.
    private func servingState(model: String) throws -> ServingState {
        try store.read { session in
            let modelID = try session.existingModelID(model)
            return ServingState(latest: try session.latestVersion(modelID: modelID)?.number,
                                aliases: try session.aliases(modelID: modelID).map { "\($0.alias)=\($0.number)" })
        }
    }
}

/// A model's latest version number and aliases, as a watch polls them.
private struct ServingState: Equatable {
    var latest: Int64?
    var aliases: [String]
}
