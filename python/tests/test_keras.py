"""tfregistry.keras.RegistryCheckpoint with real Keras 3: a run's checkpoints, steps and
metrics in the registry; restore + more epochs equal to an uninterrupted run, bit for bit on
CPU; export_to serving the model's outputs with lineage to its checkpoint; the run's curves."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfregistry.keras import RegistryCheckpoint

from conftest import cli

tf.config.experimental.enable_op_determinism()


def _data():
    rng = np.random.RandomState(1234)
    return rng.random_sample((256, 28)).astype(np.float32), rng.randint(0, 5, size=256).astype(np.int32)


def _model():
    keras.utils.set_random_seed(7)
    model = keras.Sequential([keras.Input((28,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(64, activation="relu"), keras.layers.Dense(5)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], jit_compile=False)
    return model


def _state(model):
    return [v.numpy().tobytes() for v in model.weights] + [v.numpy().tobytes() for v in model.optimizer.variables]


def _fit(model, epochs, initial_epoch=0, callbacks=()):
    x, y = _data()
    return model.fit(x, y, batch_size=32, epochs=epochs, initial_epoch=initial_epoch, shuffle=False, verbose=0,
                     callbacks=list(callbacks))


def test_three_epochs_then_resume_equals_five(reg, tmp_path):
    model = _model()
    saving = RegistryCheckpoint(reg, "run", export_to="served")
    logs = _fit(model, 3, callbacks=[saving]).history

    versions = reg.history("run")
    assert [(v.version, v.kind, v.global_step) for v in versions] == [(1, "checkpoint", 8), (2, "checkpoint", 16), (3, "checkpoint", 24)]
    for version, loss, accuracy in zip(versions, logs["loss"], logs["accuracy"]):
        assert version.metrics == pytest.approx({"loss": loss, "accuracy": accuracy}, rel=1e-12)
    assert reg.show("run:3").lineage == ("run:3", "run:2", "run:1")

    # export_to: the served model's parent is the last checkpoint, and it serves the model's outputs.
    served = reg.show("served")
    assert served.summary.kind == "saved_model" and served.lineage[:2] == ("served:1", "run:3")
    x, _ = _data()
    loaded = reg.load("served")
    np.testing.assert_allclose(loaded.serve(x).numpy(), model(x).numpy(), rtol=0, atol=1e-6)

    # Restore into a fresh model, two more epochs (still saving into the run).
    resumed = _model()
    RegistryCheckpoint.restore(reg, "run@latest", resumed)
    assert _state(resumed) == _state(model), "weights and optimizer state as saved"
    _fit(resumed, 5, initial_epoch=3, callbacks=[RegistryCheckpoint(reg, "run")])
    uninterrupted = _model()
    _fit(uninterrupted, 5)
    assert _state(resumed) == _state(uninterrupted), "3 epochs + restore + 2 equal 5 in one go, bit for bit"
    assert [v.global_step for v in reg.history("run")] == [8, 16, 24, 32, 40]
    assert reg.history("run")[3].parent == "run:3"

    # history --plot draws the Keras run's curves: one point per epoch for loss and accuracy.
    plot = tmp_path / "run.svg"
    cli(reg, "history", "run", "--plot", plot)
    svg = plot.read_text()
    assert svg.count("<polyline") == 2 and ">loss<" in svg and ">accuracy<" in svg
    for polyline in svg.split('<polyline points="')[1:]:
        assert len(polyline.split('"')[0].split()) == 5


def test_save_every_steps_with_retention(reg):
    model = _model()
    _fit(model, 3, callbacks=[RegistryCheckpoint(reg, "steps", save_every=5, max_to_keep=2)])
    versions = reg.history("steps")
    assert [(v.version, v.global_step) for v in versions] == [(3, 15), (4, 20)], "retention kept the last two of 5, 10, 15, 20"
    assert all("loss" in v.metrics for v in versions)
    with pytest.raises(ValueError):
        RegistryCheckpoint(reg, "steps", save_every=0)
