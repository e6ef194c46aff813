import Foundation
import RegistryFormat
import RegistryStore

/// Brings a version from an OCI repository into the store.
package enum RemotePull {
    /// Brings a version pushed with `pushRemote` into this registry as the next version of
    /// `name` (default: the model name it was pushed under). The manifest, the config and every
    /// chunk are checked against their digests; chunks already stored here are not fetched;
    /// fetched chunks are committed a batch at a time, so an interrupted pull keeps them and a
    /// re-run fetches only the rest (`gc` removes them if the pull is abandoned). The version
    /// itself is recorded in one IMMEDIATE transaction, all or nothing.
    /// `admit` runs inside the version's transaction before it is recorded: the API's rules
    /// for what a model may hold.
    package static func run(_ remote: OCIReference, as name: String?, store: RegistryDatabase, credentials: OCICredentials,
                            admit: (StoreSession, NewVersion) throws -> Void = { _, _ in },
                            progress: (@Sendable (Int64, Int64) -> Void)?) throws -> RemotePullResult {
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
        guard VersionConfig.readableFormats.contains(config.format) else {
            throw RemoteError.notAVersion(what: what, detail: "config format \(config.format) is from a newer registry; upgrade registry to pull it")
        }
        let model = name ?? config.model
        try VersionReference.validate(modelName: model)
        let layers = try Self.checkLayers(manifest, config: config, what: what)

        let needed = config.distinctChunks
        let missing = try store.read { session in
            let writer = ContentWriter(session)
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
            try store.write { session in
                let writer = ContentWriter(session)
                for (index, chunk) in batch.enumerated() {
                    if case .success(let data)? = arrived[index] {
                        _ = try writer.storeChunk([UInt8](data), hash: ContentHash(hex: chunk.hash)!, planeWidth: chunk.planeWidth)
                    }
                }
            }
            for index in batch.indices { if case .failure(let error)? = arrived[index] { throw error } }
            start += batch.count
        }

        let source = remote.repositoryReference + (remote.tag.map { ":" + $0 } ?? "") + "@" + digest
        var new = NewVersion(model: model, kind: try RemoteImport(config: config, what: what).kind())
        new.source = source
        new.labels = config.labels
        new.run = config.run == nil ? nil : model
        new.globalStep = config.globalStep
        new.metrics = config.metrics
        let pushed = try store.transaction { session in
            try admit(session, new)
            return try session.createVersion(new) { version, writer in
                try RemoteImport(config: config, what: what).insert(into: &version, session: session, writer: writer)
            }
        }
        let fetched = Set(missing.map(\.hash))
        let allBytes = needed.reduce(Int64(0)) { $0 + layers[$1.hash]!.size }
        return RemotePullResult(
            model: model, version: pushed.number, remote: what, digest: digest, origin: "\(config.model):\(config.version)",
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
