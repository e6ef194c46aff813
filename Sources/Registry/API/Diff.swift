import Foundation
import RegistryFormat
import RegistryStore

extension ModelRegistry {
    /// Tensors added, removed and changed from `a` to `b`; for a changed floating-point tensor
    /// of the same shape, the largest absolute difference of its elements.
    public func diff(_ a: VersionReference, _ b: VersionReference) throws -> TensorDiff {
        try store.read { session in
            let from = try session.resolve(a), to = try session.resolve(b)
            let before = try Self.tensorsByName(from, session), after = try Self.tensorsByName(to, session)
            var changed: [TensorDiff.Change] = []
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
            return TensorDiff(from: a.description + " (v\(from.number))", to: b.description + " (v\(to.number))",
                              added: after.keys.filter { before[$0] == nil }.sorted().map { TensorSummary(after[$0]!) },
                              removed: before.keys.filter { after[$0] == nil }.sorted().map { TensorSummary(before[$0]!) },
                              changed: changed, unchanged: unchanged)
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
