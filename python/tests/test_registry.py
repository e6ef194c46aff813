"""The verbs as methods: typed results decoded from --json, errors as exceptions with codes."""

from __future__ import annotations

import shutil

import pytest

import tfregistry
from tfregistry import AlreadyExistsError, NotFoundError, Registry, RegistryError, UsageError
from tfregistry.results import PushResult, VersionDetail, VersionSummary, decode

from conftest import cli


def test_push_show_ls_history_diff(reg, fixtures):
    seed = fixtures / "seed_mlp_train_and_serve"
    first = reg.push(seed, "seed", aliases=["prod"], labels={"data": "random"}, metrics={"accuracy": 0.25}, step=250)
    assert isinstance(first, PushResult)
    assert (first.model, first.version, first.tensors, first.files) == ("seed", 1, 21, 3)
    assert first.statistics.raw_bytes > 0 and first.statistics.reused_chunks == 0
    second = reg.push(seed, "seed", parent="seed@prod")
    assert second.version == 2 and second.statistics.stored_bytes == 0, "the same folder again stores nothing new"

    detail = reg.show("seed@prod")
    assert isinstance(detail, VersionDetail)
    assert detail.summary.ref == "seed:1" and detail.summary.aliases == ("prod",) and detail.summary.labels == {"data": "random"}
    assert detail.summary.metrics == {"accuracy": 0.25} and detail.summary.global_step == 250
    assert [g.tags for g in detail.meta_graphs] == [("train",), ("serve",)]
    serving = detail.meta_graphs[1].signatures[0]
    assert serving.key == "serving_default"
    assert {t.key: (t.dtype, t.shape) for t in serving.inputs} == {"x": ("float32", (-1, 28))}
    assert len(detail.tensors) == 21 and all(t.bytes > 0 for t in detail.tensors)
    assert detail.digest.startswith("sha256:") and detail.digest == reg.show("seed:2").digest, "same bytes, same digest"
    assert reg.show("seed:2").lineage == ("seed:2", "seed:1")

    assert [v.ref for v in reg.ls(tag="serve")] == ["seed:1", "seed:2"]
    assert [v.ref for v in reg.ls(tags=("serve",), labels={"data": "random"})] == ["seed:1"]
    assert [v.ref for v in reg.ls(model="seed", latest=True)] == ["seed:2"]
    assert reg.ls(signature="no-such-signature") == []
    history = reg.history("seed")
    assert all(isinstance(v, VersionSummary) for v in history) and history[1].parent == "seed:1"
    assert history[0].created_at is not None and history[0].kind == "saved_model"

    diff = reg.diff("seed:1", "seed:2")
    assert diff.from_ref.startswith("seed:1") and diff.to_ref.startswith("seed:2")
    assert (diff.added, diff.removed, diff.changed, diff.unchanged) == ((), (), (), 21)


def test_alias_rm_gc_verify_and_pull(reg, fixtures, tmp_path):
    reg.push(fixtures / "seed_mlp_training", "m")
    reg.push(fixtures / "seed_mlp_train_and_serve", "m")
    reg.alias("m@best", 1)
    assert reg.show("m@best").summary.version == 1
    reg.alias("m@best", None)
    with pytest.raises(NotFoundError) as missing:
        reg.show("m@best")
    assert missing.value.code == "alias_not_found" and "has no alias 'best'" in missing.value.message

    pulled = reg.pull("m:2", tmp_path / "serve", tags="serve")
    assert pulled.tag_sets == ("serve",) and (tmp_path / "serve" / "saved_model.pb").is_file()
    with pytest.raises(AlreadyExistsError) as exists:
        reg.pull("m:2", tmp_path / "serve")
    assert exists.value.code == "target_exists" and exists.value.status == 1

    assert reg.verify().ok and reg.verify("m:1").versions == 1
    reg.rm("m:1")
    assert [v.version for v in reg.history("m")] == [2]
    report = reg.gc()
    assert report.chunks_removed > 0 and report.bytes_freed > 0
    reg.rm("m", all=True)
    with pytest.raises(NotFoundError):
        reg.history("m")


def test_errors_carry_code_category_and_message(reg, fixtures, tmp_path):
    # A verb that only reads creates no registry: before the first push there is none.
    with pytest.raises(NotFoundError) as none:
        reg.show("nothing:3")
    assert none.value.code == "no_registry" and "`registry push` creates one" in none.value.message
    reg.push(fixtures / "seed_mlp_training", "seed")
    with pytest.raises(NotFoundError) as missing:
        reg.show("nothing:3")
    error = missing.value
    assert isinstance(error, RegistryError)
    assert (error.code, error.category, error.status) == ("model_not_found", "not_found", 1)
    assert "no model named 'nothing'" in error.message and "registry ls" in error.message
    with pytest.raises(UsageError) as usage:
        reg.show("bad name!")
    assert usage.value.code == "invalid_name" and usage.value.category == "usage"
    with pytest.raises(UsageError) as option:
        reg.push(fixtures / "seed_mlp_training", "m", metrics={"loss": float("nan")})
    assert option.value.status == 64 and "finite" in option.value.message
    with pytest.raises(RegistryError) as absent:
        reg.push(tmp_path / "no-such-folder", "m")
    assert absent.value.code == "file_missing" and isinstance(absent.value, NotFoundError)
    with pytest.raises(NotFoundError):
        reg.history("m")


def test_decoding_ignores_unknown_fields_and_tolerates_missing_ones():
    item = decode(VersionSummary, {"model": "m", "version": 3, "createdAt": "2026-01-02T03:04:05Z", "kind": "checkpoint",
                                   "tagSets": ["serve"], "someFutureField": {"x": 1}, "metrics": {"loss": 1}})
    assert item.ref == "m:3" and item.metrics == {"loss": 1.0} and item.labels == {} and item.parent is None
    assert item.created_at.year == 2026
    error = tfregistry.errors.from_failure('{\n  "error" : {"code": "x_y", "category": "damaged", "message": "m", "new": 1}\n}\n', 1, ["registry"])
    assert isinstance(error, tfregistry.DamagedError) and error.code == "x_y"
    plain = tfregistry.errors.from_failure("Error: something broke\n", 1, ["registry"])
    assert type(plain) is RegistryError and plain.message == "something broke"


def test_registry_found_as_the_cli_finds_it(tmp_path, monkeypatch, fixtures):
    monkeypatch.setenv("REGISTRY_PATH", str(tmp_path / "env.db"))
    Registry().push(fixtures / "seed_mlp_training", "from-env")
    assert [v.model for v in Registry(tmp_path / "env.db").ls()] == ["from-env"]
    monkeypatch.delenv("REGISTRY_PATH")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    default = Registry()
    default.push(fixtures / "seed_mlp_training", "local")
    assert (work / ".registry" / "registry.db").is_file()
    monkeypatch.chdir(tmp_path)
    assert [v.model for v in default.ls()] == ["local"], "the folder the Registry was made in, not the current one"


def test_binary_found_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTRY_BIN", str(tmp_path / "missing"))
    with pytest.raises(tfregistry.BinaryNotFoundError):
        Registry(tmp_path / "r.db")
    fake = tmp_path / "registry"
    shutil.copy(shutil.which("true") or "/bin/true", fake)
    monkeypatch.setenv("REGISTRY_BIN", str(fake))
    assert Registry(tmp_path / "r.db").binary == str(fake)
