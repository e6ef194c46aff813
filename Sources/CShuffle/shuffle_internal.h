#ifndef SHUFFLE_INTERNAL_H
#define SHUFFLE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* The AVX-512 paths (bits_avx512.c), when the CPU has them: each does a prefix of the work
 * and returns its length (plane bytes for the bit shuffles, bytes for the map), 0 without
 * AVX-512; the portable loops in shuffle.c finish from there. */
size_t registry_bitshuffle_fast(uint8_t *out, const uint8_t *in, size_t n);
size_t registry_bitunshuffle_fast(uint8_t *out, const uint8_t *const planes[8], size_t n, const uint8_t table[256]);
/* Byte shuffle of n elements of `width` bytes (2 and 4; 0 for others): elements done. */
size_t registry_shuffle_fast(uint8_t *out, const uint8_t *in, size_t n, size_t width);
size_t registry_unshuffle_planes_fast(uint8_t *out, const uint8_t *const *planes, size_t n, size_t width);
size_t registry_byte_map_fast(uint8_t *out, const uint8_t *in, size_t n, const uint8_t table[256]);

#endif
