#ifndef COPENBLAS_H
#define COPENBLAS_H

#include <stddef.h>

/// OpenBLAS, loaded on first use (dlopen) rather than linked: a linked libopenblas starts its
/// worker threads before main, and each spins on sched_yield for ~0.1 s waiting for work, in
/// every command, training or not (a pull of 256 MiB took 10 % longer on two cores).

/// Loads libopenblas.so.0 (or libopenblas.so) once; 0 on success, else -1 with the loader's
/// message in `error` (at most `size` bytes, NUL-terminated). Safe to call from any thread.
int registry_blas_load(char *error, size_t size);

/// Row-major single-precision GEMM (cblas_sgemm with CblasRowMajor): c = alpha * op(a) * op(b)
/// + beta * c. registry_blas_load must have succeeded.
void registry_sgemm(int transpose_a, int transpose_b, int m, int n, int k, float alpha,
                    const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

#endif
