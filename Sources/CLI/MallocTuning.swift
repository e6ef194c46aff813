#if canImport(CMalloc)
import CMalloc
#endif

/// glibc's allocator settings for a push or pull, chosen by measurement (`make bench`). Chunks
/// are 1 MiB buffers made and freed by the thousand on worker threads; by default glibc maps
/// and unmaps each one (page faults, zeroing: a third of a pull's time), so buffers up to
/// 2 MiB come from the heap instead, freed memory is kept up to 8 MiB for reuse, and one
/// arena serves every thread (each further arena keeps freed chunks of its own: more memory
/// held for the same work).
enum MallocTuning {
    static func apply() {
        #if canImport(CMalloc)
        _ = mallopt(M_MMAP_THRESHOLD, 2 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 8 << 20)
        _ = mallopt(M_ARENA_MAX, 1)
        #endif
    }
}
