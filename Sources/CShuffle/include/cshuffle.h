#ifndef CSHUFFLE_H
#define CSHUFFLE_H

#include <stddef.h>
#include <stdint.h>

/// Byte shuffle (as in HDF5/Blosc): byte k of every `width`-byte element goes to plane k, so
/// the slowly varying bytes of numbers (sign, exponent) sit together and compress. A trailing
/// partial element is copied as is. `out` and `in` must not overlap.
void registry_shuffle(uint8_t *out, const uint8_t *in, size_t count, size_t width);

/// The inverse of registry_shuffle.
void registry_unshuffle(uint8_t *out, const uint8_t *in, size_t count, size_t width);

/// registry_unshuffle with the planes anywhere: planes[k] holds byte k of each of the
/// count / width elements, `tail` the count % width bytes of a trailing partial element.
void registry_unshuffle_planes(uint8_t *out, const uint8_t *const *planes, const uint8_t *tail, size_t count, size_t width);

/// Bit shuffle of n bytes (n a multiple of 8): bit b of byte i goes to bit i % 8 of byte i / 8
/// of plane b; the eight planes of n / 8 bytes follow each other in `out`. The sign and exponent
/// bits of floats become long runs that LZ4 compresses fast and well.
void registry_bitshuffle(uint8_t *out, const uint8_t *in, size_t n);

/// The inverse of registry_bitshuffle, with planes[b] pointing at plane b (n / 8 bytes each)
/// and `tail` at the last n % 8 bytes, each byte then mapped through `table` (out[i] =
/// table[byte]; ranks back to values in one pass).
void registry_bitunshuffle(uint8_t *out, const uint8_t *const planes[8], const uint8_t *tail, size_t n, const uint8_t table[256]);

/// out[i] = table[in[i]] for i < n (out may be in).
void registry_byte_map(uint8_t *out, const uint8_t *in, size_t n, const uint8_t table[256]);

/// Whether the bit shuffles and the byte map use their AVX-512 forms (VBMI and GFNI, where
/// the CPU has them): pass -1 to ask, 0 to use the portable forms, 1 to use AVX-512 when
/// available; returns the state now in force. For tests that compare the two.
int registry_shuffle_avx512(int enable);

/// counts[v] = how many of the n bytes are v.
void registry_byte_histogram(uint32_t counts[256], const uint8_t *in, size_t n);

/// out[i] = a[i] ^ b[i] for i < count (out may be a or b).
void registry_xor(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t count);

/// Element-wise difference of little-endian `width`-byte integers (width 2, 4 or 8),
/// zigzag-encoded: out = zigzag(a - b), so a small step either way has high bytes of zero,
/// where an XOR would flip every bit a carry ran through. A trailing partial element is
/// XOR-ed. `out` may be a or b.
void registry_difference(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t count, size_t width);

/// The inverse of registry_difference: out = base + unzigzag(diff). `out` may be diff or base.
void registry_undifference(uint8_t *out, const uint8_t *diff, const uint8_t *base, size_t count, size_t width);

#endif
