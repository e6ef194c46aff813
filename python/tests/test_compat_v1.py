"""tfregistry.compat.v1 in graph mode: the founding notebook's flow through RegistrySaver and
import_meta_graph (train, save every epoch, a new graph, restore, the same accuracy, train on),
retention equal to tf.compat.v1.train.Saver's, and save_saved_model."""

from __future__ import annotations

import os
import time

import numpy as np
import tensorflow as tf

from tfregistry.compat.v1 import RegistrySaver, import_meta_graph, save_saved_model

tf.config.experimental.enable_op_determinism()

# The notebook's data: can a neural network fit random data?
NUM_FEATURES, NUM_CLASSES, BATCH_SIZE, NUM_BATCHES = 28, 5, 32, 50
_rng = np.random.RandomState(1234)
INPUTS = _rng.random_sample((BATCH_SIZE * NUM_BATCHES, NUM_FEATURES)).astype(np.float32)
TARGETS = _rng.randint(0, NUM_CLASSES, size=BATCH_SIZE * NUM_BATCHES).astype(np.int32)


def build_graph():
    """The notebook's model: 28 -> 64 -> 64 -> 5, softmax cross-entropy, Adam 1e-4, with its
    collections `feed_dict` and `fetches`."""
    tf.compat.v1.set_random_seed(20180401)
    input_layer = tf.compat.v1.placeholder(tf.float32, [None, NUM_FEATURES], name="input_layer")
    labels = tf.compat.v1.placeholder(tf.int32, [None], name="labels")
    hidden = input_layer
    for name, width in (("hidden_layer_1", 64), ("hidden_layer_2", 64), ("output_layer", NUM_CLASSES)):
        with tf.compat.v1.variable_scope(name):
            kernel = tf.compat.v1.get_variable("kernel", [hidden.shape[1], width], initializer=tf.compat.v1.glorot_uniform_initializer())
            bias = tf.compat.v1.get_variable("bias", [width], initializer=tf.compat.v1.zeros_initializer())
            hidden = tf.matmul(hidden, kernel) + bias
            if name != "output_layer":
                hidden = tf.nn.relu(hidden)
    global_step = tf.compat.v1.train.get_or_create_global_step()
    loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels, hidden)
    train_op = tf.compat.v1.train.AdamOptimizer(1e-4).minimize(loss, global_step=global_step)
    num_correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(hidden, 1, output_type=tf.int32), labels), tf.int32), name="num_correct")
    for tensor in (input_layer, labels):
        tf.compat.v1.add_to_collection("feed_dict", tensor)
    for op in (num_correct, train_op):
        tf.compat.v1.add_to_collection("fetches", op)


def train(sess, epochs):
    """The notebook's helper: train on whatever graph the session holds, through its collections."""
    input_layer, labels = tf.compat.v1.get_collection("feed_dict")
    for _ in range(epochs):
        for batch in range(NUM_BATCHES):
            rows = slice(batch * BATCH_SIZE, (batch + 1) * BATCH_SIZE)
            sess.run(tf.compat.v1.get_collection("fetches"), feed_dict={input_layer: INPUTS[rows], labels: TARGETS[rows]})


def accuracy(sess):
    input_layer, labels = tf.compat.v1.get_collection("feed_dict")
    num_correct = tf.compat.v1.get_collection("fetches")[0]
    return sess.run(num_correct, feed_dict={input_layer: INPUTS, labels: TARGETS}) / len(TARGETS)


def variables(sess):
    found = tf.compat.v1.global_variables()
    return {v.op.name: value.tobytes() for v, value in zip(found, sess.run(found))}


def test_the_notebook_flow_through_the_registry(reg):
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        build_graph()
        sess.run(tf.compat.v1.global_variables_initializer())
        saver = RegistrySaver(reg, "seed-run")
        assert saver.latest_checkpoint() is None
        for _ in range(3):
            train(sess, 1)
            assert saver.save(sess, global_step=tf.compat.v1.train.get_global_step()) == saver.last_checkpoint.ref
        saved_accuracy = accuracy(sess)
        train(sess, 2)
        trained_on = variables(sess)
    assert [(v.version, v.global_step) for v in reg.history("seed-run")] == [(1, 50), (2, 100), (3, 150)]
    assert saver.latest_checkpoint() == "seed-run:3"
    assert any(f.path.endswith(".meta") for f in reg.show("seed-run:3").files)

    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        restored = import_meta_graph(reg, "seed-run@latest")
        assert len(tf.compat.v1.get_collection("fetches")) == 2 and len(tf.compat.v1.get_collection("feed_dict")) == 2
        restored.restore(sess)
        assert accuracy(sess) == saved_accuracy, "the same accuracy as when it was saved"
        train(sess, 2)
        assert variables(sess) == trained_on, "training on equals training on in the first session, bit for bit"
        assert restored.save(sess, global_step=tf.compat.v1.train.get_global_step()) == "seed-run:4"
    last = reg.history("seed-run")[-1]
    assert (last.global_step, last.parent) == (250, "seed-run:3")


def test_import_meta_graph_of_a_run_trained_by_registry_train(reg):
    from conftest import cli
    cli(reg, "train", "swift-run", "--epochs", "2", "--print-every", "1")
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        saver = import_meta_graph(reg, "swift-run")
        saver.restore(sess)
        before = sess.run(tf.compat.v1.train.get_global_step())
        train(sess, 1)
        assert sess.run(tf.compat.v1.train.get_global_step()) == before + NUM_BATCHES


def test_retention_equals_tensorflow_savers(reg, tmp_path, monkeypatch):
    """max_to_keep=2, keep_checkpoint_every_n_hours=1, saves 20 minutes apart on a replaced
    clock: the registry keeps the checkpoints TensorFlow's Saver leaves on disk."""
    clock = [1_700_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    folder = tmp_path / "saver"
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        tf.compat.v1.Variable(1.0, name="w")
        tensorflow_saver = tf.compat.v1.train.Saver(max_to_keep=2, keep_checkpoint_every_n_hours=1)
        registry_saver = RegistrySaver(reg, "kept", max_to_keep=2, keep_checkpoint_every_n_hours=1)
        sess.run(tf.compat.v1.global_variables_initializer())
        for i in range(1, 11):
            clock[0] = 1_700_000_000.0 + i * 1200
            tensorflow_saver.save(sess, str(folder / "model.ckpt"), global_step=i * 10)
            registry_saver.save(sess, global_step=i * 10)
    on_disk = sorted(int(n[len("model.ckpt-"):-len(".index")]) for n in os.listdir(folder) if n.endswith(".index"))
    assert on_disk == [40, 70, 90, 100]
    assert [v.global_step for v in reg.history("kept")] == on_disk


def test_save_saved_model_in_place_of_the_builder(reg, tmp_path):
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        build_graph()
        sess.run(tf.compat.v1.global_variables_initializer())
        train(sess, 1)
        expected = accuracy(sess)
        pushed = save_saved_model(sess, reg, "seed-export", tags=["train"], labels={"epochs": "1"})
    assert pushed.ref == "seed-export:1" and reg.show("seed-export").summary.labels == {"epochs": "1"}
    reg.pull("seed-export", tmp_path / "export")
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        tf.compat.v1.saved_model.loader.load(sess, ["train"], str(tmp_path / "export"))
        assert accuracy(sess) == expected
