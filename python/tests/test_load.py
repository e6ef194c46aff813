"""`Registry.load`: what tf.saved_model.load returns, from a per-user cache keyed by the
version's content (a second load does not export again), bounded, and emptied on request."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfregistry import Registry

from conftest import cli


def _forward(weights, x):
    """The {serve} graph's logits in float64 from the weights the registry holds."""
    hidden = x.astype(np.float64)
    for layer in ("hidden_layer_1", "hideen_layer_2"):
        hidden = np.maximum(hidden @ weights[f"{layer}/kernel"] + weights[f"{layer}/bias"], 0)
    return hidden @ weights["output_layer/kernel"] + weights["output_layer/bias"]


def _count_pulls(reg, monkeypatch):
    pulls = []
    original = reg.pull

    def pull(ref, *args, **kwargs):
        pulls.append(ref)
        return original(ref, *args, **kwargs)

    monkeypatch.setattr(reg, "pull", pull)
    return pulls


def test_load_serves_a_swift_trained_run(reg, monkeypatch):
    cli(reg, "train", "swift-run", "--epochs", "3", "--print-every", "1")
    pulls = _count_pulls(reg, monkeypatch)
    model = reg.load("swift-run")
    x = np.random.RandomState(0).random_sample((64, 28)).astype(np.float32)
    logits = model.signatures["serving_default"](x=tf.constant(x))["logits"].numpy()
    weights = {name: value.astype(np.float64) for name, value in reg.tensors("swift-run").items()}
    np.testing.assert_allclose(logits, _forward(weights, x), rtol=0, atol=1e-6)
    assert pulls == ["swift-run:1"] and len(reg._cache.entries()) == 1

    again = reg.load("swift-run@latest")
    assert pulls == ["swift-run:1"], "the second load of the same version does not export again"
    np.testing.assert_array_equal(again.signatures["serving_default"](x=tf.constant(x))["logits"].numpy(), logits)


def test_the_cache_is_keyed_by_content_bounded_and_cleared(tmp_path, fixtures, monkeypatch):
    reg = Registry(tmp_path / "r.db", cache_max_bytes=1)
    assert reg.cache_dir == str(tmp_path / "xdg-cache" / "tfregistry"), "per user: $XDG_CACHE_HOME/tfregistry"
    pulls = _count_pulls(reg, monkeypatch)
    reg.push(fixtures / "keras_tf2", "k")
    reg.push(fixtures / "keras_tf2", "same-bytes")
    reg.push(fixtures / "large_weights", "w")

    loaded = reg.load("k", tags=None)
    inputs = np.load(fixtures / "keras_tf2" / "assets.extra" / "example_inputs.npz")
    expected = np.load(fixtures / "keras_tf2" / "assets.extra" / "expected_outputs.npz")
    outputs = loaded.signatures["serving_default"](**{k: tf.constant(v) for k, v in inputs.items()})
    for key, value in expected.items():
        np.testing.assert_allclose(outputs[key].numpy(), value, rtol=1e-6, atol=1e-6)
    reg.load("same-bytes", tags=None)
    assert pulls == ["k:1"], "another name for the same bytes is the same cache entry"

    (first, _), = reg._cache.entries()
    reg.load("w")
    (second, size), = reg._cache.entries()
    assert first != second and size > 1, "over the bound, the least recently used entry went; the one just made stays"
    assert pulls == ["k:1", "w:1"]

    assert reg.cache_clear() == 1 and reg._cache.entries() == []
    reg.load("w")
    assert pulls == ["k:1", "w:1", "w:1"]
