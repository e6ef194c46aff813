"""Shared fixtures: a registry in a temporary folder, the TensorFlow-written fixtures, and a
process environment that keeps every write (registry, load cache) out of the checkout."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

CHECKOUT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("REGISTRY_FIXTURES") or CHECKOUT.parent / "shared" / "fixtures" / "tf2.21")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No registry or cache of the user's: REGISTRY_PATH unset, the cache under tmp_path."""
    monkeypatch.delenv("REGISTRY_PATH", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def reg(tmp_path):
    from tfregistry import Registry
    return Registry(tmp_path / "registry.db", cache_dir=tmp_path / "cache")


@pytest.fixture
def fixtures():
    if not (FIXTURES / "MANIFEST.json").is_file():
        pytest.fail(f"the TensorFlow fixtures are not at {FIXTURES}; set REGISTRY_FIXTURES")
    return FIXTURES


def cli(reg, *args, check=True):
    """Runs the registry binary on ``reg``'s file, as a user would."""
    done = subprocess.run([reg.binary, args[0], "--registry", reg.path, *map(str, args[1:])],
                          capture_output=True, text=True, env=dict(os.environ, REGISTRY_NO_PROGRESS="1"))
    if check and done.returncode != 0:
        raise AssertionError(f"registry {' '.join(map(str, args))}: exit {done.returncode}\n{done.stderr}")
    return done
