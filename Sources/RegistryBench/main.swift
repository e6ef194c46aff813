// `make bench`: throughput of the format layer's hot paths, each beside a baseline measured
// in the same run, printed as one table. Release build only; figures are medians of 5 runs.
import Foundation
@_spi(Bench) import Registry

struct Row {
    var name: String
    var bytes: Int
    var seconds: Double
    var baseline: String
    var baselineSeconds: Double
}

func median(_ runs: Int = 5, _ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[runs / 2]
}

var rng = SystemRandomNumberGenerator()
var rows: [Row] = []

// crc32c: the SSE4.2 path against the portable slicing-by-8 table, over 64 MiB.
let data = (0..<(64 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) }
var sink: UInt32 = 0
let hardware = median { sink ^= CRC32C.checksum(data) }
let portable = median { data.withUnsafeBytes { sink ^= BenchHooks.portableCRC32C($0) } }
let copy = median { var copied = data; copied[0] ^= 1; sink ^= UInt32(copied[1]) }
rows.append(Row(name: "crc32c (\(CRC32C.usesHardware ? "sse4.2" : "table")), 64 MiB", bytes: data.count, seconds: hardware,
                baseline: "table crc32c", baselineSeconds: portable))
rows.append(Row(name: "crc32c (\(CRC32C.usesHardware ? "sse4.2" : "table")), 64 MiB", bytes: data.count, seconds: hardware,
                baseline: "memcpy", baselineSeconds: copy))

// The index of a 20,000-tensor bundle with realistic names: encode and decode.
var entries: [BundleEntry] = []
var offset: Int64 = 0
for i in 0..<20_000 {
    let name = "model/layer_\(i / 8)/sublayer_\(i % 8)/kernel/.ATTRIBUTES/VARIABLE_VALUE"
    let size = Int64(4 * 64 * 64)
    entries.append(BundleEntry(key: Array(name.utf8), dtype: .float32, shape: [64, 64], offset: offset, size: size,
                               maskedCRC32C: UInt32.random(in: 0...UInt32.max, using: &rng)))
    offset += size
}
entries.sort { $0.key.lexicographicallyPrecedes($1.key) }
let index = BundleIndex(header: BundleHeader(), entries: entries)
var encoded: [UInt8] = []
let encodeTime = median { encoded = index.encode() }
var decodedCount = 0
let decodeTime = try median { decodedCount = try BundleIndex.decode(encoded, file: "bench.index").entries.count }
precondition(decodedCount == entries.count)
let indexCopy = median { var copied = encoded; copied[0] ^= 1; sink ^= UInt32(copied[1]) }
rows.append(Row(name: "index encode, 20,000 entries", bytes: encoded.count, seconds: encodeTime, baseline: "memcpy", baselineSeconds: indexCopy))
rows.append(Row(name: "index decode + validate", bytes: encoded.count, seconds: decodeTime, baseline: "index encode", baselineSeconds: encodeTime))

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
print(pad("benchmark", 34) + pad("size", 12) + pad("time", 11) + pad("throughput", 13) + pad("baseline", 15) + "ratio (time / baseline)")
for row in rows {
    let mb = Double(row.bytes) / 1e6
    print(pad(row.name, 34) + pad(String(format: "%.1f MB", mb), 12) + pad(String(format: "%.2f ms", row.seconds * 1e3), 11)
          + pad(String(format: "%.0f MB/s", mb / row.seconds), 13) + pad(row.baseline, 15)
          + String(format: "%.2fx", row.seconds / row.baselineSeconds))
}
print(String(format: "index: %.0f entries/s encoded, %.0f entries/s decoded", Double(entries.count) / encodeTime, Double(entries.count) / decodeTime))
if sink == 42 { print("") }
