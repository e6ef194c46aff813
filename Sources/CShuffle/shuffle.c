// Byte shuffle, unshuffle and XOR for chunk filters. Plain C loops over fixed widths: the
// compiler unrolls and vectorises them (checked by `make bench`, several GB/s per core).
#include "cshuffle.h"
#include <string.h>

#define BLOCK 256  /* elements per tile: keeps every plane's output line in L1 */

#define SHUFFLE_WIDTH(W)                                                        \
    static void shuffle_##W(uint8_t *out, const uint8_t *in, size_t n) {        \
        for (size_t start = 0; start < n; start += BLOCK) {                     \
            size_t end = start + BLOCK < n ? start + BLOCK : n;                 \
            for (size_t k = 0; k < W; k++) {                                    \
                uint8_t *plane = out + k * n;                                   \
                for (size_t i = start; i < end; i++) plane[i] = in[i * W + k];  \
            }                                                                   \
        }                                                                       \
    }                                                                           \
    static void unshuffle_##W(uint8_t *out, const uint8_t *in, size_t n) {      \
        for (size_t start = 0; start < n; start += BLOCK) {                     \
            size_t end = start + BLOCK < n ? start + BLOCK : n;                 \
            for (size_t k = 0; k < W; k++) {                                    \
                const uint8_t *plane = in + k * n;                              \
                for (size_t i = start; i < end; i++) out[i * W + k] = plane[i]; \
            }                                                                   \
        }                                                                       \
    }

SHUFFLE_WIDTH(2)
SHUFFLE_WIDTH(4)
SHUFFLE_WIDTH(8)

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
