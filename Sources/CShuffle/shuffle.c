// Byte shuffle, unshuffle and XOR for chunk filters. Plain C loops over fixed widths that the
// compiler vectorises (little-endian words; this package targets x86_64 and arm64 Linux).
#include "cshuffle.h"
#include <string.h>

/* Each element is loaded as one little-endian word and its bytes are shifted out into the
 * planes (and back): contiguous loads and stores the compiler turns into vector packs. */
static void shuffle_2(uint8_t *out, const uint8_t *in, size_t n) {
    uint8_t *p0 = out, *p1 = out + n;
    for (size_t i = 0; i < n; i++) {
        uint16_t w; memcpy(&w, in + 2 * i, 2);
        p0[i] = (uint8_t)w; p1[i] = (uint8_t)(w >> 8);
    }
}
static void unshuffle_2(uint8_t *out, const uint8_t *in, size_t n) {
    const uint8_t *p0 = in, *p1 = in + n;
    for (size_t i = 0; i < n; i++) {
        uint16_t w = (uint16_t)(p0[i] | (uint16_t)p1[i] << 8);
        memcpy(out + 2 * i, &w, 2);
    }
}
static void shuffle_4(uint8_t *out, const uint8_t *in, size_t n) {
    uint8_t *p0 = out, *p1 = out + n, *p2 = out + 2 * n, *p3 = out + 3 * n;
    for (size_t i = 0; i < n; i++) {
        uint32_t w; memcpy(&w, in + 4 * i, 4);
        p0[i] = (uint8_t)w; p1[i] = (uint8_t)(w >> 8); p2[i] = (uint8_t)(w >> 16); p3[i] = (uint8_t)(w >> 24);
    }
}
static void unshuffle_4(uint8_t *out, const uint8_t *in, size_t n) {
    const uint8_t *p0 = in, *p1 = in + n, *p2 = in + 2 * n, *p3 = in + 3 * n;
    for (size_t i = 0; i < n; i++) {
        uint32_t w = (uint32_t)p0[i] | (uint32_t)p1[i] << 8 | (uint32_t)p2[i] << 16 | (uint32_t)p3[i] << 24;
        memcpy(out + 4 * i, &w, 4);
    }
}
static void shuffle_8(uint8_t *out, const uint8_t *in, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint64_t w; memcpy(&w, in + 8 * i, 8);
        for (int k = 0; k < 8; k++) out[k * n + i] = (uint8_t)(w >> (8 * k));
    }
}
static void unshuffle_8(uint8_t *out, const uint8_t *in, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint64_t w = 0;
        for (int k = 0; k < 8; k++) w |= (uint64_t)in[k * n + i] << (8 * k);
        memcpy(out + 8 * i, &w, 8);
    }
}

static void shuffle_any(uint8_t *out, const uint8_t *in, size_t n, size_t w) {
    for (size_t k = 0; k < w; k++)
        for (size_t i = 0; i < n; i++) out[k * n + i] = in[i * w + k];
}

static void unshuffle_any(uint8_t *out, const uint8_t *in, size_t n, size_t w) {
    for (size_t k = 0; k < w; k++)
        for (size_t i = 0; i < n; i++) out[i * w + k] = in[k * n + i];
}

void registry_shuffle(uint8_t *out, const uint8_t *in, size_t count, size_t width) {
    if (width <= 1) { memcpy(out, in, count); return; }
    size_t n = count / width, body = n * width;
    switch (width) {
    case 2: shuffle_2(out, in, n); break;
    case 4: shuffle_4(out, in, n); break;
    case 8: shuffle_8(out, in, n); break;
    default: shuffle_any(out, in, n, width); break;
    }
    memcpy(out + body, in + body, count - body);
}

void registry_unshuffle(uint8_t *out, const uint8_t *in, size_t count, size_t width) {
    if (width <= 1) { memcpy(out, in, count); return; }
    size_t n = count / width, body = n * width;
    switch (width) {
    case 2: unshuffle_2(out, in, n); break;
    case 4: unshuffle_4(out, in, n); break;
    case 8: unshuffle_8(out, in, n); break;
    default: unshuffle_any(out, in, n, width); break;
    }
    memcpy(out + body, in + body, count - body);
}

void registry_xor(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t count) {
    for (size_t i = 0; i < count; i++) out[i] = a[i] ^ b[i];
}
