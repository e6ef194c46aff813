// The seed network's epoch in C: see cbenchseedloop.h. Bench-only (registry-bench).
#include "cbenchseedloop.h"
#include "copenblas.h"
#include <math.h>
#include <string.h>

// Swift does not contract a * b + c into a fused multiply-add; neither may this file, or the
// weights would differ from the Swift epoch's in the last bit.
#pragma STDC FP_CONTRACT OFF

// A variable and its two Adam slots, for the kernel and the bias.
static size_t layer_parameters(int in, int out) { return 3 * (size_t)in * out + 3 * (size_t)out; }

size_t seed_loop_parameter_count(int layers, const int *widths) {
    size_t total = 0;
    for (int i = 0; i < layers; i++) total += layer_parameters(widths[i], widths[i + 1]);
    return total;
}

// Per layer: its output (batch × out), the gradient at its output (batch × out), its kernel's
// gradient (in × out) and its bias's (out).
size_t seed_loop_workspace_count(int layers, const int *widths, int batch) {
    size_t total = 0;
    for (int i = 0; i < layers; i++) {
        size_t in = (size_t)widths[i], out = (size_t)widths[i + 1];
        total += 2 * (size_t)batch * out + in * out + out;
    }
    return total;
}

typedef struct {
    float *kernel, *bias, *kernel_m, *kernel_v, *bias_m, *bias_v;
    float *output, *output_gradient, *kernel_gradient, *bias_gradient;
} layer_view;

static void views(const seed_loop_state *s, int batch, layer_view *view) {
    float *p = s->parameters, *w = s->workspace;
    for (int i = 0; i < s->layers; i++) {
        size_t in = (size_t)s->widths[i], out = (size_t)s->widths[i + 1];
        view[i].kernel = p; p += in * out;
        view[i].bias = p; p += out;
        view[i].kernel_m = p; p += in * out;
        view[i].kernel_v = p; p += in * out;
        view[i].bias_m = p; p += out;
        view[i].bias_v = p; p += out;
        view[i].output = w; w += (size_t)batch * out;
        view[i].output_gradient = w; w += (size_t)batch * out;
        view[i].kernel_gradient = w; w += in * out;
        view[i].bias_gradient = w; w += out;
    }
}

// y = relu?(x · kernel + bias), as DenseLayer.forward.
static void forward(const layer_view *l, const float *x, int batch, int in, int out, int relu) {
    registry_sgemm(0, 0, batch, out, in, 1, x, in, l->kernel, out, 0, l->output, out);
    for (int r = 0; r < batch; r++)
        for (int c = 0; c < out; c++) l->output[r * out + c] += l->bias[c];
    if (relu)
        for (int i = 0; i < batch * out; i++)
            if (!(l->output[i] > 0) && !isnan(l->output[i])) l->output[i] = 0;
}

// Softmax cross-entropy and in_top_k, as SoftmaxCrossEntropy.evaluate: the batch's mean loss;
// the gradient at the logits into `gradient`.
static float softmax_cross_entropy(const float *logits, const int32_t *labels, int batch, int classes,
                                   float *gradient, int *correct) {
    float total = 0, scale = 1 / (float)batch;
    for (int r = 0; r < batch; r++) {
        const float *row = logits + (size_t)r * classes;
        int label = labels[r];
        float maximum = -INFINITY, sum = 0, loss = 0;
        for (int c = 0; c < classes; c++) maximum = row[c] >= maximum ? row[c] : maximum; // Swift's max
        for (int c = 0; c < classes; c++) sum += expf(row[c] - maximum);
        float log_sum = logf(sum);
        for (int c = 0; c < classes; c++) {
            float shifted = row[c] - maximum, target = c == label ? 1 : 0;
            if (c == label) loss = log_sum - shifted;
            gradient[r * classes + c] = (expf(shifted) / sum - target) * scale;
        }
        total += loss;
        float target = row[label];
        int greater = 0, finite = isfinite(target);
        for (int c = 0; c < classes && finite; c++) {
            if (!isfinite(row[c])) finite = 0;
            else if (row[c] > target) greater++;
        }
        *correct += finite && greater < 1;
    }
    return total / (float)batch;
}

// TF's ApplyAdam on one variable, as Adam.applyAdam.
static void apply_adam(const seed_loop_state *s, float step_size, float *variable, float *m, float *v,
                       const float *gradient, size_t count) {
    float one_minus_beta1 = 1 - s->beta1, one_minus_beta2 = 1 - s->beta2;
    for (size_t i = 0; i < count; i++) {
        float g = gradient[i];
        float mi = m[i] + (g - m[i]) * one_minus_beta1;
        float vi = v[i] + (g * g - v[i]) * one_minus_beta2;
        m[i] = mi;
        v[i] = vi;
        variable[i] = variable[i] - (mi * step_size) / (sqrtf(vi) + s->epsilon);
    }
}

// Backward through every layer (as Network.backward), then Adam on every variable.
static void backward_and_update(seed_loop_state *s, layer_view *view, const float *x, int batch) {
    for (int i = s->layers - 1; i >= 0; i--) {
        int in = s->widths[i], out = s->widths[i + 1];
        layer_view *l = &view[i];
        float *dz = l->output_gradient;
        if (s->relu[i])
            for (int k = 0; k < batch * out; k++)
                if (!(l->output[k] > 0)) dz[k] = 0;
        const float *input = i == 0 ? x : view[i - 1].output;
        registry_sgemm(1, 0, in, out, batch, 1, input, in, dz, out, 0, l->kernel_gradient, out);
        memset(l->bias_gradient, 0, sizeof(float) * (size_t)out);
        for (int r = 0; r < batch; r++)
            for (int c = 0; c < out; c++) l->bias_gradient[c] += dz[r * out + c];
        if (i > 0) registry_sgemm(0, 1, batch, in, out, 1, dz, out, l->kernel, out, 0, view[i - 1].output_gradient, in);
    }
    float step_size = s->learning_rate * sqrtf(1 - s->beta2_power) / (1 - s->beta1_power);
    for (int i = 0; i < s->layers; i++) {
        size_t in = (size_t)s->widths[i], out = (size_t)s->widths[i + 1];
        apply_adam(s, step_size, view[i].kernel, view[i].kernel_m, view[i].kernel_v, view[i].kernel_gradient, in * out);
        apply_adam(s, step_size, view[i].bias, view[i].bias_m, view[i].bias_v, view[i].bias_gradient, out);
    }
    s->beta1_power = s->beta1_power * s->beta1;
    s->beta2_power = s->beta2_power * s->beta2;
}

float seed_loop_epoch(seed_loop_state *s, const float *inputs, const int32_t *labels, int batches, int batch,
                      int *correct) {
    if (registry_blas_load(NULL, 0) != 0 || s->layers < 1 || s->layers > SEED_LOOP_MAX_LAYERS || batches < 1 || batch < 1)
        return NAN;
    layer_view view[SEED_LOOP_MAX_LAYERS];
    views(s, batch, view);
    int last = s->layers - 1, classes = s->widths[s->layers];
    float loss_sum = 0;
    *correct = 0;
    for (int b = 0; b < batches; b++) {
        const float *x = inputs + (size_t)b * batch * s->widths[0];
        for (int i = 0; i < s->layers; i++)
            forward(&view[i], i == 0 ? x : view[i - 1].output, batch, s->widths[i], s->widths[i + 1], s->relu[i]);
        loss_sum += softmax_cross_entropy(view[last].output, labels + (size_t)b * batch, batch, classes,
                                          view[last].output_gradient, correct);
        backward_and_update(s, view, x, batch);
    }
    return loss_sum / (float)batches;
}
