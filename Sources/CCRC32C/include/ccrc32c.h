#ifndef CCRC32C_H
#define CCRC32C_H
#include <stddef.h>
#include <stdint.h>

/// Continues a CRC-32C (Castagnoli) over `length` bytes. `crc` is the running value
/// before the final xor (start with 0 for a fresh checksum; this function applies the
/// customary pre- and post-inversion itself, so results chain like LevelDB's Extend).
uint32_t ccrc32c_extend(uint32_t crc, const void *data, size_t length);

/// 1 when the SSE4.2 crc32 instruction is used, 0 when the portable table is.
int ccrc32c_hardware(void);

/// The portable table implementation, exposed so tests can compare both paths.
uint32_t ccrc32c_extend_portable(uint32_t crc, const void *data, size_t length);

#endif
