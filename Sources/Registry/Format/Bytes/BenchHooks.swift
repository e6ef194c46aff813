/// Entry points for `registry-bench` only: internals it compares against a baseline.
@_spi(Bench)
public enum BenchHooks {
    public static func portableCRC32C(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        CRC32C.extendPortable(0, bytes)
    }
}
