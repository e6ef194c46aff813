// OpenBLAS through dlopen: see copenblas.h for why it is not linked.
#include "copenblas.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* cblas.h's values (CBLAS_ORDER, CBLAS_TRANSPOSE) and OpenBLAS's 32-bit blasint, as in
 * Debian's libopenblas0 (the 64-bit-integer build is a different library, libopenblas64). */
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static sgemm_fn sgemm;
static char load_error[512];

static void load(void) {
    const char *names[] = {"libopenblas.so.0", "libopenblas.so"};
    void *library = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !library; i++) library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "%s", why ? why : "libopenblas.so.0 not found");
        return;
    }
    sgemm = (sgemm_fn)dlsym(library, "cblas_sgemm");
    if (!sgemm) snprintf(load_error, sizeof load_error, "libopenblas.so.0 has no cblas_sgemm");
}

int registry_blas_load(char *error, size_t size) {
    pthread_once(&once, load);
    if (sgemm) return 0;
    if (error && size) snprintf(error, size, "%s", load_error);
    return -1;
}

void registry_sgemm(int transpose_a, int transpose_b, int m, int n, int k, float alpha,
                    const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    sgemm(ROW_MAJOR, transpose_a ? TRANS : NO_TRANS, transpose_b ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
