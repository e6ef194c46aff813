#ifndef CCRC32C_H
#define CCRC32C_H
#include <stddef.h>
#include <stdint.h>

/// Continues a CRC-32C (Castagnoli) over `length` bytes. `crc` is the running value
/// before the final xor (start with 0 for a fresh checksum; this function applies the
/// customary pre- and post-inversion itself, so results chain like LevelDB's Extend).
uint32_t ccrc32c_extend(uint32_t crc, const void *data, size_t length);

/// The crc of A followed by B, from the crc of A, the crc of B and B's length (as zlib's
/// crc32_combine): chunks checksummed apart, on several threads, give the checksum of the whole.
uint32_t ccrc32c_combine(uint32_t first, uint32_t second, uint64_t second_length);

/// The operator behind ccrc32c_combine for one length (appending that many zero bytes), for
/// callers that combine many pieces of the same length: ccrc32c_combine_with is then 32 steps.
void ccrc32c_zeros_operator(uint32_t op[32], uint64_t length);
uint32_t ccrc32c_combine_with(const uint32_t op[32], uint32_t first, uint32_t second);

/// 1 when the SSE4.2 crc32 instruction is used, 0 when the portable table is.
int ccrc32c_hardware(void);

/// The portable table implementation, exposed so tests can compare both paths.
uint32_t ccrc32c_extend_portable(uint32_t crc, const void *data, size_t length);

#endif
