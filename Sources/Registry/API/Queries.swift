import Foundation
import RegistryFormat
import RegistryStore

extension ModelRegistry {
    /// Versions matching `filter`, by model name then number.
    public func list(_ filter: VersionFilter = VersionFilter()) throws -> [VersionSummary] {
        try store.read { try $0.list(filter) }
    }

    /// Every version of one model (a training run's checkpoints), oldest first.
    public func history(model: String) throws -> [VersionSummary] {
        var filter = VersionFilter()
        filter.model = model
        let versions = try list(filter)
        if versions.isEmpty { throw ReferenceError.modelNotFound(model) }
        return versions
    }

    /// Everything about one version.
    public func show(_ reference: VersionReference) throws -> VersionDetail {
        try store.read { session in
            let version = try session.resolve(reference)
            let versionID = version.id!
            let graphs = try Self.metaGraphInfos(versionID: versionID, session: session)
            let tensors = try session.tensors(versionID: versionID).sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(TensorSummary.init)
            let files = try session.files(versionID: versionID).filter { !$0.isFolder }.map { FileSummary(path: $0.path, bytes: $0.size) }
            return VersionDetail(summary: try session.summary(versionID: versionID), metaGraphs: graphs, tensors: tensors, files: files,
                                 lineage: try session.lineage(versionID: versionID), digest: try session.versionDigest(versionID: versionID))
        }
    }
}

extension ModelRegistry {
    /// A version's meta graphs as `show` and `diff` tell them: tags, signatures, collections.
    static func metaGraphInfos(versionID: Int64, session: StoreSession) throws -> [MetaGraphInfo] {
        try session.metaGraphs(versionID: versionID).map { graph in
            let signatures = try session.signatures(metaGraphID: graph.id!).map { signature, tensors in
                func info(_ direction: SignatureTensorRecord.Direction) -> [SignatureTensorInfo] {
                    tensors.filter { $0.direction == direction }.map {
                        SignatureTensorInfo(key: $0.key, name: $0.tensorName, dtype: $0.dtype, shape: $0.shape.flatMap(Shape.parse))
                    }
                }
                return SignatureInfo(key: signature.key, method: signature.method, inputs: info(.input), outputs: info(.output))
            }
            let collections = try session.collections(metaGraphID: graph.id!).map {
                CollectionInfo(key: $0.key, kind: $0.kind, size: $0.size)
            }
            return MetaGraphInfo(tags: graph.tagSet.tags, signatures: signatures, collections: collections)
        }
    }
}

extension TensorSummary {
    /// A tensor row as `show` and `diff` print it.
    init(_ row: TensorRecord) {
        self.init(name: row.name, dtype: row.dtype.name, shape: row.dimensions, bytes: row.size, shard: row.shardID)
    }
}
