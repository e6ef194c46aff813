// `make bench`, first part: throughput of the format layer's hot paths, each beside a baseline
// measured in the same run; the content-address hash per 1 MiB chunk against the alternatives;
// the seed network's epoch against TensorFlow. Release build only; figures are medians.
// `scripts/bench_io.py` (run next by `make bench`) prints the rest: push/pull against TensorFlow
// and `cp`, stored sizes, training history and `ls` over 10,000 versions.
//
// `registry-bench populate DB MODELS VERSIONS SERVE_DIR TRAIN_DIR` fills a registry instead
// (Populate.swift), `registry-bench fill DB GIB` writes GIB GiB of distinct tensors (Fill.swift),
// and `registry-bench epoch` times only the seed epoch against its C loop (SeedEpoch.swift).
import Foundation
import Registry
import RegistryFormat
import RegistryRemote
import Train

if CommandLine.arguments.count > 1, let tool = ["populate": Populate.run, "fill": Fill.run, "epoch": SeedEpoch.run][CommandLine.arguments[1]] {
    do {
        try tool(Array(CommandLine.arguments.dropFirst(2)))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("\(CommandLine.arguments[1]) failed: \(error)\n".utf8))
        exit(1)
    }
}

let scriptsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("scripts")

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

// The content address: each hash over the same 64 MiB of random bytes as 1 MiB chunks.
var hashes = Hashes.swiftSHA256(data)
if let python = ProcessInfo.processInfo.environment["REGISTRY_TF_PYTHON"] {
    hashes += Hashes.python(python, script: scriptsFolder.appendingPathComponent("bench_io.py").path) ?? []
}
print("")
print(pad("hash per 1 MiB chunk (64 MiB random)", 44) + pad("throughput", 14) + "ratio (this / swift-crypto SHA256, 1 thread)")
for hash in hashes {
    print(pad(hash.name, 44) + pad(String(format: "%.2f GB/s", hash.gigabytesPerSecond), 14)
          + String(format: "%.2fx", hash.gigabytesPerSecond / hashes[0].gigabytesPerSecond))
}

// Training: time per epoch (50 Adam steps of batch 32) of the founding network in Swift,
// beside TensorFlow 2.21's TF1 `sess.run` loop and TF2 `tf.function` on this machine.
let swiftEpoch = SeedEpoch.compare()
if let python = ProcessInfo.processInfo.environment["REGISTRY_TF_PYTHON"] {
    let script = scriptsFolder.appendingPathComponent("bench_train_tf.py").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script, "20"]
    var environment = ProcessInfo.processInfo.environment
    environment["TF_CPP_MIN_LOG_LEVEL"] = "3"
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if let json = try? JSONSerialization.jsonObject(with: output) as? [String: Any] {
        for (key, label) in [("tf1_sess_run", "TensorFlow 2.21, TF1 sess.run loop"), ("tf2_function", "TensorFlow 2.21, TF2 tf.function")] {
            if let seconds = json[key] as? Double {
                print(pad(label, 40) + pad(String(format: "%.2f ms", seconds * 1e3), 12) + String(format: "%.2fx", swiftEpoch / seconds))
            }
        }
    } else {
        print("TensorFlow timing failed (exit \(process.terminationStatus))")
    }
} else {
    print("(set REGISTRY_TF_PYTHON, as `make bench` does, to time TensorFlow beside it)")
}

// The manifest a pushed version needs (`PackPlan`): packs and bytes for 1 GiB, 10 GiB and,
// computed from random chunk addresses as a model's are, 1 TiB; registries accept 4 MiB.
print("")
print(pad("manifest of a version (1 MiB chunks)", 40) + pad("packs", 10) + pad("manifest", 14) + "ratio (this / 4 MiB)")
for (label, bytes) in [("1 GiB", Int64(1) << 30), ("10 GiB", Int64(10) << 30), ("1 TiB (computed)", Int64(1) << 40)] {
    let estimate = try PackPlan.estimateManifest(totalBytes: bytes)
    print(pad(label, 40) + pad(String(estimate.packs), 10) + pad(String(format: "%.1f KiB", Double(estimate.bytes) / 1024), 14)
          + String(format: "%.3fx", Double(estimate.bytes) / Double(4 << 20)))
}
if sink == 42 { print("") }
