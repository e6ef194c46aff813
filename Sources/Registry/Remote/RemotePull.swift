import Foundation
import GRDB

/// What `pull oci://…` did; `--json` prints exactly these fields.
public struct RemotePullResult: Codable, Sendable {
    /// The local version created.
    public var model: String
    public var version: Int64
    /// What was pulled, and its manifest digest.
    public var remote: String
    public var digest: String
    /// The version as it was named where it was pushed from (`NAME:N`).
    public var origin: String
    /// Distinct chunks the version is made of (its layers).
    public var chunks: Int
    public var blobsFetched: Int
    public var bytesFetched: Int64
    /// Chunks this registry held already (shared with other versions, or kept by an interrupted pull).
    public var blobsPresent: Int
    public var bytesPresent: Int64
    public var tensors: Int
    public var files: Int
    public var seconds: Double
}

extension ModelRegistry {
    /// Brings a version pushed with `pushRemote` into this registry as the next version of
    /// `name` (default: the model name it was pushed under). The manifest, the config and every
    /// chunk are checked against their digests; chunks already stored here are not fetched;
    /// fetched chunks are committed a batch at a time, so an interrupted pull keeps them and a
    /// re-run fetches only the rest (`gc` removes them if the pull is abandoned). The version
    /// itself is recorded in one IMMEDIATE transaction, all or nothing.
    public func pullRemote(_ remote: OCIReference, as name: String? = nil, credentials: OCICredentials = .fromEnvironment(),
                           progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> RemotePullResult {
        let started = Date()
        if let name { try VersionReference.validate(modelName: name) }
        let repository = try OCIRepository(remote, credentials: credentials)
        let (manifestBytes, digest) = try repository.getManifest()
        let what = remote.description
        guard let manifest = try? JSONDecoder().decode(OCIManifest.self, from: manifestBytes) else {
            throw RemoteError.notAVersion(what: what, detail: "its manifest is not an OCI image manifest")
        }
        try manifest.checkIsVersion(what: what)
        guard manifest.config.size >= 0, manifest.config.size <= OCIRepository.maxConfigBytes else {
            throw RemoteError.notAVersion(what: what, detail: "its config is \(manifest.config.size) bytes")
        }
        let configData = try repository.fetch(manifest.config, what: "the config of \(what)")
        let config: VersionConfig
        do {
            config = try JSONDecoder().decode(VersionConfig.self, from: configData)
        } catch {
            throw RemoteError.notAVersion(what: what, detail: "its config does not decode (\(error))")
        }
        guard config.format == VersionConfig.currentFormat else {
            throw RemoteError.notAVersion(what: what, detail: "config format \(config.format) is from a newer registry; upgrade registry to pull it")
        }
        let model = name ?? config.model
        try VersionReference.validate(modelName: model)
        let layers = try Self.checkLayers(manifest, config: config, what: what)

        let needed = config.distinctChunks
        let missing = try read { db in
            let writer = ContentWriter(db: db)
            return try needed.filter { !(try writer.hasChunk(ContentHash(hex: $0.hash)!)) }
        }
        let fetchBytes = missing.reduce(Int64(0)) { $0 + layers[$1.hash]!.size }
        let transfer = TransferProgress(total: fetchBytes, callback: progress)
        var start = 0
        while start < missing.count {
            let batch = Array(missing[start..<min(start + OCIClient.width * 2, missing.count)])
            let arrived = ConcurrentSlots<Result<Data, Error>>(count: batch.count)
            try OCIClient.concurrently(Array(batch.indices)) { index in
                arrived[index] = Result { try repository.fetch(layers[batch[index].hash]!, what: "chunk") }
                if case .success(let data)? = arrived[index] { transfer.add(Int64(data.count)) }
            }
            // Keep every chunk that arrived intact, even when another of the batch failed.
            try write { db in
                let writer = ContentWriter(db: db)
                for (index, chunk) in batch.enumerated() {
                    if case .success(let data)? = arrived[index] {
                        _ = try writer.storeChunk([UInt8](data), hash: ContentHash(hex: chunk.hash)!, elementSize: chunk.elementSize)
                    }
                }
            }
            for index in batch.indices { if case .failure(let error)? = arrived[index] { throw error } }
            start += batch.count
        }

        let source = remote.repositoryReference + (remote.tag.map { ":" + $0 } ?? "") + "@" + digest
        var options = PushOptions()
        options.labels = config.labels
        options.run = config.run == nil ? nil : model
        options.globalStep = config.globalStep
        options.metrics = config.metrics
        let pushed = try inImmediateTransaction { db in
            try insertVersion(db: db, model: model, kind: config.kind, options: options, source: source) { version, db, writer in
                try RemoteImport(config: config, what: what).insert(into: &version, db: db, writer: writer)
            }
        }
        let fetched = Set(missing.map(\.hash))
        let allBytes = needed.reduce(Int64(0)) { $0 + layers[$1.hash]!.size }
        return RemotePullResult(
            model: model, version: pushed.version, remote: what, digest: digest, origin: "\(config.model):\(config.version)",
            chunks: needed.count, blobsFetched: fetched.count, bytesFetched: fetchBytes, blobsPresent: needed.count - fetched.count,
            bytesPresent: allBytes - fetchBytes, tensors: pushed.tensors, files: pushed.files, seconds: Date().timeIntervalSince(started))
    }

    /// The layers by hex address, after checking that they are chunks and that the config's
    /// contents are made of exactly them with sizes that add up.
    static func checkLayers(_ manifest: OCIManifest, config: VersionConfig, what: String) throws -> [String: OCIDescriptor] {
        var layers: [String: OCIDescriptor] = [:]
        for layer in manifest.layers {
            guard let hash = ContentHash(ociDigest: layer.digest), (1...Int64(ContentReader.maxRawSize)).contains(layer.size) else {
                throw RemoteError.notAVersion(what: what, detail: "layer \(layer.digest) of \(layer.size) bytes is not a chunk")
            }
            layers[hash.description] = layer
        }
        for content in config.contents {
            var total: Int64 = 0
            for chunk in content.chunks {
                guard let layer = layers[chunk], ContentHash(hex: chunk)?.description == chunk else {
                    throw RemoteError.notAVersion(what: what, detail: "its config names chunk \(chunk.prefix(12)), which is not a layer")
                }
                total += layer.size
            }
            guard total == content.size else {
                throw RemoteError.notAVersion(what: what, detail: "a content of \(content.size) bytes is made of chunks holding \(total)")
            }
        }
        return layers
    }
}
