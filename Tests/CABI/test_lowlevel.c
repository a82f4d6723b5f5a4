/* The low-level C API: graphs, tensors, parameters, ops, backward, optimizers, and a 1,000-step
 * training loop (under valgrind: no leak, nothing allocated per step that is not released). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int close_to(const float *a, const float *b, size_t n, float tolerance) {
    for (size_t i = 0; i < n; i++)
        if (fabsf(a[i] - b[i]) > tolerance) return 0;
    return 1;
}

static void test_graphs_and_tensors(void) {
    charnn_graph *g = NULL, *other = NULL;
    EXPECT(charnn_graph_create(NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    OK(charnn_graph_create(&g));
    OK(charnn_graph_create(&other));

    charnn_tensor *a = NULL, *b = NULL, *c = NULL;
    const float data[6] = {1, 2, 3, 4, 5, 6};
    OK(charnn_tensor_create(g, (int64_t[]){2, 3}, 2, data, 0, &a));
    int64_t shape[4];
    size_t rank = 0;
    OK(charnn_tensor_shape(a, shape, 4, &rank));
    CHECK(rank == 2 && shape[0] == 2 && shape[1] == 3);
    OK(charnn_tensor_shape(a, NULL, 0, &rank));
    EXPECT(charnn_tensor_shape(a, shape, 1, &rank), CHARNN_BUFFER_TOO_SMALL, "rank is 2");
    float out[8];
    OK(charnn_tensor_read(a, out, 8));
    CHECK(close_to(out, data, 6, 0));
    EXPECT(charnn_tensor_read(a, out, 5), CHARNN_BUFFER_TOO_SMALL, "6 elements");
    EXPECT(charnn_tensor_read(a, NULL, 6), CHARNN_INVALID_ARGUMENT, "out is NULL");
    EXPECT(charnn_tensor_item(a, out), CHARNN_SHAPE_MISMATCH, "not one value");
    EXPECT(charnn_tensor_write(a, data, 6), CHARNN_INVALID_ARGUMENT, "graph tensors are immutable");
    EXPECT(charnn_tensor_read_grad(a, out, 8), CHARNN_INVALID_ARGUMENT, "has no gradient");

    OK(charnn_tensor_create(g, NULL, 0, (float[]){7}, 0, &b));  /* a scalar */
    OK(charnn_tensor_item(b, out));
    CHECK(out[0] == 7);
    OK(charnn_tensor_create(g, (int64_t[]){3}, 1, NULL, 0, &c));  /* zeros */
    OK(charnn_tensor_read(c, out, 3));
    CHECK(out[0] == 0 && out[2] == 0);
    EXPECT(charnn_tensor_create(g, (int64_t[]){2, 0}, 2, NULL, 0, &c), CHARNN_SHAPE_MISMATCH, "dimension 1 is 0");
    EXPECT(charnn_tensor_create(g, (int64_t[]){1, 1, 1, 1, 1}, 5, NULL, 0, &c), CHARNN_SHAPE_MISMATCH, "rank 5");
    EXPECT(charnn_tensor_create(g, (int64_t[]){1 << 20, 1 << 20}, 2, NULL, 0, &c), CHARNN_SHAPE_MISMATCH, "elements");
    EXPECT(charnn_tensor_create(g, NULL, 2, NULL, 0, &c), CHARNN_INVALID_ARGUMENT, "shape is NULL");
    EXPECT(charnn_tensor_create(NULL, (int64_t[]){1}, 1, NULL, 0, &c), CHARNN_INVALID_ARGUMENT, "graph is NULL");
    EXPECT(charnn_tensor_create(g, (int64_t[]){1}, 1, NULL, 0, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");

    OK(charnn_tensor_create_uniform(g, (int64_t[]){2, 4}, 2, -0.5f, 0.5f, 3, &c));
    OK(charnn_tensor_read(c, out, 8));
    CHECK(out[0] >= -0.5f && out[0] < 0.5f);
    EXPECT(charnn_tensor_create_uniform(g, (int64_t[]){4}, 1, 1, -1, 3, &c), CHARNN_INVALID_ARGUMENT, "not finite and ordered");
    float kaiming[256];
    OK(charnn_tensor_create_kaiming_uniform(g, (int64_t[]){1, 256}, 2, 5, &c));  /* replaces c: 4 x 4 read above */
    OK(charnn_tensor_read(c, kaiming, 256));
    float bound = sqrtf(6.0f / 256), largest = 0;
    for (int i = 0; i < 256; i++) largest = fmaxf(largest, fabsf(kaiming[i]));
    CHECK(largest <= bound && largest > 0.9f * bound);

    /* Tensors of another graph, of an earlier step, or not tensors at all. */
    charnn_tensor *foreign = NULL, *sum = NULL;
    OK(charnn_tensor_create(other, (int64_t[]){2, 3}, 2, data, 0, &foreign));
    EXPECT(charnn_op_add(g, a, foreign, &sum), CHARNN_INVALID_ARGUMENT, "b was made on another graph");
    OK(charnn_graph_reset(g));
    EXPECT(charnn_op_sigmoid(g, a, &sum), CHARNN_INVALID_ARGUMENT, "x was made before the graph was reset");
    EXPECT(charnn_tensor_read(a, out, 8), CHARNN_INVALID_ARGUMENT, "before its graph was reset");
    int local;
    EXPECT(charnn_op_sigmoid(g, (charnn_tensor *)&local, &sum), CHARNN_INVALID_HANDLE, "not a live");
    EXPECT(charnn_op_sigmoid((charnn_graph *)&local, foreign, &sum), CHARNN_INVALID_HANDLE, "not a live");
    charnn_graph_free(other);
    EXPECT(charnn_tensor_read(foreign, out, 8), CHARNN_INVALID_HANDLE, "graph was freed");
    charnn_tensor_free(foreign);  /* a graph tensor: ignored */
    OK(charnn_graph_set_recording(g, 0));
    OK(charnn_graph_set_recording(g, 1));
    EXPECT(charnn_graph_set_recording(NULL, 1), CHARNN_INVALID_ARGUMENT, "graph is NULL");
    EXPECT(charnn_graph_reset(NULL), CHARNN_INVALID_ARGUMENT, "graph is NULL");
    charnn_graph_free(g);
    charnn_graph_free(g);
    charnn_graph_free(NULL);
}

static void test_parameters(void) {
    charnn_tensor *p = NULL, *q = NULL;
    const float data[4] = {1, -2, 3, -4};
    OK(charnn_parameter_create((int64_t[]){2, 2}, 2, data, &p));
    float out[4];
    OK(charnn_tensor_read(p, out, 4));
    CHECK(close_to(out, data, 4, 0));
    OK(charnn_tensor_read_grad(p, out, 4));
    CHECK(out[0] == 0 && out[3] == 0);
    const float other[4] = {5, 6, 7, 8};
    OK(charnn_tensor_write(p, other, 4));
    OK(charnn_tensor_read(p, out, 4));
    CHECK(close_to(out, other, 4, 0));
    EXPECT(charnn_tensor_write(p, other, 3), CHARNN_SHAPE_MISMATCH, "4 elements, count is 3");
    EXPECT(charnn_tensor_write(p, NULL, 4), CHARNN_INVALID_ARGUMENT, "data is NULL");
    OK(charnn_parameter_create_uniform((int64_t[]){3}, 1, -1, 1, 9, &q));
    EXPECT(charnn_parameter_create_uniform((int64_t[]){3}, 1, NAN, 1, 9, &q), CHARNN_INVALID_ARGUMENT, "not finite");
    EXPECT(charnn_parameter_create((int64_t[]){0}, 1, NULL, &q), CHARNN_SHAPE_MISMATCH, "dimension 0 is 0");
    charnn_tensor_free(p);
    EXPECT(charnn_tensor_read(p, out, 4), CHARNN_INVALID_HANDLE, "not a live");
    charnn_tensor_free(p);
    charnn_tensor_free(q);
    charnn_tensor_free(NULL);
}

/* Each op once, with values worked out by hand, and each op's shape check. */
static void test_ops(void) {
    charnn_graph *g;
    OK(charnn_graph_create(&g));
    charnn_tensor *x, *w, *b, *y, *t;
    OK(charnn_tensor_create(g, (int64_t[]){1, 2}, 2, (float[]){1, 2}, 1, &x));
    OK(charnn_parameter_create((int64_t[]){3, 2}, 2, (float[]){1, 0, 0, 1, 1, 1}, &w));
    OK(charnn_parameter_create((int64_t[]){3}, 1, (float[]){0.5f, 0, -1}, &b));
    float out[16];

    OK(charnn_op_linear(g, x, w, b, &y));
    OK(charnn_tensor_read(y, out, 16));
    CHECK(close_to(out, (float[]){1.5f, 2, 2}, 3, 1e-6f));
    OK(charnn_op_linear(g, x, w, NULL, &y));
    OK(charnn_tensor_read(y, out, 16));
    CHECK(close_to(out, (float[]){1, 2, 3}, 3, 1e-6f));
    EXPECT(charnn_op_linear(g, b, w, NULL, &y), CHARNN_SHAPE_MISMATCH, "linear: input [3] does not fit weight [3, 2]");
    EXPECT(charnn_op_linear(g, x, NULL, NULL, &y), CHARNN_INVALID_ARGUMENT, "weight is NULL");

    EXPECT(charnn_op_matmul(g, x, x, &y), CHARNN_SHAPE_MISMATCH, "matmul: cannot multiply [1, 2] by [1, 2]");
    charnn_tensor *wt;
    OK(charnn_tensor_create(g, (int64_t[]){2, 3}, 2, (float[]){1, 0, 1, 0, 1, 1}, 0, &wt));
    OK(charnn_op_matmul(g, x, wt, &y));
    OK(charnn_tensor_read(y, out, 16));
    CHECK(close_to(out, (float[]){1, 2, 3}, 3, 1e-6f));

    OK(charnn_op_add(g, y, b, &t));
    OK(charnn_tensor_read(t, out, 16));
    CHECK(close_to(out, (float[]){1.5f, 2, 2}, 3, 1e-6f));
    OK(charnn_op_sub(g, y, b, &t));
    OK(charnn_tensor_read(t, out, 16));
    CHECK(close_to(out, (float[]){0.5f, 2, 4}, 3, 1e-6f));
    OK(charnn_op_mul(g, y, y, &t));
    OK(charnn_tensor_read(t, out, 16));
    CHECK(close_to(out, (float[]){1, 4, 9}, 3, 1e-6f));
    EXPECT(charnn_op_add(g, y, x, &t), CHARNN_SHAPE_MISMATCH, "add: shapes [1, 3] and [1, 2]");

    OK(charnn_op_concat(g, x, y, &t));
    OK(charnn_tensor_read(t, out, 16));
    CHECK(close_to(out, (float[]){1, 2, 1, 2, 3}, 5, 0));
    EXPECT(charnn_op_concat(g, x, wt, &t), CHARNN_SHAPE_MISMATCH, "concat");
    OK(charnn_op_slice(g, t, 1, 3, &t));
    OK(charnn_tensor_read(t, out, 16));
    CHECK(close_to(out, (float[]){2, 1, 2}, 3, 0));
    EXPECT(charnn_op_slice(g, t, 2, 5, &y), CHARNN_SHAPE_MISMATCH, "slice: columns 2..<7");
    EXPECT(charnn_op_slice(g, t, (size_t)-1, 1, &y), CHARNN_INVALID_ARGUMENT, "start");

    OK(charnn_op_sigmoid(g, x, &t));
    OK(charnn_tensor_read(t, out, 16));
    CHECK(close_to(out, (float[]){1 / (1 + expf(-1)), 1 / (1 + expf(-2))}, 2, 1e-6f));
    OK(charnn_op_tanh(g, x, &t));
    OK(charnn_tensor_read(t, out, 16));
    CHECK(close_to(out, (float[]){tanhf(1), tanhf(2)}, 2, 1e-6f));
    OK(charnn_op_relu(g, b, &t));
    OK(charnn_tensor_read(t, out, 16));
    CHECK(close_to(out, (float[]){0.5f, 0, 0}, 3, 0));
    OK(charnn_op_exp(g, x, &t));
    OK(charnn_tensor_read(t, out, 16));
    CHECK(close_to(out, (float[]){expf(1), expf(2)}, 2, 1e-5f));
    OK(charnn_op_log(g, x, &t));
    OK(charnn_tensor_read(t, out, 16));
    CHECK(close_to(out, (float[]){0, logf(2)}, 2, 1e-6f));
    OK(charnn_op_sum(g, x, &t));
    OK(charnn_tensor_item(t, out));
    CHECK(out[0] == 3);
    OK(charnn_op_mean(g, x, &t));
    OK(charnn_tensor_item(t, out));
    CHECK(out[0] == 1.5f);
    OK(charnn_op_log_softmax(g, x, &t));
    OK(charnn_tensor_read(t, out, 16));
    float lse = logf(expf(1) + expf(2));
    CHECK(close_to(out, (float[]){1 - lse, 2 - lse}, 2, 1e-6f));
    OK(charnn_op_cross_entropy(g, x, (int32_t[]){1}, 1, &t));
    OK(charnn_tensor_item(t, out));
    CHECK(fabsf(out[0] - (lse - 2)) < 1e-6f);
    EXPECT(charnn_op_cross_entropy(g, x, (int32_t[]){2}, 1, &t), CHARNN_INVALID_ARGUMENT, "target 0 is 2");
    EXPECT(charnn_op_cross_entropy(g, x, (int32_t[]){0, 1}, 2, &t), CHARNN_SHAPE_MISMATCH, "1 rows of logits but 2 targets");
    EXPECT(charnn_op_cross_entropy(g, x, NULL, 1, &t), CHARNN_INVALID_ARGUMENT, "targets is NULL");
    EXPECT(charnn_op_cross_entropy(g, x, (int32_t[]){0}, 0, &t), CHARNN_INVALID_ARGUMENT, "count is 0");

    OK(charnn_op_embedding(g, w, (int32_t[]){2, 0}, 2, &t));
    OK(charnn_tensor_read(t, out, 16));
    CHECK(close_to(out, (float[]){1, 1, 1, 0}, 4, 0));
    EXPECT(charnn_op_embedding(g, w, (int32_t[]){3}, 1, &t), CHARNN_INVALID_ARGUMENT, "index 0 is 3");
    OK(charnn_op_one_hot(g, (int32_t[]){1, 0}, 2, 3, &t));
    OK(charnn_tensor_read(t, out, 16));
    CHECK(close_to(out, (float[]){0, 1, 0, 1, 0, 0}, 6, 0));
    EXPECT(charnn_op_one_hot(g, (int32_t[]){3}, 1, 3, &t), CHARNN_INVALID_ARGUMENT, "index 0 is 3");
    EXPECT(charnn_op_one_hot(g, (int32_t[]){0}, 1, 0, &t), CHARNN_INVALID_ARGUMENT, "depth");
    EXPECT(charnn_op_sigmoid(g, x, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");

    charnn_tensor_free(w);
    charnn_tensor_free(b);
    charnn_graph_free(g);
}

static void test_encode_name(void) {
    int32_t indices[16];
    size_t length = 0;
    OK(charnn_vocabulary_encode("Żak-O'", indices, 16, &length));
    CHECK(length == 6 && indices[0] == 51 && indices[1] == 0 && indices[2] == 10 && indices[3] == 57 &&
          indices[4] == 40 && indices[5] == 58);
    OK(charnn_vocabulary_encode("a1b", indices, 16, &length));
    CHECK(length == 2 && indices[1] == 1);
    EXPECT(charnn_vocabulary_encode("abcdef", indices, 3, &length), CHARNN_BUFFER_TOO_SMALL, "6 symbols, capacity is 3");
    CHECK(length == 6);
    EXPECT(charnn_vocabulary_encode("123", indices, 16, &length), CHARNN_INVALID_ARGUMENT, "no character");
    EXPECT(charnn_vocabulary_encode(NULL, indices, 16, &length), CHARNN_INVALID_ARGUMENT, "name is NULL");
    EXPECT(charnn_vocabulary_encode("\xff", indices, 16, &length), CHARNN_INVALID_ARGUMENT, "not valid UTF-8");
}

/* Gradients of y = sum(sigmoid(x W^T + b)) by hand, through backward and backward_seeded. */
static void test_backward(void) {
    charnn_graph *g;
    OK(charnn_graph_create(&g));
    charnn_tensor *x, *w, *pre, *h, *loss;
    OK(charnn_tensor_create(g, (int64_t[]){1, 2}, 2, (float[]){0.5f, -1}, 1, &x));
    OK(charnn_parameter_create((int64_t[]){1, 2}, 2, (float[]){2, 1}, &w));
    OK(charnn_op_linear(g, x, w, NULL, &pre));  /* 0 */
    OK(charnn_op_sigmoid(g, pre, &h));          /* 0.5 */
    OK(charnn_op_sum(g, h, &loss));
    OK(charnn_graph_backward(g, loss));
    float gw[2], gx[2];
    OK(charnn_tensor_read_grad(w, gw, 2));
    OK(charnn_tensor_read_grad(x, gx, 2));
    CHECK(close_to(gw, (float[]){0.125f, -0.25f}, 2, 1e-6f));  /* σ' = 0.25 times x */
    CHECK(close_to(gx, (float[]){0.5f, 0.25f}, 2, 1e-6f));      /* 0.25 times w */
    OK(charnn_graph_backward(g, loss));                               /* parameters accumulate */
    OK(charnn_tensor_read_grad(w, gw, 2));
    CHECK(close_to(gw, (float[]){0.25f, -0.5f}, 2, 1e-6f));
    OK(charnn_tensor_read_grad(x, gx, 2));                      /* graph tensors do not */
    CHECK(close_to(gx, (float[]){0.5f, 0.25f}, 2, 1e-6f));
    OK(charnn_parameters_zero_grad(&w, 1));
    OK(charnn_graph_backward_seeded(g, h, (float[]){2}, 1));
    OK(charnn_tensor_read_grad(w, gw, 2));
    CHECK(close_to(gw, (float[]){0.25f, -0.5f}, 2, 1e-6f));
    EXPECT(charnn_graph_backward_seeded(g, h, (float[]){1, 2}, 2), CHARNN_SHAPE_MISMATCH, "seed has 2 values");
    EXPECT(charnn_graph_backward_seeded(g, h, NULL, 1), CHARNN_INVALID_ARGUMENT, "seed is NULL");
    charnn_tensor *c;
    OK(charnn_tensor_create(g, (int64_t[]){1}, 1, (float[]){1}, 0, &c));
    EXPECT(charnn_graph_backward(g, c), CHARNN_INVALID_ARGUMENT, "does not depend on anything");
    OK(charnn_graph_set_recording(g, 0));
    OK(charnn_op_sigmoid(g, x, &h));
    EXPECT(charnn_graph_backward_seeded(g, h, (float[]){1, 1}, 2), CHARNN_INVALID_ARGUMENT, "not recording");
    charnn_tensor_free(w);
    charnn_graph_free(g);
}

static void test_optimizers(void) {
    charnn_tensor *p, *q;
    OK(charnn_parameter_create((int64_t[]){2}, 1, (float[]){1, 2}, &p));
    OK(charnn_parameter_create((int64_t[]){1}, 1, (float[]){3}, &q));
    charnn_tensor *both[2] = {p, q};
    charnn_adam_config config;
    charnn_adam_config_init(NULL);
    charnn_adam_config_init(&config);
    CHECK(config.struct_size == sizeof config && fabsf(config.learning_rate - 1e-3f) < 1e-12f && config.decoupled == 0);
    config.learning_rate = 0.1f;
    charnn_optimizer *adam = NULL, *sgd = NULL;
    OK(charnn_optimizer_create_adam(both, 2, &config, &adam));
    charnn_graph *g;
    OK(charnn_graph_create(&g));
    charnn_tensor *s, *loss;
    OK(charnn_op_mul(g, p, p, &s));
    OK(charnn_op_sum(g, s, &loss));
    OK(charnn_graph_backward(g, loss));  /* grad p = 2p = (2, 4); q has none (zero) */
    OK(charnn_optimizer_step(adam));
    float v[2];
    OK(charnn_tensor_read(p, v, 2));
    CHECK(close_to(v, (float[]){0.9f, 1.9f}, 2, 1e-5f));  /* Adam's first step moves by lr */
    OK(charnn_tensor_read(q, v, 1));
    CHECK(v[0] == 3);
    float norm = 0;
    OK(charnn_parameters_clip_grad_norm(both, 2, 1, &norm));
    CHECK(fabsf(norm - sqrtf(20)) < 1e-5f);
    OK(charnn_tensor_read_grad(p, v, 2));
    CHECK(fabsf(sqrtf(v[0] * v[0] + v[1] * v[1]) - 1) < 1e-4f);
    OK(charnn_optimizer_zero_grad(adam));
    OK(charnn_tensor_read_grad(p, v, 2));
    CHECK(v[0] == 0 && v[1] == 0);
    OK(charnn_optimizer_set_learning_rate(adam, 0.01f));
    EXPECT(charnn_optimizer_set_learning_rate(adam, -1), CHARNN_INVALID_ARGUMENT, "learning rate");
    EXPECT(charnn_parameters_clip_grad_norm(both, 2, 0, &norm), CHARNN_INVALID_ARGUMENT, "max_norm 0");

    charnn_sgd_config sgd_config;
    charnn_sgd_config_init(&sgd_config);
    CHECK(sgd_config.struct_size == sizeof sgd_config && fabsf(sgd_config.learning_rate - 1e-3f) < 1e-9f);
    CHECK(sgd_config.momentum == 0 && sgd_config.weight_decay == 0);
    charnn_sgd_config_init(NULL);
    sgd_config.learning_rate = 0.5f;
    sgd_config.momentum = 0.9f;
    OK(charnn_optimizer_create_sgd(both, 2, &sgd_config, &sgd));
    OK(charnn_graph_reset(g));
    OK(charnn_op_sum(g, p, &loss));
    OK(charnn_graph_backward(g, loss));
    OK(charnn_optimizer_step(sgd));
    OK(charnn_tensor_read(p, v, 2));
    CHECK(close_to(v, (float[]){0.4f, 1.4f}, 2, 1e-5f));

    /* Weights that would become infinite keep their values. */
    charnn_tensor *big;
    OK(charnn_parameter_create((int64_t[]){1}, 1, (float[]){3e38f}, &big));
    charnn_optimizer *wild;
    charnn_sgd_config_init(&sgd_config);
    sgd_config.learning_rate = 1e6f;
    OK(charnn_optimizer_create_sgd(&big, 1, &sgd_config, &wild));
    OK(charnn_graph_reset(g));
    charnn_tensor *scaled;
    OK(charnn_tensor_create(g, (int64_t[]){1}, 1, (float[]){-1e35f}, 0, &s));
    OK(charnn_op_mul(g, big, s, &scaled));
    OK(charnn_graph_backward(g, scaled));  /* grad = -1e35 */
    EXPECT(charnn_optimizer_step(wild), CHARNN_DIVERGED, "infinite or NaN");
    OK(charnn_tensor_read(big, v, 1));
    CHECK(v[0] == 3e38f);

    charnn_optimizer *bad = (charnn_optimizer *)0x1;
    charnn_tensor *twice[2] = {p, p};
    EXPECT(charnn_optimizer_create_adam(twice, 2, NULL, &bad), CHARNN_INVALID_ARGUMENT, "parameters[1] appears twice");
    charnn_tensor *not_param[1] = {s};
    EXPECT(charnn_optimizer_create_adam(not_param, 1, NULL, &bad), CHARNN_INVALID_ARGUMENT, "graph tensor, not a parameter");
    EXPECT(charnn_optimizer_create_adam(NULL, 2, NULL, &bad), CHARNN_INVALID_ARGUMENT, "parameters is NULL");
    config.beta1 = 1;
    EXPECT(charnn_optimizer_create_adam(both, 2, &config, &bad), CHARNN_INVALID_ARGUMENT, "beta1");
    charnn_adam_config_init(&config);
    config.struct_size = 4;
    EXPECT(charnn_optimizer_create_adam(both, 2, &config, &bad), CHARNN_INVALID_ARGUMENT, "struct_size is 4");
    charnn_sgd_config_init(&sgd_config);
    sgd_config.learning_rate = -1;
    EXPECT(charnn_optimizer_create_sgd(both, 2, &sgd_config, &bad), CHARNN_INVALID_ARGUMENT, "learning_rate");
    sgd_config.learning_rate = 1;
    sgd_config.momentum = 1;
    EXPECT(charnn_optimizer_create_sgd(both, 2, &sgd_config, &bad), CHARNN_INVALID_ARGUMENT, "momentum");
    charnn_sgd_config_init(&sgd_config);
    sgd_config.struct_size = 8;
    EXPECT(charnn_optimizer_create_sgd(both, 2, &sgd_config, &bad), CHARNN_INVALID_ARGUMENT, "struct_size is 8");
    sgd_config.struct_size = sizeof sgd_config + 8;
    EXPECT(charnn_optimizer_create_sgd(both, 2, &sgd_config, &bad), CHARNN_INVALID_ARGUMENT, "newer charnn.h");
    EXPECT(charnn_optimizer_create_sgd(both, 2, NULL, NULL), CHARNN_INVALID_ARGUMENT, "out is NULL");
    CHECK(bad == (charnn_optimizer *)0x1);
    EXPECT(charnn_optimizer_step(NULL), CHARNN_INVALID_ARGUMENT, "optimizer is NULL");
    EXPECT(charnn_optimizer_step((charnn_optimizer *)p), CHARNN_INVALID_HANDLE, "is a parameter handle, not a optimizer");
    OK(charnn_parameters_zero_grad(NULL, 0));

    charnn_optimizer_free(adam);
    charnn_optimizer_free(sgd);
    charnn_optimizer_free(wild);
    EXPECT(charnn_optimizer_step(adam), CHARNN_INVALID_HANDLE, "not a live");
    charnn_optimizer_free(adam);
    charnn_optimizer_free(NULL);
    charnn_tensor_free(big);
    charnn_tensor_free(p);
    charnn_tensor_free(q);
    charnn_graph_free(g);
}

/* The article's loop op by op for 1,000 steps (a small hidden size): the loss goes down, and
 * under valgrind nothing leaks. */
static void test_training_loop(void) {
    enum { H = 16, V = 59, C = 3 };
    charnn_tensor *wh, *bh, *wo, *bo;
    float bound = 1 / sqrtf(V + H);
    OK(charnn_parameter_create_uniform((int64_t[]){H, V + H}, 2, -bound, bound, 1, &wh));
    OK(charnn_parameter_create_uniform((int64_t[]){H}, 1, -bound, bound, 2, &bh));
    OK(charnn_parameter_create_uniform((int64_t[]){C, V + H}, 2, -bound, bound, 3, &wo));
    OK(charnn_parameter_create_uniform((int64_t[]){C}, 1, -bound, bound, 4, &bo));
    charnn_tensor *params[4] = {wh, bh, wo, bo};
    charnn_adam_config config;
    charnn_adam_config_init(&config);
    config.learning_rate = 1e-2f;
    charnn_optimizer *adam;
    OK(charnn_optimizer_create_adam(params, 4, &config, &adam));
    charnn_graph *g;
    OK(charnn_graph_create(&g));
    const char *words[3] = {"abcab", "pqrsp", "KLMNO"};
    double first = 0, last = 0;
    int steps = 1000, failed = 0;
    for (int step = 0; step < steps && !failed; step++) {
        int32_t label = step % 3, letters[8];
        size_t length;
        failed |= charnn_graph_reset(g) != CHARNN_OK;
        failed |= charnn_vocabulary_encode(words[label], letters, 8, &length) != CHARNN_OK;
        charnn_tensor *hidden, *x, *combined, *pre, *output = NULL, *loss;
        failed |= charnn_tensor_create_kaiming_uniform(g, (int64_t[]){1, H}, 2, (uint64_t)step, &hidden) != CHARNN_OK;
        for (size_t t = 0; t < length; t++) {
            failed |= charnn_op_one_hot(g, &letters[t], 1, V, &x) != CHARNN_OK;
            failed |= charnn_op_concat(g, x, hidden, &combined) != CHARNN_OK;
            failed |= charnn_op_linear(g, combined, wo, bo, &output) != CHARNN_OK;
            failed |= charnn_op_linear(g, combined, wh, bh, &pre) != CHARNN_OK;
            failed |= charnn_op_sigmoid(g, pre, &hidden) != CHARNN_OK;
        }
        failed |= charnn_op_cross_entropy(g, output, &label, 1, &loss) != CHARNN_OK;
        failed |= charnn_optimizer_zero_grad(adam) != CHARNN_OK;
        failed |= charnn_graph_backward(g, loss) != CHARNN_OK;
        failed |= charnn_parameters_clip_grad_norm(params, 4, 1, NULL) != CHARNN_OK;
        failed |= charnn_optimizer_step(adam) != CHARNN_OK;
        float value = 0;
        failed |= charnn_tensor_item(loss, &value) != CHARNN_OK;
        if (step < 30) first += value;
        if (step >= steps - 30) last += value;
    }
    CHECK(!failed);
    CHECK(last < first * 0.2);
    charnn_graph_free(g);
    charnn_optimizer_free(adam);
    for (int i = 0; i < 4; i++) charnn_tensor_free(params[i]);
}

/* The names before 0.4 (charnn.h, "Deprecated names") still work, as the same functions: the
 * same values for the same seeds, and errors named by the name called. */
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
static void test_deprecated_aliases(void) {
    charnn_graph *g;
    OK(charnn_graph_create(&g));
    int64_t shape[2] = {2, 3};
    float a[6], b[6];
    charnn_tensor *old_t, *new_t;
    OK(charnn_tensor_new(g, shape, 2, (float[]){1, 2, 3, 4, 5, 6}, 1, &old_t));
    OK(charnn_tensor_read(old_t, a, 6));
    CHECK(a[5] == 6);
    OK(charnn_tensor_uniform(g, shape, 2, -1, 1, 7, &old_t));
    OK(charnn_tensor_create_uniform(g, shape, 2, -1, 1, 7, &new_t));
    OK(charnn_tensor_read(old_t, a, 6));
    OK(charnn_tensor_read(new_t, b, 6));
    CHECK(memcmp(a, b, sizeof a) == 0);
    OK(charnn_tensor_kaiming_uniform(g, shape, 2, 8, &old_t));
    OK(charnn_tensor_create_kaiming_uniform(g, shape, 2, 8, &new_t));
    OK(charnn_tensor_read(old_t, a, 6));
    OK(charnn_tensor_read(new_t, b, 6));
    CHECK(memcmp(a, b, sizeof a) == 0);
    EXPECT(charnn_tensor_new(g, shape, 2, NULL, 0, NULL), CHARNN_INVALID_ARGUMENT, "charnn_tensor_new: out is NULL");
    EXPECT(charnn_tensor_create(g, shape, 2, NULL, 0, NULL), CHARNN_INVALID_ARGUMENT, "charnn_tensor_create: out is NULL");

    charnn_tensor *p_old, *p_new, *q;
    OK(charnn_parameter_uniform(shape, 2, -1, 1, 9, &p_old));
    OK(charnn_parameter_create_uniform(shape, 2, -1, 1, 9, &p_new));
    OK(charnn_tensor_read(p_old, a, 6));
    OK(charnn_tensor_read(p_new, b, 6));
    CHECK(memcmp(a, b, sizeof a) == 0);
    OK(charnn_parameter_new((int64_t[]){1}, 1, (float[]){2}, &q));
    EXPECT(charnn_parameter_new(shape, 2, NULL, NULL), CHARNN_INVALID_ARGUMENT, "charnn_parameter_new: out is NULL");

    int32_t old_i[8], new_i[8];
    size_t old_n = 0, new_n = 0;
    OK(charnn_encode_name("Zoe", old_i, 8, &old_n));
    OK(charnn_vocabulary_encode("Zoe", new_i, 8, &new_n));
    CHECK(old_n == 3 && new_n == 3 && memcmp(old_i, new_i, 3 * sizeof old_i[0]) == 0);

    /* backward, zero_grad, clip_grad_norm and both optimizers under their old names */
    charnn_tensor *loss, *y;
    OK(charnn_op_sum(g, p_old, &loss));
    OK(charnn_backward(g, loss));
    OK(charnn_tensor_read_grad(p_old, a, 6));
    CHECK(a[0] == 1 && a[5] == 1);
    OK(charnn_zero_grad(&p_old, 1));
    OK(charnn_tensor_read_grad(p_old, a, 6));
    CHECK(a[0] == 0);
    OK(charnn_op_mul(g, q, q, &y));
    OK(charnn_backward_seeded(g, y, (float[]){1}, 1));
    OK(charnn_tensor_read_grad(q, a, 1));
    CHECK(a[0] == 4);
    float norm = 0;
    OK(charnn_clip_grad_norm(&q, 1, 1, &norm));
    CHECK(norm == 4);
    EXPECT(charnn_clip_grad_norm(&q, 1, 0, &norm), CHARNN_INVALID_ARGUMENT, "charnn_clip_grad_norm: max_norm 0");
    charnn_optimizer *adam, *sgd;
    OK(charnn_optimizer_adam(&q, 1, NULL, &adam));
    OK(charnn_optimizer_step(adam));
    OK(charnn_optimizer_sgd(&q, 1, 0.5f, 0, 0, &sgd));
    OK(charnn_optimizer_step(sgd));
    OK(charnn_tensor_read(q, a, 1));
    CHECK(fabsf(a[0] - (2 - 1e-3f - 0.5f)) < 1e-5f); /* Adam's first step is lr; SGD's lr * grad (1 after clipping) */
    EXPECT(charnn_optimizer_sgd(&q, 1, -1, 0, 0, &sgd), CHARNN_INVALID_ARGUMENT, "charnn_optimizer_sgd: learning_rate");
    charnn_optimizer_free(adam);
    charnn_optimizer_free(sgd);
    charnn_tensor_free(p_old);
    charnn_tensor_free(p_new);
    charnn_tensor_free(q);
    charnn_graph_free(g);
}
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif

void test_low_level(void) {
    test_graphs_and_tensors();
    test_parameters();
    test_ops();
    test_encode_name();
    test_backward();
    test_optimizers();
    test_training_loop();
    test_deprecated_aliases();
}
