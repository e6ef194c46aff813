"""Times one epoch (50 steps of batch 32) of the founding example's network in TensorFlow:
the TF1 `sess.run` loop of the notebook and a TF2 `tf.function` step. Prints JSON with the
median seconds per epoch over the timed epochs (after warm-up). Used by `make bench`."""
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
import tensorflow as tf

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
rng = np.random.RandomState(1234)
inputs = rng.random_sample((1600, 28)).astype(np.float32)
labels = rng.randint(0, 5, size=1600).astype(np.int32)


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def tf1_epoch_seconds():
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(20180401)
        x = tf.compat.v1.placeholder(tf.float32, [None, 28], name="input_layer")
        y = tf.compat.v1.placeholder(tf.int32, [None], name="labels")
        h = x
        for name, units in (("hidden_layer_1", 64), ("hideen_layer_2", 64)):
            w = tf.compat.v1.get_variable(name + "/kernel", [h.shape[1], units])
            b = tf.compat.v1.get_variable(name + "/bias", [units], initializer=tf.compat.v1.zeros_initializer())
            h = tf.nn.relu(tf.matmul(h, w) + b)
        w = tf.compat.v1.get_variable("output_layer/kernel", [64, 5])
        b = tf.compat.v1.get_variable("output_layer/bias", [5], initializer=tf.compat.v1.zeros_initializer())
        logits = tf.matmul(h, w) + b
        loss = tf.compat.v1.losses.softmax_cross_entropy(tf.one_hot(y, 5), logits)
        step = tf.compat.v1.train.get_or_create_global_step()
        train = tf.compat.v1.train.AdamOptimizer(1e-4).minimize(loss, global_step=step)
        correct = tf.reduce_sum(tf.cast(tf.compat.v1.nn.in_top_k(logits, y, 1), tf.int32))
        config = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=2, inter_op_parallelism_threads=2)
        with tf.compat.v1.Session(graph=graph, config=config) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            times = []
            for epoch in range(EPOCHS + 2):
                start = time.perf_counter()
                for i in range(50):
                    sess.run([correct, train], {x: inputs[32 * i:32 * i + 32], y: labels[32 * i:32 * i + 32]})
                if epoch >= 2:
                    times.append(time.perf_counter() - start)
            return median(times)


def tf2_epoch_seconds():
    init = tf.keras.initializers.GlorotUniform(seed=1)
    shapes = [(28, 64), (64, 64), (64, 5)]
    weights = []
    for fan_in, fan_out in shapes:
        weights += [tf.Variable(init((fan_in, fan_out))), tf.Variable(tf.zeros([fan_out]))]
    slots = [(tf.Variable(tf.zeros_like(v)), tf.Variable(tf.zeros_like(v))) for v in weights]
    beta1_power, beta2_power = tf.Variable(0.9), tf.Variable(0.999)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            h = x
            for i in range(0, 4, 2):
                h = tf.nn.relu(tf.matmul(h, weights[i]) + weights[i + 1])
            logits = tf.matmul(h, weights[4]) + weights[5]
            loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(tf.one_hot(y, 5), logits))
        grads = tape.gradient(loss, weights)
        for v, (m, s), g in zip(weights, slots, grads):
            tf.raw_ops.ResourceApplyAdam(var=v.handle, m=m.handle, v=s.handle, beta1_power=beta1_power, beta2_power=beta2_power,
                                         lr=1e-4, beta1=0.9, beta2=0.999, epsilon=1e-8, grad=g)
        beta1_power.assign(beta1_power * 0.9)
        beta2_power.assign(beta2_power * 0.999)
        return tf.reduce_sum(tf.cast(tf.nn.in_top_k(targets=y, predictions=logits, k=1), tf.int32))

    batches = [(tf.constant(inputs[32 * i:32 * i + 32]), tf.constant(labels[32 * i:32 * i + 32])) for i in range(50)]
    times = []
    for epoch in range(EPOCHS + 2):
        start = time.perf_counter()
        for x, y in batches:
            step(x, y)
        if epoch >= 2:
            times.append(time.perf_counter() - start)
    return median(times)


print(json.dumps({"tf1_sess_run": tf1_epoch_seconds(), "tf2_function": tf2_epoch_seconds(), "tensorflow": tf.__version__}))
