import Foundation
import RegistryFormat
import RegistryStore

/// The versions a serving sync publishes and the labels it gives them: the versions the
/// named aliases point at, the named numbers and the newest `latest`; with none of these,
/// every aliased version plus the latest. Labels come from the named aliases (all aliases
/// when none is named) that point at a selected version. Every version must hold a `{serve}`
/// meta graph: TensorFlow Serving loads that one.
struct ServingSelection {
    /// By number.
    var versions: [VersionRecord]
    var labels: [String: Int64]

    var numbers: [Int64] { versions.map(\.number) }

    init(session: StoreSession, request: ServingSyncRequest) throws {
        let model = request.model
        let modelID = try session.existingModelID(model)
        let aliases = try session.aliases(modelID: modelID)
        var named: [(alias: String, number: Int64)] = aliases
        if !request.aliases.isEmpty {
            named = try request.aliases.map { alias in
                guard let target = aliases.first(where: { $0.alias == alias }) else {
                    throw ReferenceError.aliasNotFound(model: model, alias: alias)
                }
                return target
            }
        }
        var numbers = Set(named.map(\.number)).union(request.versions)
        let everything = request.aliases.isEmpty && request.versions.isEmpty && request.latest == nil
        let newest = try session.latestVersions(modelID: modelID, count: everything ? 1 : max(0, request.latest ?? 0))
        if everything && newest.isEmpty { throw ReferenceError.modelNotFound(model) }
        numbers.formUnion(newest.map(\.number))
        versions = try numbers.sorted().map { try session.resolve(VersionReference(model: model, selector: .number($0))) }
        labels = Dictionary(named.filter { numbers.contains($0.number) }.map { ($0.alias, $0.number) }, uniquingKeysWith: { first, _ in first })
        for version in versions { try Self.checkServable(version, model: model, session: session) }
    }

    /// A `{serve}` meta graph, and (for a checkpoint) the bundle where a SavedModel keeps it.
    static func checkServable(_ version: VersionRecord, model: String, session: StoreSession) throws {
        let tagSets = try session.metaGraphs(versionID: version.id!).map(\.tagSet)
        let bundleInPlace = version.kind == .savedModel || version.bundlePrefix == SavedModelDirectory.variablesPrefix
        guard tagSets.contains(TagSet(["serve"])), bundleInPlace else {
            throw RegistryError.notServable(version: "\(model):\(version.number)", tagSets: tagSets)
        }
    }
}
