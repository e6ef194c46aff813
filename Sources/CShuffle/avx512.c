// Byte shuffles of 2- and 4-byte elements, the bit-plane transposes and the rank table with
// AVX-512 (VBMI for byte permutes, GFNI for the 8x8 bit transpose), chosen at run time. Each
// is exact to its portable form in shuffle.c; ChunkFilterTests runs both on the same inputs.
#include "cshuffle.h"
#include "shuffle_internal.h"
#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define REGISTRY_AVX512 1
#define TARGET __attribute__((target("avx512f,avx512bw,avx512vbmi,gfni")))

/* gf2p8affine(C, A, 0) with C's byte p = 1 << p: byte p of the result holds bit p of each byte
 * of A's qword, bit i from A's byte 7 - i. With A's bytes in reverse order that is the 8x8
 * bit transpose: bit b of byte i becomes bit i of byte b. */
static const uint64_t unit_bits = 0x8040201008040201ULL;

TARGET static inline __m512i lookup(__m512i x, const __m512i t[4]) {
    __m512i low = _mm512_permutex2var_epi8(t[0], x, t[1]), high = _mm512_permutex2var_epi8(t[2], x, t[3]);
    return _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), low, high);
}

TARGET static size_t bitshuffle_avx512(uint8_t *out, const uint8_t *in, size_t n) {
    size_t m = n / 8, j = 0;
    const __m512i units = _mm512_set1_epi64((long long)unit_bits);
    /* Reverse the bytes of each qword (so the transpose comes out in order), transpose the
     * bits, then regroup: byte b of qword k goes to plane b, byte j + k. */
    uint8_t rev[64];
    for (int q = 0; q < 8; q++) for (int p = 0; p < 8; p++) rev[8 * q + p] = (uint8_t)(8 * q + 7 - p);
    const __m512i reversed = _mm512_loadu_si512(rev);
    uint8_t group[64];
    for (int b = 0; b < 8; b++) for (int k = 0; k < 8; k++) group[8 * b + k] = (uint8_t)(8 * k + b);
    const __m512i to_planes = _mm512_loadu_si512(group);
    for (; j + 8 <= m; j += 8) {
        __m512i x = _mm512_permutexvar_epi8(reversed, _mm512_loadu_si512(in + 8 * j));
        __m512i q = _mm512_gf2p8affine_epi64_epi8(units, x, 0);
        __m512i p = _mm512_permutexvar_epi8(to_planes, q);
        uint64_t lanes[8];
        _mm512_storeu_si512(lanes, p);
        for (int b = 0; b < 8; b++) memcpy(out + (size_t)b * m + j, &lanes[b], 8);
    }
    return j;
}

TARGET static size_t bitunshuffle_avx512(uint8_t *out, const uint8_t *const planes[8], size_t n, const uint8_t table[256]) {
    size_t m = n / 8, j = 0;
    const __m512i units = _mm512_set1_epi64((long long)unit_bits);
    __m512i t[4];
    for (int h = 0; h < 4; h++) t[h] = _mm512_loadu_si512(table + 64 * h);
    /* Byte k of plane b (qword b) to byte 7 - b of qword k: one byte of every plane per qword,
     * in reverse, ready for the transpose. */
    uint8_t group[64];
    for (int b = 0; b < 8; b++) for (int k = 0; k < 8; k++) group[8 * k + 7 - b] = (uint8_t)(8 * b + k);
    const __m512i from_planes = _mm512_loadu_si512(group);
    for (; j + 8 <= m; j += 8) {
        uint64_t lanes[8];
        for (int b = 0; b < 8; b++) memcpy(&lanes[b], planes[b] + j, 8);
        __m512i v = _mm512_permutexvar_epi8(from_planes, _mm512_loadu_si512(lanes));
        __m512i bytes = _mm512_gf2p8affine_epi64_epi8(units, v, 0);
        _mm512_storeu_si512(out + 8 * j, lookup(bytes, t));
    }
    return j;
}

TARGET static size_t byte_map_avx512(uint8_t *out, const uint8_t *in, size_t n, const uint8_t table[256]) {
    __m512i t[4];
    for (int h = 0; h < 4; h++) t[h] = _mm512_loadu_si512(table + 64 * h);
    size_t i = 0;
    for (; i + 64 <= n; i += 64) _mm512_storeu_si512(out + i, lookup(_mm512_loadu_si512(in + i), t));
    return i;
}

/* Byte shuffle, 4-byte elements, 64 at a time: byte k of element e (input byte 4e + k) is
 * picked from the first two registers for e < 32 and from the last two for the rest, with one
 * index (4e + k mod 128), then the halves are blended. 2-byte elements: one permute per plane. */
TARGET static size_t shuffle_avx512(uint8_t *out, const uint8_t *in, size_t n, size_t width) {
    uint8_t index[4][64];
    for (size_t k = 0; k < width; k++)
        for (int e = 0; e < 64; e++) index[k][e] = (uint8_t)((width * (size_t)e + k) & 127);
    size_t i = 0;
    if (width == 4) {
        __m512i idx[4];
        for (int k = 0; k < 4; k++) idx[k] = _mm512_loadu_si512(index[k]);
        for (; i + 64 <= n; i += 64) {
            const uint8_t *src = in + 4 * i;
            __m512i r0 = _mm512_loadu_si512(src), r1 = _mm512_loadu_si512(src + 64);
            __m512i r2 = _mm512_loadu_si512(src + 128), r3 = _mm512_loadu_si512(src + 192);
            for (int k = 0; k < 4; k++) {
                __m512i low = _mm512_permutex2var_epi8(r0, idx[k], r1), high = _mm512_permutex2var_epi8(r2, idx[k], r3);
                _mm512_storeu_si512(out + (size_t)k * n + i, _mm512_mask_blend_epi8(0xFFFFFFFF00000000ULL, low, high));
            }
        }
    } else if (width == 2) {
        __m512i idx0 = _mm512_loadu_si512(index[0]), idx1 = _mm512_loadu_si512(index[1]);
        for (; i + 64 <= n; i += 64) {
            __m512i r0 = _mm512_loadu_si512(in + 2 * i), r1 = _mm512_loadu_si512(in + 2 * i + 64);
            _mm512_storeu_si512(out + i, _mm512_permutex2var_epi8(r0, idx0, r1));
            _mm512_storeu_si512(out + n + i, _mm512_permutex2var_epi8(r0, idx1, r1));
        }
    }
    return i;
}

/* The inverse: output byte t of register q (element 16q + t / 4, plane t % 4) comes from
 * planes 0 and 1 or from planes 2 and 3 with one index, blended by t % 4 >= 2. */
TARGET static size_t unshuffle_avx512(uint8_t *out, const uint8_t *const *planes, size_t n, size_t width) {
    size_t i = 0;
    if (width == 4) {
        __m512i idx[4];
        for (int q = 0; q < 4; q++) {
            uint8_t index[64];
            for (int t = 0; t < 64; t++) index[t] = (uint8_t)((t % 2) * 64 + 16 * q + t / 4);
            idx[q] = _mm512_loadu_si512(index);
        }
        for (; i + 64 <= n; i += 64) {
            __m512i p0 = _mm512_loadu_si512(planes[0] + i), p1 = _mm512_loadu_si512(planes[1] + i);
            __m512i p2 = _mm512_loadu_si512(planes[2] + i), p3 = _mm512_loadu_si512(planes[3] + i);
            for (int q = 0; q < 4; q++) {
                __m512i low = _mm512_permutex2var_epi8(p0, idx[q], p1), high = _mm512_permutex2var_epi8(p2, idx[q], p3);
                _mm512_storeu_si512(out + 4 * i + 64 * q, _mm512_mask_blend_epi8(0xCCCCCCCCCCCCCCCCULL, low, high));
            }
        }
    } else if (width == 2) {
        __m512i idx[2];
        for (int q = 0; q < 2; q++) {
            uint8_t index[64];
            for (int t = 0; t < 64; t++) index[t] = (uint8_t)((t % 2) * 64 + 32 * q + t / 2);
            idx[q] = _mm512_loadu_si512(index);
        }
        for (; i + 64 <= n; i += 64) {
            __m512i p0 = _mm512_loadu_si512(planes[0] + i), p1 = _mm512_loadu_si512(planes[1] + i);
            _mm512_storeu_si512(out + 2 * i, _mm512_permutex2var_epi8(p0, idx[0], p1));
            _mm512_storeu_si512(out + 2 * i + 64, _mm512_permutex2var_epi8(p0, idx[1], p1));
        }
    }
    return i;
}

static int detect(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("gfni");
}
#endif

/* -1 until first asked; then 1 when the AVX-512 paths run, 0 when the portable ones do. */
static _Atomic int use_avx512 = -1;

int registry_shuffle_avx512(int enable) {
#if defined(REGISTRY_AVX512)
    static _Atomic int available = -1;
    if (atomic_load(&available) < 0) atomic_store(&available, detect());
    int state = enable < 0 ? atomic_load(&use_avx512) : (enable && atomic_load(&available));
    if (state < 0) state = atomic_load(&available);
    atomic_store(&use_avx512, state);
    return state;
#else
    (void)enable;
    return 0;
#endif
}

static inline int avx512(void) {
    int state = atomic_load_explicit(&use_avx512, memory_order_relaxed);
    return state < 0 ? registry_shuffle_avx512(-1) : state;
}

size_t registry_bitshuffle_fast(uint8_t *out, const uint8_t *in, size_t n) {
#if defined(REGISTRY_AVX512)
    if (avx512()) return bitshuffle_avx512(out, in, n);
#endif
    (void)out; (void)in; (void)n;
    return 0;
}

size_t registry_bitunshuffle_fast(uint8_t *out, const uint8_t *const planes[8], size_t n, const uint8_t table[256]) {
#if defined(REGISTRY_AVX512)
    if (avx512()) return bitunshuffle_avx512(out, planes, n, table);
#endif
    (void)out; (void)planes; (void)n; (void)table;
    return 0;
}

size_t registry_shuffle_fast(uint8_t *out, const uint8_t *in, size_t n, size_t width) {
#if defined(REGISTRY_AVX512)
    if ((width == 2 || width == 4) && avx512()) return shuffle_avx512(out, in, n, width);
#endif
    (void)out; (void)in; (void)n; (void)width;
    return 0;
}

size_t registry_unshuffle_planes_fast(uint8_t *out, const uint8_t *const *planes, size_t n, size_t width) {
#if defined(REGISTRY_AVX512)
    if ((width == 2 || width == 4) && avx512()) return unshuffle_avx512(out, planes, n, width);
#endif
    (void)out; (void)planes; (void)n; (void)width;
    return 0;
}

size_t registry_byte_map_fast(uint8_t *out, const uint8_t *in, size_t n, const uint8_t table[256]) {
#if defined(REGISTRY_AVX512)
    if (avx512()) return byte_map_avx512(out, in, n, table);
#endif
    (void)out; (void)in; (void)n; (void)table;
    return 0;
}
