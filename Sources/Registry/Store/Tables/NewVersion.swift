import RegistryFormat
import Foundation

/// What a new version carries besides its bytes: where it comes from and how it is named.
package struct NewVersion: Sendable {
    package var model: String
    package var kind: VersionKind
    package var source: String?
    package var parent: VersionReference?
    package var run: String?
    package var globalStep: Int64?
    package var metrics: [String: Double]?
    package var labels: [String: String] = [:]
    package var aliases: [String] = []
    /// When it is recorded as created (seconds since 1970); nil for now.
    package var createdAt: Double?

    package init(model: String, kind: VersionKind) {
        self.model = model
        self.kind = kind
    }
}

/// A version just recorded, inside its transaction.
package struct CreatedVersion: Sendable {
    package var model: String
    package var number: Int64
    package var id: Int64
    package var tensors: Int
    package var files: Int
    package var statistics: StoreStatistics
}

extension StoreSession {
    /// Records the next version of `new.model` (created on first use) inside the caller's
    /// transaction. `fill` gets the version row, not yet inserted, and a content writer; it
    /// completes the row, inserts it (`insert(_:)`) and everything under it, and returns how
    /// many tensors and files it recorded. Labels and aliases follow once it has.
    package func createVersion(_ new: NewVersion,
                               fill: (inout VersionRecord, ContentWriter) throws -> (tensors: Int, files: Int)) throws -> CreatedVersion {
        for key in new.labels.keys where key.isEmpty || key.contains("=") { throw ReferenceError.invalidLabel(key) }
        let modelID = try modelID(named: new.model, create: true)!
        let number = try takeNextNumber(modelID: modelID)
        let parentID = try new.parent.map { try resolve($0).id! }
        var version = VersionRecord(
            modelID: modelID, number: number, createdAt: new.createdAt ?? Date().timeIntervalSince1970, kind: new.kind, source: new.source,
            parentID: parentID, run: new.run, globalStep: new.globalStep, metricsJSON: try new.metrics.map(Self.metricsJSON))
        let writer = ContentWriter(self)
        let counts = try fill(&version, writer)
        try writer.flush()
        guard let versionID = version.id else { preconditionFailure("createVersion's fill did not insert the version row") }
        try setLabels(new.labels, versionID: versionID)
        for alias in new.aliases { try setAlias(alias, to: version) }
        return CreatedVersion(model: new.model, number: number, id: versionID, tensors: counts.tensors, files: counts.files,
                              statistics: writer.statistics)
    }

    /// Metrics as the `metrics_json` column holds them: keys sorted, so equal metrics are equal text.
    static func metricsJSON(_ metrics: [String: Double]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(metrics), as: UTF8.self)
    }
}
