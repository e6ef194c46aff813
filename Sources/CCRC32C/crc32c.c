// CRC-32C over bytes: the SSE4.2 `crc32` instruction where the CPU has it (checked once
// with cpuid), else a slicing-by-8 table. Same results as LevelDB's crc32c::Extend.
#include "ccrc32c.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define CCRC32C_X86 1
#endif

static uint32_t table[8][256];
static int table_ready = 0;

static void build_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ ((c & 1) ? 0x82F63B78u : 0);
        table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
        for (int t = 1; t < 8; t++) table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
    }
    __atomic_store_n(&table_ready, 1, __ATOMIC_RELEASE);
}

uint32_t ccrc32c_extend_portable(uint32_t crc, const void *data, size_t length) {
    if (!__atomic_load_n(&table_ready, __ATOMIC_ACQUIRE)) build_table();
    const uint8_t *p = (const uint8_t *)data;
    uint32_t c = ~crc;
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        word ^= c;
        c = table[7][word & 0xff] ^ table[6][(word >> 8) & 0xff] ^ table[5][(word >> 16) & 0xff] ^
            table[4][(word >> 24) & 0xff] ^ table[3][(word >> 32) & 0xff] ^ table[2][(word >> 40) & 0xff] ^
            table[1][(word >> 48) & 0xff] ^ table[0][word >> 56];
        p += 8;
        length -= 8;
    }
    while (length--) c = (c >> 8) ^ table[0][(c ^ *p++) & 0xff];
    return ~c;
}

#ifdef CCRC32C_X86
// The raw crc register is linear over GF(2): advancing it over 1024 zero bytes is a
// 32x32 bit matrix, applied here as four byte-indexed tables built once.
static uint32_t shift_table[4][256];
static int shift_ready = 0;

__attribute__((target("sse4.2")))
static uint32_t zeros_1024(uint32_t c) {
    uint64_t r = c;
    for (int i = 0; i < 128; i++) r = __builtin_ia32_crc32di(r, 0);
    return (uint32_t)r;
}

static void build_shift_table(void) {
    for (int j = 0; j < 4; j++)
        for (uint32_t v = 0; v < 256; v++) shift_table[j][v] = zeros_1024(v << (8 * j));
    __atomic_store_n(&shift_ready, 1, __ATOMIC_RELEASE);
}

static inline uint32_t shift_1024(uint32_t c) {
    return shift_table[0][c & 0xff] ^ shift_table[1][(c >> 8) & 0xff] ^ shift_table[2][(c >> 16) & 0xff] ^
           shift_table[3][c >> 24];
}

__attribute__((target("sse4.2")))
static uint32_t extend_hardware(uint32_t crc, const void *data, size_t length) {
    const uint8_t *p = (const uint8_t *)data;
    uint64_t c = (uint32_t)~crc;
    while (length && ((uintptr_t)p & 7)) { c = __builtin_ia32_crc32qi((uint32_t)c, *p++); length--; }
    // Three independent streams hide the instruction's 3-cycle latency on long inputs.
    if (length >= 3 * 1024 && !__atomic_load_n(&shift_ready, __ATOMIC_ACQUIRE)) build_shift_table();
    while (length >= 3 * 1024) {
        uint64_t c1 = 0, c2 = 0;
        const uint8_t *p1 = p + 1024, *p2 = p + 2048;
        for (int i = 0; i < 128; i++) {
            uint64_t w0, w1, w2;
            memcpy(&w0, p + 8 * i, 8); memcpy(&w1, p1 + 8 * i, 8); memcpy(&w2, p2 + 8 * i, 8);
            c = __builtin_ia32_crc32di(c, w0);
            c1 = __builtin_ia32_crc32di(c1, w1);
            c2 = __builtin_ia32_crc32di(c2, w2);
        }
        c = shift_1024(shift_1024((uint32_t)c) ^ (uint32_t)c1) ^ (uint32_t)c2;
        p += 3 * 1024;
        length -= 3 * 1024;
    }
    while (length >= 8) { uint64_t w; memcpy(&w, p, 8); c = __builtin_ia32_crc32di(c, w); p += 8; length -= 8; }
    while (length--) c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
    return ~(uint32_t)c;
}
#endif

static int hardware_state = -1;

int ccrc32c_hardware(void) {
    int state = __atomic_load_n(&hardware_state, __ATOMIC_RELAXED);
    if (state < 0) {
        state = 0;
#ifdef CCRC32C_X86
        unsigned int a, b, c, d;
        if (__get_cpuid(1, &a, &b, &c, &d)) state = (c & bit_SSE4_2) ? 1 : 0;
#endif
        __atomic_store_n(&hardware_state, state, __ATOMIC_RELAXED);
    }
    return state;
}

uint32_t ccrc32c_extend(uint32_t crc, const void *data, size_t length) {
#ifdef CCRC32C_X86
    if (ccrc32c_hardware()) return extend_hardware(crc, data, length);
#endif
    return ccrc32c_extend_portable(crc, data, length);
}

/* Combining: appending n zero bytes to a message is a linear map on its crc register over
 * GF(2), a 32x32 bit matrix. The matrix for one zero bit follows from the polynomial; squaring
 * it doubles the length, so the operator for n bytes takes O(log n) squarings. */
static uint32_t gf2_times(const uint32_t *matrix, uint32_t vector) {
    uint32_t sum = 0;
    for (int i = 0; vector; i++, vector >>= 1)
        if (vector & 1) sum ^= matrix[i];
    return sum;
}

static void gf2_square(uint32_t *square, const uint32_t *matrix) {
    for (int i = 0; i < 32; i++) square[i] = gf2_times(matrix, matrix[i]);
}

void ccrc32c_zeros_operator(uint32_t op[32], uint64_t length) {
    uint32_t a[32], b[32];
    /* a: one zero bit (reflected: shift right, fold the polynomial in when bit 0 falls out). */
    a[0] = 0x82F63B78u;
    for (int i = 1; i < 32; i++) a[i] = 1u << (i - 1);
    gf2_square(b, a);  /* two bits */
    gf2_square(a, b);  /* four bits */
    for (int i = 0; i < 32; i++) op[i] = 1u << i;  /* identity: zero bytes so far */
    /* Each round squares once more (one byte, two, four...) and takes the operator in when the
     * corresponding bit of the length is set. */
    uint32_t *current = a, *next = b;
    while (length) {
        gf2_square(next, current);
        uint32_t *t = current; current = next; next = t;
        if (length & 1) {
            uint32_t product[32];
            for (int i = 0; i < 32; i++) product[i] = gf2_times(current, op[i]);
            memcpy(op, product, sizeof product);
        }
        length >>= 1;
    }
}

uint32_t ccrc32c_combine_with(const uint32_t op[32], uint32_t first, uint32_t second) {
    return gf2_times(op, first) ^ second;
}

uint32_t ccrc32c_combine(uint32_t first, uint32_t second, uint64_t second_length) {
    uint32_t op[32];
    ccrc32c_zeros_operator(op, second_length);
    return ccrc32c_combine_with(op, first, second);
}
