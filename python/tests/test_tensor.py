"""`Registry.tensor` against TensorFlow's own checkpoint reader, for every tensor of every
fixture; `registry cat`'s .npy and raw forms as numpy and a user's script read them."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import tensorflow as tf

from tfregistry import NotFoundError, RegistryError

from conftest import cli

SAVED_MODELS = ["seed_mlp_training", "seed_mlp_train_and_serve", "keras_tf2", "keras_tf2_saved_model_save", "dtypes_zoo",
                "dtypes_exotic", "many_tensors", "many_tensors_multiblock", "large_weights", "partitioned_variables"]


def _expected(reader, key):
    value = reader.get_tensor(key)
    if isinstance(value, bytes):
        value = np.array(value, dtype=object)
    return value


def _assert_same(got, want, what):
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    if want.dtype == object:
        assert got.dtype == object and list(got.reshape(-1)) == list(want.reshape(-1)), what
        return
    if want.dtype.names is None:
        assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} != {want.dtype}"
    assert got.tobytes() == want.tobytes(), f"{what}: values differ"


def _check_all(reg, ref, prefix):
    """`tensors(ref)` lists exactly TensorFlow's keys, each equal to TensorFlow's value; so does
    `tensor(ref, key)` for a sample of them (every one when there are few)."""
    reader = tf.train.load_checkpoint(str(prefix))
    keys = sorted(reader.get_variable_to_dtype_map())
    every = reg.tensors(ref)
    assert sorted(every) == keys
    for key in keys:
        _assert_same(every[key], _expected(reader, key), f"{ref} {key}")
    sample = keys if len(keys) <= 40 else keys[:: len(keys) // 20]
    with ThreadPoolExecutor(4) as pool:
        one_by_one = dict(zip(sample, pool.map(lambda key: reg.tensor(ref, key), sample)))
    for key in sample:
        _assert_same(one_by_one[key], _expected(reader, key), f"{ref} {key}")
    return keys


@pytest.mark.parametrize("case", SAVED_MODELS)
def test_every_tensor_of_every_saved_model_fixture(reg, fixtures, case):
    reg.push(fixtures / case, "m")
    keys = _check_all(reg, "m", fixtures / case / "variables" / "variables")
    assert len(keys) >= 1
    if case == "partitioned_variables":
        assert "embedding" in keys and reg.tensor("m", "embedding").shape == (1000, 16), "assembled from its slices"
    if case == "dtypes_exotic":
        kinds = {str(reg.tensor("m", key).dtype) for key in keys}
        assert {"float8_e4m3fn", "float8_e5m2", "int4", "uint4"} <= kinds, kinds


@pytest.mark.parametrize("layout", ["plain", "sharded"])
def test_every_tensor_of_saver_checkpoints(reg, fixtures, layout):
    folder = fixtures / "saver_checkpoints" / layout
    pushed = reg.push(folder, "run")
    assert isinstance(pushed, list) and [p.version for p in pushed] == [1, 2, 3]
    for result, step in zip(pushed, (20, 30, 40)):
        _check_all(reg, result.ref, folder / f"model.ckpt-{step}")


def test_strings_with_trailing_nul_bytes_come_back_exactly(reg, tmp_path):
    values = np.array([[b"", b"a\x00"], [b"\x00\x00", b"longer string"]], dtype=object)

    class Holder(tf.Module):
        def __init__(self):
            self.text = tf.Variable(values)
            self.plain = tf.Variable([b"ab", b"c"])
            self.scalar = tf.Variable(b"just one")

    tf.saved_model.save(Holder(), str(tmp_path / "strings"))
    reg.push(tmp_path / "strings", "s")
    reader = tf.train.load_checkpoint(str(tmp_path / "strings" / "variables" / "variables"))
    for key in reader.get_variable_to_dtype_map():
        _assert_same(reg.tensor("s", key), _expected(reader, key), key)
    text = reg.tensor("s", "text/.ATTRIBUTES/VARIABLE_VALUE")
    assert text[0, 1] == b"a\x00" and text[1, 0] == b"\x00\x00"

    # What a user's numpy sees: no pickle needed, fixed-width bytes, or records when |S would drop NULs.
    plain = cli(reg, "cat", "s", "plain/.ATTRIBUTES/VARIABLE_VALUE", "--npy", "-o", tmp_path / "plain.npy", "--json")
    assert json.loads(plain.stdout)["npyDescr"] == "|S2"
    assert np.load(tmp_path / "plain.npy", allow_pickle=False).tolist() == [b"ab", b"c"]
    cli(reg, "cat", "s", "text/.ATTRIBUTES/VARIABLE_VALUE", "--npy", "-o", tmp_path / "text.npy")
    records = np.load(tmp_path / "text.npy", allow_pickle=False)
    assert records.dtype.names == ("length", "bytes") and records.shape == (2, 2)
    assert records["length"].tolist() == [[0, 2], [2, 13]]
    raw = cli(reg, "cat", "s", "plain/.ATTRIBUTES/VARIABLE_VALUE", "-o", tmp_path / "plain.raw")
    assert raw.stdout.startswith("wrote s:1 plain/.ATTRIBUTES/VARIABLE_VALUE (string[2])")
    assert (tmp_path / "plain.raw").read_bytes() == (2).to_bytes(8, "little") + b"ab" + (1).to_bytes(8, "little") + b"c"


def test_cat_streams_raw_bytes_to_stdout_and_refuses_what_it_cannot(reg, fixtures, tmp_path):
    import subprocess
    reg.push(fixtures / "seed_mlp_training", "m")
    reader = tf.train.load_checkpoint(str(fixtures / "seed_mlp_training" / "variables" / "variables"))
    kernel = reader.get_tensor("hidden_layer_1/kernel")
    done = subprocess.run([reg.binary, "cat", "--registry", reg.path, "m", "hidden_layer_1/kernel"], capture_output=True)
    assert done.returncode == 0 and done.stdout == kernel.astype("<f4").tobytes()
    npy = subprocess.run([reg.binary, "cat", "--registry", reg.path, "m", "hidden_layer_1/kernel", "--npy"], capture_output=True)
    import io
    assert np.array_equal(np.load(io.BytesIO(npy.stdout)), kernel)

    with pytest.raises(NotFoundError) as missing:
        reg.tensor("m", "no/such/tensor")
    assert missing.value.code == "tensor_not_found" and "registry show m:1" in missing.value.message
    (tmp_path / "taken.npy").write_bytes(b"x")
    taken = cli(reg, "cat", "m", "hidden_layer_1/kernel", "--npy", "-o", tmp_path / "taken.npy", check=False)
    assert taken.returncode == 1 and "already exists" in taken.stderr
    assert (tmp_path / "taken.npy").read_bytes() == b"x"
    with pytest.raises(RegistryError):
        reg.tensor("m:9", "hidden_layer_1/kernel")
