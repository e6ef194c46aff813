// Byte shuffle, unshuffle, XOR and differences for chunk filters. Plain C loops over fixed widths that the
// compiler vectorises (little-endian words; this package targets x86_64 and arm64 Linux).
#include "cshuffle.h"
#include "shuffle_internal.h"
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Each element is loaded as one little-endian word and its bytes are shifted out into the
 * planes (and back): contiguous loads and stores the compiler turns into vector packs. */
static void shuffle_2(uint8_t *out, const uint8_t *in, size_t n, size_t start) {
    uint8_t *p0 = out, *p1 = out + n;
    for (size_t i = start; i < n; i++) {
        uint16_t w; memcpy(&w, in + 2 * i, 2);
        p0[i] = (uint8_t)w; p1[i] = (uint8_t)(w >> 8);
    }
}
static void unshuffle_2(uint8_t *out, const uint8_t *const *p, size_t n, size_t start) {
    const uint8_t *p0 = p[0], *p1 = p[1];
    for (size_t i = start; i < n; i++) {
        uint16_t w = (uint16_t)(p0[i] | (uint16_t)p1[i] << 8);
        memcpy(out + 2 * i, &w, 2);
    }
}
static void shuffle_4(uint8_t *out, const uint8_t *in, size_t n, size_t start) {
    uint8_t *p0 = out, *p1 = out + n, *p2 = out + 2 * n, *p3 = out + 3 * n;
    for (size_t i = start; i < n; i++) {
        uint32_t w; memcpy(&w, in + 4 * i, 4);
        p0[i] = (uint8_t)w; p1[i] = (uint8_t)(w >> 8); p2[i] = (uint8_t)(w >> 16); p3[i] = (uint8_t)(w >> 24);
    }
}
static void unshuffle_4(uint8_t *out, const uint8_t *const *p, size_t n, size_t start) {
    const uint8_t *p0 = p[0], *p1 = p[1], *p2 = p[2], *p3 = p[3];
    for (size_t i = start; i < n; i++) {
        uint32_t w = (uint32_t)p0[i] | (uint32_t)p1[i] << 8 | (uint32_t)p2[i] << 16 | (uint32_t)p3[i] << 24;
        memcpy(out + 4 * i, &w, 4);
    }
}
static void shuffle_8(uint8_t *out, const uint8_t *in, size_t n, size_t start) {
    for (size_t i = start; i < n; i++) {
        uint64_t w; memcpy(&w, in + 8 * i, 8);
        for (int k = 0; k < 8; k++) out[k * n + i] = (uint8_t)(w >> (8 * k));
    }
}
static void unshuffle_8(uint8_t *out, const uint8_t *const *p, size_t n, size_t start) {
    for (size_t i = start; i < n; i++) {
        uint64_t w = 0;
        for (int k = 0; k < 8; k++) w |= (uint64_t)p[k][i] << (8 * k);
        memcpy(out + 8 * i, &w, 8);
    }
}

static void shuffle_any(uint8_t *out, const uint8_t *in, size_t n, size_t w) {
    for (size_t k = 0; k < w; k++)
        for (size_t i = 0; i < n; i++) out[k * n + i] = in[i * w + k];
}

static void unshuffle_any(uint8_t *out, const uint8_t *const *p, size_t n, size_t w) {
    for (size_t k = 0; k < w; k++)
        for (size_t i = 0; i < n; i++) out[i * w + k] = p[k][i];
}

void registry_shuffle(uint8_t *out, const uint8_t *in, size_t count, size_t width) {
    if (width <= 1) { memcpy(out, in, count); return; }
    size_t n = count / width, body = n * width, done = registry_shuffle_fast(out, in, n, width);
    switch (width) {
    case 2: shuffle_2(out, in, n, done); break;
    case 4: shuffle_4(out, in, n, done); break;
    case 8: shuffle_8(out, in, n, done); break;
    default: shuffle_any(out, in, n, width); break;
    }
    memcpy(out + body, in + body, count - body);
}

void registry_unshuffle_planes(uint8_t *out, const uint8_t *const *planes, const uint8_t *tail, size_t count, size_t width) {
    if (width <= 1) { memcpy(out, planes[0], count); return; }
    size_t n = count / width, body = n * width, done = registry_unshuffle_planes_fast(out, planes, n, width);
    switch (width) {
    case 2: unshuffle_2(out, planes, n, done); break;
    case 4: unshuffle_4(out, planes, n, done); break;
    case 8: unshuffle_8(out, planes, n, done); break;
    default: unshuffle_any(out, planes, n, width); break;
    }
    memcpy(out + body, tail, count - body);
}

void registry_unshuffle(uint8_t *out, const uint8_t *in, size_t count, size_t width) {
    if (width <= 1) { memcpy(out, in, count); return; }
    size_t n = count / width;
    if (width > 16) {  /* callers pass widths of 2...16; any other width, the plain loop */
        for (size_t k = 0; k < width; k++)
            for (size_t i = 0; i < n; i++) out[i * width + k] = in[k * n + i];
        memcpy(out + n * width, in + n * width, count - n * width);
        return;
    }
    const uint8_t *planes[16];
    for (size_t k = 0; k < width; k++) planes[k] = in + k * n;
    registry_unshuffle_planes(out, planes, in + n * width, count, width);
}

/* The element-wise combinations below are called in place (out == a), which defeats the
 * compiler's vectoriser (it falls back to bytes when out and an input overlap), so the SSE2
 * path is written out: each 16-byte block is loaded whole before it is stored. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "registry_difference reads elements as host integers: TensorFlow's files are little-endian"
#endif

void registry_xor(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t count) {
    size_t i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= count; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(a + i)), y = _mm_loadu_si128((const __m128i *)(b + i));
        _mm_storeu_si128((__m128i *)(out + i), _mm_xor_si128(x, y));
    }
#endif
    for (; i < count; i++) out[i] = a[i] ^ b[i];
}

#if defined(__SSE2__)
/* zigzag(x - y) and its inverse, y + unzigzag(z), on one block of 16-bit, 32-bit or 64-bit lanes. */
static inline __m128i zigzag_sub(__m128i x, __m128i y, size_t width) {
    __m128i d;
    switch (width) {
    case 2: d = _mm_sub_epi16(x, y); return _mm_xor_si128(_mm_slli_epi16(d, 1), _mm_srai_epi16(d, 15));
    case 4: d = _mm_sub_epi32(x, y); return _mm_xor_si128(_mm_slli_epi32(d, 1), _mm_srai_epi32(d, 31));
    default: d = _mm_sub_epi64(x, y);
        return _mm_xor_si128(_mm_slli_epi64(d, 1), _mm_shuffle_epi32(_mm_srai_epi32(d, 31), 0xF5));
    }
}
static inline __m128i unzigzag_add(__m128i z, __m128i y, size_t width) {
    const __m128i zero = _mm_setzero_si128();
    switch (width) {
    case 2: return _mm_add_epi16(y, _mm_xor_si128(_mm_srli_epi16(z, 1), _mm_sub_epi16(zero, _mm_and_si128(z, _mm_set1_epi16(1)))));
    case 4: return _mm_add_epi32(y, _mm_xor_si128(_mm_srli_epi32(z, 1), _mm_sub_epi32(zero, _mm_and_si128(z, _mm_set1_epi32(1)))));
    default: return _mm_add_epi64(y, _mm_xor_si128(_mm_srli_epi64(z, 1), _mm_sub_epi64(zero, _mm_and_si128(z, _mm_set1_epi64x(1)))));
    }
}
#endif

/* The scalar forms, for the elements after the last whole block. */
#define REGISTRY_DIFFERENCE(T, S, BITS)                                                       \
    for (; i < n; i++) {                                                                      \
        T x, y; memcpy(&x, a + i * sizeof(T), sizeof(T)); memcpy(&y, b + i * sizeof(T), sizeof(T)); \
        T d = (T)(x - y);                                                                     \
        T z = (T)((T)(d << 1) ^ (T)((S)d >> (BITS - 1)));                                     \
        memcpy(out + i * sizeof(T), &z, sizeof(T));                                           \
    }
#define REGISTRY_UNDIFFERENCE(T)                                                              \
    for (; i < n; i++) {                                                                      \
        T z, y; memcpy(&z, diff + i * sizeof(T), sizeof(T)); memcpy(&y, base + i * sizeof(T), sizeof(T)); \
        T d = (T)((T)(z >> 1) ^ (T)(0 - (T)(z & 1)));                                         \
        T x = (T)(y + d);                                                                     \
        memcpy(out + i * sizeof(T), &x, sizeof(T));                                           \
    }

void registry_difference(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t count, size_t width) {
    if (width != 2 && width != 4 && width != 8) { registry_xor(out, a, b, count); return; }
    size_t n = count / width, i = 0;
#if defined(__SSE2__)
    for (; (i + 16 / width) <= n; i += 16 / width) {
        __m128i x = _mm_loadu_si128((const __m128i *)(a + i * width)), y = _mm_loadu_si128((const __m128i *)(b + i * width));
        _mm_storeu_si128((__m128i *)(out + i * width), zigzag_sub(x, y, width));
    }
#endif
    switch (width) {
    case 2: REGISTRY_DIFFERENCE(uint16_t, int16_t, 16) break;
    case 4: REGISTRY_DIFFERENCE(uint32_t, int32_t, 32) break;
    default: REGISTRY_DIFFERENCE(uint64_t, int64_t, 64) break;
    }
    registry_xor(out + n * width, a + n * width, b + n * width, count - n * width);
}

void registry_undifference(uint8_t *out, const uint8_t *diff, const uint8_t *base, size_t count, size_t width) {
    if (width != 2 && width != 4 && width != 8) { registry_xor(out, diff, base, count); return; }
    size_t n = count / width, i = 0;
#if defined(__SSE2__)
    for (; (i + 16 / width) <= n; i += 16 / width) {
        __m128i z = _mm_loadu_si128((const __m128i *)(diff + i * width)), y = _mm_loadu_si128((const __m128i *)(base + i * width));
        _mm_storeu_si128((__m128i *)(out + i * width), unzigzag_add(z, y, width));
    }
#endif
    switch (width) {
    case 2: REGISTRY_UNDIFFERENCE(uint16_t) break;
    case 4: REGISTRY_UNDIFFERENCE(uint32_t) break;
    default: REGISTRY_UNDIFFERENCE(uint64_t) break;
    }
    registry_xor(out + n * width, diff + n * width, base + n * width, count - n * width);
}

/* Bit planes. An 8x8 bit-matrix transpose of one 64-bit word (Hacker's Delight 7-3): bit j of
 * byte i becomes bit i of byte j, so eight bytes become one byte of each of eight bit planes. */
static inline uint64_t transpose8(uint64_t x) {
    uint64_t t;
    t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAULL;  x ^= t ^ (t << 7);
    t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCULL; x ^= t ^ (t << 14);
    t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ULL; x ^= t ^ (t << 28);
    return x;
}

void registry_bitshuffle(uint8_t *out, const uint8_t *in, size_t n) {
    size_t m = n / 8, i = 8 * registry_bitshuffle_fast(out, in, n);
#if defined(__SSE2__)
    /* 16 bytes at a time: the sign bit of every byte is one movemask, then shift left by one. */
    for (; i + 16 <= 8 * m; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(in + i));
        for (int b = 7; b >= 0; b--) {
            uint16_t bits = (uint16_t)_mm_movemask_epi8(v);
            memcpy(out + (size_t)b * m + i / 8, &bits, 2);
            v = _mm_add_epi8(v, v);
        }
    }
#endif
    for (; i < 8 * m; i += 8) {
        uint64_t x; memcpy(&x, in + i, 8);
        x = transpose8(x);
        for (int b = 0; b < 8; b++) out[(size_t)b * m + i / 8] = (uint8_t)(x >> (8 * b));
    }
}

void registry_bitunshuffle(uint8_t *out, const uint8_t *const planes[8], const uint8_t *tail, size_t n, const uint8_t table[256]) {
    size_t m = n / 8, j = registry_bitunshuffle_fast(out, planes, n, table);  /* j: byte index within each plane (8 output bytes each) */
#if defined(__SSE2__)
    /* 64 bytes at a time: eight bytes of each plane interleaved so that each 8-byte group holds
     * one byte of every plane, then movemask as in the forward direction. */
    for (; j + 8 <= m; j += 8) {
        __m128i p[8];
        for (int b = 0; b < 8; b++) p[b] = _mm_loadl_epi64((const __m128i *)(planes[b] + j));
        __m128i a01 = _mm_unpacklo_epi8(p[0], p[1]), a23 = _mm_unpacklo_epi8(p[2], p[3]);
        __m128i a45 = _mm_unpacklo_epi8(p[4], p[5]), a67 = _mm_unpacklo_epi8(p[6], p[7]);
        __m128i lo03 = _mm_unpacklo_epi16(a01, a23), hi03 = _mm_unpackhi_epi16(a01, a23);
        __m128i lo47 = _mm_unpacklo_epi16(a45, a67), hi47 = _mm_unpackhi_epi16(a45, a67);
        __m128i c[4] = {_mm_unpacklo_epi32(lo03, lo47), _mm_unpackhi_epi32(lo03, lo47),
                        _mm_unpacklo_epi32(hi03, hi47), _mm_unpackhi_epi32(hi03, hi47)};
        uint8_t *o = out + 8 * j;
        for (int q = 0; q < 4; q++) {
            __m128i v = c[q];
            for (int s = 0; s < 8; s++) {
                unsigned bits = (unsigned)_mm_movemask_epi8(v);
                o[16 * q + 7 - s] = table[bits & 0xFF];
                o[16 * q + 15 - s] = table[bits >> 8];
                v = _mm_add_epi8(v, v);
            }
        }
    }
#endif
    for (; j < m; j++) {
        uint64_t x = 0;
        for (int b = 0; b < 8; b++) x |= (uint64_t)planes[b][j] << (8 * b);
        x = transpose8(x);
        for (int i = 0; i < 8; i++) out[8 * j + i] = table[(uint8_t)(x >> (8 * i))];
    }
    for (size_t i = 8 * m; i < n; i++) out[i] = table[tail[i - 8 * m]];
}

void registry_byte_map(uint8_t *out, const uint8_t *in, size_t n, const uint8_t table[256]) {
    size_t i = registry_byte_map_fast(out, in, n, table);
    for (; i + 4 <= n; i += 4) {
        uint8_t a = table[in[i]], b = table[in[i + 1]], c = table[in[i + 2]], d = table[in[i + 3]];
        out[i] = a; out[i + 1] = b; out[i + 2] = c; out[i + 3] = d;
    }
    for (; i < n; i++) out[i] = table[in[i]];
}

void registry_byte_histogram(uint32_t counts[256], const uint8_t *in, size_t n) {
    /* Four tables, so that runs of one byte value do not serialise on one counter. */
    uint32_t t[4][256];
    memset(t, 0, sizeof t);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) { t[0][in[i]]++; t[1][in[i + 1]]++; t[2][in[i + 2]]++; t[3][in[i + 3]]++; }
    for (; i < n; i++) t[0][in[i]]++;
    for (int v = 0; v < 256; v++) counts[v] = t[0][v] + t[1][v] + t[2][v] + t[3][v];
}
