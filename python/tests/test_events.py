"""TensorBoard event files as a run's curves: `push --events` (and `Registry.push(events=…)`)
reads what tf.summary (TF2) and tf.compat.v1.summary.FileWriter (TF1) write, gives each
checkpoint the values at its step, and draws them in `history --plot`; damaged files are
refused with the file and record named, nothing recorded."""

from __future__ import annotations


import numpy as np
import pytest
import tensorflow as tf

from tfregistry import DamagedError, NotFoundError

from conftest import cli


def _f32(value):
    return float(np.float32(value))


def write_tf2_run(tmp_path):
    """30 steps of TF2 training logged with tf.summary (scalars at the top, a validation
    scalar in a subfolder, a histogram and text that are not curves), a CheckpointManager
    checkpoint every 10 steps."""
    logs, checkpoints = tmp_path / "logs", tmp_path / "checkpoints"
    weight, step = tf.Variable(0.0), tf.Variable(0, dtype=tf.int64)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(w=weight, step=step), str(checkpoints), max_to_keep=10)
    train, validation = tf.summary.create_file_writer(str(logs)), tf.summary.create_file_writer(str(logs / "validation"))
    for s in range(1, 31):
        step.assign(s)
        weight.assign(s * 0.5)
        with train.as_default():
            tf.summary.scalar("loss", 1.0 / s, step=s)
            tf.summary.scalar("accuracy", s / 30, step=s)
            tf.summary.histogram("weights", [1.0, 2.0, float(s)], step=s)
            tf.summary.text("note", "not a curve", step=s)
        if s % 5 == 0:
            with validation.as_default():
                tf.summary.scalar("accuracy", s / 40, step=s)
        if s % 10 == 0:
            manager.save(checkpoint_number=s)
    train.close()
    validation.close()
    return logs, checkpoints


def test_tf2_summaries_become_the_runs_metrics_and_curves(reg, tmp_path):
    logs, checkpoints = write_tf2_run(tmp_path)
    pushed = reg.push(checkpoints, "tf2-run", events=logs)
    assert [p.version for p in pushed] == [1, 2, 3]
    history = reg.history("tf2-run")
    assert [v.global_step for v in history] == [10, 20, 30]
    for version in history:
        s = version.global_step
        assert version.metrics == {"loss": _f32(1.0 / s), "accuracy": _f32(s / 30), "validation/accuracy": _f32(s / 40)}

    plot = tmp_path / "curves.svg"
    cli(reg, "history", "tf2-run", "--plot", plot)
    svg = plot.read_text()
    assert "tf2-run: metrics by global step" in svg
    assert [name for name in ("accuracy", "loss", "validation/accuracy") if f">{name}<" in svg] == ["accuracy", "loss", "validation/accuracy"]
    points = [len(p.split('"')[0].split()) for p in svg.split('<polyline points="')[1:]]
    assert points == [30, 30, 6], "every logged step, not only the three checkpoints"


def test_tf1_file_writer_events(reg, tmp_path):
    logs, checkpoints = tmp_path / "logs", tmp_path / "ckpt"
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        value = tf.compat.v1.placeholder(tf.float32, [])
        summary = tf.compat.v1.summary.scalar("xent", value)
        weight = tf.compat.v1.Variable(0.0, name="w")
        step = tf.compat.v1.train.get_or_create_global_step()
        advance = tf.group(weight.assign_add(1.0), step.assign_add(1))
        saver = tf.compat.v1.train.Saver(max_to_keep=10)
        writer = tf.compat.v1.summary.FileWriter(str(logs), graph=graph)
        sess.run(tf.compat.v1.global_variables_initializer())
        for s in range(1, 21):
            sess.run(advance)
            writer.add_summary(sess.run(summary, {value: 3.0 - s / 10}), s)
            writer.add_summary(tf.compat.v1.Summary(value=[tf.compat.v1.Summary.Value(tag="lr", simple_value=0.1 / s)]), s)
            if s % 5 == 0:
                saver.save(sess, str(checkpoints / "model.ckpt"), global_step=s)
        writer.close()
    reg.push(checkpoints, "tf1-run", events=logs)
    history = reg.history("tf1-run")
    assert [v.global_step for v in history] == [5, 10, 15, 20]
    assert history[1].metrics == {"xent": _f32(3.0 - 1.0), "lr": _f32(0.1 / 10)}
    # Events only: a checkpoint pushed later by its prefix takes the value logged at or before its step.
    more = tmp_path / "later"
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        tf.compat.v1.Variable(1.0, name="w")
        sess.run(tf.compat.v1.global_variables_initializer())
        prefix = tf.compat.v1.train.Saver().save(sess, str(more / "model.ckpt"), global_step=23)
    pushed = reg.push(prefix, "tf1-run", metrics={"extra": 1.5}, events=logs)
    assert [p.version for p in pushed] == [5]
    last = reg.history("tf1-run")[-1]
    assert (last.global_step, last.parent, last.metrics) == (23, "tf1-run:4", {"xent": _f32(1.0), "lr": _f32(0.1 / 20), "extra": 1.5})


@pytest.mark.parametrize("damage", ["truncated", "bit-flipped"])
def test_damaged_event_files_are_refused_and_nothing_is_recorded(reg, tmp_path, damage):
    logs, checkpoints = write_tf2_run(tmp_path)
    event_file = next(p for p in logs.iterdir() if p.is_file())
    data = bytearray(event_file.read_bytes())
    if damage == "truncated":
        event_file.write_bytes(bytes(data[:-7]))
    else:
        data[len(data) // 2] ^= 0x10
        event_file.write_bytes(bytes(data))
    with pytest.raises(DamagedError) as refused:
        reg.push(checkpoints, "broken", events=logs)
    error = refused.value
    assert error.code == ("file_truncated" if damage == "truncated" else "checksum_mismatch")
    assert str(event_file) in error.message and "record " in error.message, error.message
    with pytest.raises(NotFoundError):
        reg.history("broken")

    # The same with the binary: one line, exit 1, registry as it was.
    reg.push(checkpoints, "kept")
    done = cli(reg, "push", checkpoints, "kept", "--events", logs, check=False)
    assert done.returncode == 1 and done.stderr.startswith("Error: " + str(event_file))
    assert len(done.stderr.strip().splitlines()) == 1
    assert [v.version for v in reg.history("kept")] == [1, 2, 3]


def test_a_folder_that_is_not_an_event_log_is_refused(reg, tmp_path, fixtures):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NotFoundError) as refused:
        reg.push(fixtures / "saver_checkpoints" / "plain", "r", events=empty)
    assert "no TensorBoard event file" in refused.value.message
    (empty / "events.out.tfevents.1.host").write_bytes(b"this is not a TFRecord file, only some text")
    with pytest.raises(DamagedError):
        reg.push(fixtures / "saver_checkpoints" / "plain", "r", events=empty)
