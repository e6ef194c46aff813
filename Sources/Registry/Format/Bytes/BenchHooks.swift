/// Entry points for `registry-bench` only: internals it compares against a baseline.
package enum BenchHooks {
    package static func portableCRC32C(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        CRC32C.extendPortable(0, bytes)
    }
}
