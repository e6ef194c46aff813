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

/// out[i] = a[i] ^ b[i] for i < count (out may be a or b).
void registry_xor(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t count);

#endif
