import Foundation
import Registry

/// `registry-bench fill DB GIB`: a registry of GIB GiB of distinct tensors, for the big-registry
/// rows of `make bench`: GIB training runs `big-000`, `big-001`… of one checkpoint each, 64
/// float32 tensors of 16 MiB of random bits (stored raw: nothing compresses them), saved
/// through the library from memory, so no folder is written and read on the way. Prints JSON
/// with the time.
enum Fill {
    static func run(_ arguments: [String]) throws {
        guard arguments.count == 2, let gib = Int(arguments[1]), gib > 0 else {
            FileHandle.standardError.write(Data("usage: registry-bench fill DB GIB\n".utf8))
            exit(64)
        }
        let registry = try ModelRegistry(path: arguments[0])
        let start = DispatchTime.now().uptimeNanoseconds
        for run in 0..<gib {
            var state = UInt64(run + 1) &* 0x9E37_79B9_7F4A_7C15
            let tensors = (0..<64).map { k in
                NamedTensor(name: String(format: "layer_%02d/kernel", k), dtype: .float32, shape: [2048, 2048],
                            bytes: randomBytes(16 << 20, state: &state))
            }
            _ = try registry.saveCheckpoint(run: String(format: "big-%03d", run), step: 1, tensors: tensors, metaGraphs: [])
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("{\"gib\": \(gib), \"seconds\": \(seconds)}")
    }

    /// `count` bytes (a multiple of 8) from SplitMix64, word by word.
    static func randomBytes(_ count: Int, state: inout UInt64) -> [UInt8] {
        var seed = state
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let words = UnsafeMutableRawBufferPointer(buffer).bindMemory(to: UInt64.self)
            for i in words.indices {
                seed &+= 0x9E37_79B9_7F4A_7C15
                var z = seed
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                words[i] = z ^ (z >> 31)
            }
            initialized = count
        }
        state = seed
        return bytes
    }
}
