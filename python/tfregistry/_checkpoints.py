"""Pulling one checkpoint version into a temporary folder for TensorFlow to restore from."""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Iterator, Optional, Tuple

from .registry import Registry


@contextlib.contextmanager
def pulled_checkpoint(registry: Registry, ref: str) -> Iterator[Tuple[str, Optional[str]]]:
    """Pulls version ``ref`` into a temporary folder (removed afterwards) and yields its bundle
    prefix and its MetaGraphDef file: a checkpoint pushed from TensorFlow comes back under its
    own prefix with its ``.meta``; one trained by ``registry train`` (or any SavedModel) as
    ``variables/variables`` beside ``saved_model.pb``."""
    with tempfile.TemporaryDirectory(prefix="tfregistry-") as tmp:
        folder = os.path.join(tmp, "version")
        registry.pull(ref, folder)
        names = os.listdir(folder)
        indexes = sorted(n[: -len(".index")] for n in names if n.endswith(".index"))
        if indexes:
            prefix = os.path.join(folder, indexes[-1])
            meta = prefix + ".meta"
            yield prefix, meta if os.path.exists(meta) else None
        else:
            graph = os.path.join(folder, "saved_model.pb")
            yield os.path.join(folder, "variables", "variables"), graph if os.path.exists(graph) else None
