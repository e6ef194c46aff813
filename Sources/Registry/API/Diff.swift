import Foundation
import RegistryFormat
import RegistryStore

extension ModelRegistry {
    /// `reference` against the version of its model numbered just before it.
    public func diff(_ reference: VersionReference) throws -> VersionDiff {
        let previous = try store.read { session in
            let version = try session.resolve(reference)
            guard let previous = try session.previousVersion(of: version) else {
                throw RegistryError.noPreviousVersion(version: "\(reference.model):\(version.number)")
            }
            return previous.number
        }
        return try diff(VersionReference(model: reference.model, selector: .number(previous)), reference)
    }

    /// What changed from `a` to `b`: tag sets, signatures (inputs and outputs with dtype and
    /// shape), collections and files, and tensors added, removed and changed; for a changed
    /// floating-point tensor of the same shape, the largest absolute difference of its elements.
    public func diff(_ a: VersionReference, _ b: VersionReference) throws -> VersionDiff {
        try store.read { session in
            let from = try session.resolve(a), to = try session.resolve(b)
            let before = try Self.tensorsByName(from, session), after = try Self.tensorsByName(to, session)
            var changed: [VersionDiff.Change] = []
            var unchanged = 0
            for name in before.keys.sorted() {
                guard let old = before[name], let new = after[name] else { continue }
                let sameBytes = old.contentID == new.contentID && old.crc32c == new.crc32c
                if sameBytes && old.dtype == new.dtype && old.shape == new.shape {
                    unchanged += 1
                    continue
                }
                let describe = { (row: TensorRecord) in "\(row.dtype.name)\(row.shape)" }
                var maximum: Double?
                if old.dtype == new.dtype && old.shape == new.shape, let oldID = old.contentID, let newID = new.contentID,
                   old.size <= 256 << 20 {
                    let reader = ContentReader(session)
                    maximum = Self.maxAbsDifference(old.dtype, try reader.read(oldID), try reader.read(newID))
                }
                changed.append(.init(name: name, before: describe(old), after: describe(new), maxAbsDifference: maximum))
            }
            let graphsBefore = try Self.metaGraphInfos(versionID: from.id!, session: session)
            let graphsAfter = try Self.metaGraphInfos(versionID: to.id!, session: session)
            return VersionDiff(
                from: "\(a.model):\(from.number)", to: "\(b.model):\(to.number)",
                added: after.keys.filter { before[$0] == nil }.sorted().map { TensorSummary(after[$0]!) },
                removed: before.keys.filter { after[$0] == nil }.sorted().map { TensorSummary(before[$0]!) },
                changed: changed, unchanged: unchanged,
                tagSets: .between(Self.tagSetItems(graphsBefore), Self.tagSetItems(graphsAfter)),
                signatures: .between(Self.signatureItems(graphsBefore), Self.signatureItems(graphsAfter)),
                collections: .between(Self.collectionItems(graphsBefore), Self.collectionItems(graphsAfter)),
                files: .between(try Self.fileItems(from, session), try Self.fileItems(to, session)))
        }
    }

    static func tagSetItems(_ graphs: [MetaGraphInfo]) -> [String: DiffItem] {
        Dictionary(graphs.map { ("{\(TagSet($0.tags))}", DiffItem(detail: "\($0.signatures.count) signatures, \($0.collections.count) collections")) },
                   uniquingKeysWith: { first, _ in first })
    }

    static func signatureItems(_ graphs: [MetaGraphInfo]) -> [String: DiffItem] {
        var items: [String: DiffItem] = [:]
        for graph in graphs {
            for signature in graph.signatures { items["{\(TagSet(graph.tags))} \(signature.key)"] = DiffItem(detail: signature.text) }
        }
        return items
    }

    static func collectionItems(_ graphs: [MetaGraphInfo]) -> [String: DiffItem] {
        var items: [String: DiffItem] = [:]
        for graph in graphs {
            for collection in graph.collections {
                items["{\(TagSet(graph.tags))} \(collection.key)"] = DiffItem(detail: "\(collection.kind), \(collection.size)")
            }
        }
        return items
    }

    /// Files by path; two files differ when their bytes do (their content), whatever their size.
    /// A checkpoint's own files are named by its prefix (`model.ckpt-40.meta`): they are
    /// compared as `CHECKPOINT.meta`, so that two checkpoints of a run compare their graphs.
    static func fileItems(_ version: VersionRecord, _ session: StoreSession) throws -> [String: DiffItem] {
        let prefix = version.kind == .checkpoint ? version.bundlePrefix.map { $0 + "." } : nil
        return try session.files(versionID: version.id!).filter { !$0.isFolder }.reduce(into: [:]) { items, file in
            var path = file.path
            if let prefix, path.hasPrefix(prefix) { path = "CHECKPOINT." + path.dropFirst(prefix.count) }
            items[path] = DiffItem(detail: "\(file.size) bytes", identity: "\(file.contentID ?? 0)")
        }
    }

    static func tensorsByName(_ version: VersionRecord, _ session: StoreSession) throws -> [String: TensorRecord] {
        try session.tensors(versionID: version.id!).reduce(into: [:]) { $0[$1.name] = $1 }
    }

    /// max |a_i - b_i| for float16/bfloat16/float32/float64 payloads; nil for other dtypes.
    static func maxAbsDifference(_ dtype: DType, _ a: [UInt8], _ b: [UInt8]) -> Double? {
        guard a.count == b.count else { return nil }
        func scan<T>(_ width: Int, _ load: (UnsafeRawBufferPointer, Int) -> T, _ value: (T) -> Double) -> Double {
            var worst = 0.0
            a.withUnsafeBytes { pa in
                b.withUnsafeBytes { pb in
                    for i in stride(from: 0, to: a.count, by: width) {
                        let d = abs(value(load(pa, i)) - value(load(pb, i)))
                        if d > worst || d.isNaN { worst = d.isNaN ? .nan : d }
                    }
                }
            }
            return worst
        }
        switch dtype {
        case .float32: return scan(4, { $0.loadUnaligned(fromByteOffset: $1, as: Float.self) }, { Double($0) })
        case .float64: return scan(8, { $0.loadUnaligned(fromByteOffset: $1, as: Double.self) }, { $0 })
        case .bfloat16:
            return scan(2, { $0.loadUnaligned(fromByteOffset: $1, as: UInt16.self) }, { Double(Float(bitPattern: UInt32($0) << 16)) })
        case .float16:
            #if arch(x86_64) || arch(arm64)
            return scan(2, { $0.loadUnaligned(fromByteOffset: $1, as: UInt16.self) }, { Double(Float16(bitPattern: $0)) })
            #else
            return nil
            #endif
        default: return nil
        }
    }
}
