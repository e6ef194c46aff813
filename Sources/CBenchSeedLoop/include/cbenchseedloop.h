#ifndef CBENCHSEEDLOOP_H
#define CBENCHSEEDLOOP_H

#include <stddef.h>
#include <stdint.h>

/// The seed network's training epoch written in C over OpenBLAS, for `registry-bench` only: the
/// floor the Swift epoch (`TrainingState.trainEpoch`) is measured against. Same shapes, same
/// Float32 arithmetic in the same order (forward, softmax cross-entropy, in_top_k, backward,
/// TF's ApplyAdam on every variable, beta powers), the same cblas_sgemm (COpenBLAS's dlopen'd
/// library), but every buffer allocated once and the batches read in place.

/// The most layers the loop takes.
enum { SEED_LOOP_MAX_LAYERS = 8 };

/// Floats of `parameters` for a network of `layers` dense layers whose widths are
/// `widths[0..layers]`: per layer, kernel (in × out, row-major), bias, kernel's m, kernel's v,
/// bias's m, bias's v, in that order.
size_t seed_loop_parameter_count(int layers, const int *widths);

/// Floats of scratch space one epoch with batches of `batch` rows needs.
size_t seed_loop_workspace_count(int layers, const int *widths, int batch);

/// Everything one epoch reads and updates. `relu[i]` is non-zero for a layer with a ReLU.
typedef struct {
    int layers;
    int widths[SEED_LOOP_MAX_LAYERS + 1];
    int relu[SEED_LOOP_MAX_LAYERS];
    float learning_rate, beta1, beta2, epsilon;
    float beta1_power, beta2_power;
    float *parameters; ///< seed_loop_parameter_count floats, updated in place
    float *workspace;  ///< seed_loop_workspace_count floats
} seed_loop_state;

/// One epoch: an Adam step on each of `batches` batches of `batch` consecutive rows of
/// `inputs` (`batches * batch` × widths[0]) and `labels`. Returns the mean of the batch
/// losses; `*correct` gets the examples in_top_k(1) counted right before each update.
/// Returns NAN when OpenBLAS cannot be loaded or the shapes are out of range.
float seed_loop_epoch(seed_loop_state *state, const float *inputs, const int32_t *labels,
                      int batches, int batch, int *correct);

#endif
