"""The :class:`Registry`: the ``registry`` verbs as Python methods."""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import numpy as np

from . import _cache, _numpy
from ._cli import Runner, find_binary
from .results import (GCReport, PullResult, PushResult, TensorDiff, TensorRead, VerifyReport, VersionDetail,
                      VersionSummary, decode)

__all__ = ["Registry"]

PathLike = Union[str, "os.PathLike[str]"]


class Registry:
    """A registry file, driven through the ``registry`` binary (never opened from Python).

    Args:
        path: the registry file. ``None`` leaves finding it to the binary, exactly as the CLI
            finds it (``$REGISTRY_PATH``, else ``./.registry/registry.db``), from the folder
            this object was made in.
        binary: the ``registry`` executable (default: ``$REGISTRY_BIN``, else ``PATH``, else
            the checkout's own build).
        cache_dir: where :meth:`load` keeps exported versions (default:
            ``$XDG_CACHE_HOME/tfregistry``, else ``~/.cache/tfregistry``).
        cache_max_bytes: the cache's bound; least recently used versions go first.

    Relative folder arguments are taken from the current folder at each call.
    """

    def __init__(self, path: Optional[PathLike] = None, *, binary: Optional[str] = None,
                 cache_dir: Optional[PathLike] = None, cache_max_bytes: int = 2 << 30) -> None:
        self.path = os.path.abspath(os.fspath(path)) if path is not None else None
        self.binary = binary or find_binary()
        self._runner = Runner(self.binary, self.path, os.getcwd())
        self._cache = _cache.ExportCache(cache_dir, cache_max_bytes)

    def __repr__(self) -> str:
        return f"Registry({self.path!r})"

    # -- the verbs ---------------------------------------------------------------------------

    def push(self, folder: PathLike, name: str, *, aliases: Sequence[str] = (), labels: Mapping[str, str] = {},
             metrics: Mapping[str, float] = {}, step: Optional[int] = None, parent: Optional[str] = None,
             events: Optional[PathLike] = None) -> Union[PushResult, List[PushResult]]:
        """Imports ``folder`` as the next version of ``name``, in one transaction.

        ``folder`` is a SavedModel folder (one :class:`PushResult`), a folder of
        ``tf.train.Saver`` checkpoints, or one checkpoint's prefix (``DIR/model.ckpt-40``): a
        list of :class:`PushResult`, one per checkpoint, each the child of the one before and
        the first the child of the run's latest version; the run's retention then applies.
        ``metrics`` and ``step`` describe the pushed version (with a step, the metrics also join
        the run's series, which ``history --plot`` draws). ``events`` is a TensorBoard log
        folder whose scalars join the series; each new checkpoint gets their values at its step.
        """
        args: List[Any] = [_path(folder), name]
        args += _repeat("--alias", aliases)
        args += _repeat("--label", (f"{k}={v}" for k, v in labels.items()))
        args += _repeat("--metric", (f"{k}={_number(v)}" for k, v in metrics.items()))
        if step is not None:
            args += ["--step", int(step)]
        if parent is not None:
            args += ["--parent", parent]
        if events is not None:
            args += ["--events", _path(events)]
        return self._push(args)

    def pull(self, ref: str, folder: PathLike, *, tags: Optional[Union[str, Sequence[str]]] = None,
             checkpoint: bool = False, force: bool = False) -> PullResult:
        """Writes version ``ref`` (``NAME``, ``NAME:N``, ``NAME@ALIAS``) into ``folder``, which
        must not exist (unless ``force``): byte-identical to what was pushed, or with ``tags``
        (``"serve"``, ``("serve", "gpu")``) only that meta graph; ``checkpoint=True`` writes the
        run up to ``ref`` as a ``tf.train.Saver`` folder."""
        args: List[Any] = [ref, "-o", _path(folder)]
        if tags is not None:
            args += ["--tags", _tag_set(tags)]
        if checkpoint:
            args.append("--checkpoint")
        if force:
            args.append("--force")
        return decode(PullResult, self._runner.json("pull", *args))

    def ls(self, *, tag: Optional[str] = None, tags: Optional[Union[str, Sequence[str]]] = None,
           signature: Optional[str] = None, labels: Mapping[str, str] = {}, model: Optional[str] = None,
           latest: bool = False) -> List[VersionSummary]:
        """Versions matching every filter given: a meta graph tagged ``tag``, one of exactly the
        tag set ``tags``, a signature key, labels, a model; ``latest`` keeps each model's latest."""
        args: List[Any] = []
        if tag is not None:
            args += ["--tag", tag]
        if tags is not None:
            args += ["--tags", _tag_set(tags)]
        if signature is not None:
            args += ["--signature", signature]
        args += _repeat("--label", (f"{k}={v}" for k, v in labels.items()))
        if model is not None:
            args += ["--model", model]
        if latest:
            args.append("--latest")
        return [decode(VersionSummary, item) for item in self._runner.json("ls", *args)]

    def show(self, ref: str) -> VersionDetail:
        """Everything about one version: meta graphs, signatures, tensors, files, lineage, digest."""
        return decode(VersionDetail, self._runner.json("show", ref))

    def history(self, name: str) -> List[VersionSummary]:
        """Every version of a model or training run, oldest first, with steps and metrics."""
        return [decode(VersionSummary, item) for item in self._runner.json("history", name)]

    def diff(self, a: str, b: str) -> TensorDiff:
        """Tensors added, removed and changed from version ``a`` to version ``b``."""
        return decode(TensorDiff, self._runner.json("diff", a, b))

    def alias(self, ref: str, version: Optional[int]) -> None:
        """Points alias ``ref`` (``NAME@ALIAS``) at version number ``version``; ``None`` deletes it."""
        if version is None:
            self._runner.run("alias", ref, "--delete")
        else:
            self._runner.run("alias", ref, int(version))

    def rm(self, ref: str, *, all: bool = False) -> None:
        """Deletes version ``ref`` (``NAME:N`` or ``NAME@ALIAS``), or with ``all=True`` the model
        ``ref`` and every version of it; :meth:`gc` then frees the bytes."""
        self._runner.run("rm", ref, *(["--all"] if all else []))

    def gc(self) -> GCReport:
        """Drops the chunks no version refers to and shrinks the file."""
        return decode(GCReport, self._runner.json("gc"))

    def verify(self, ref: Optional[str] = None) -> VerifyReport:
        """Re-reads every chunk (of ``ref``, or of every version) against its hash and every
        tensor against its crc32c; damage is reported in ``problems``, not raised."""
        return decode(VerifyReport, self._runner.json("verify", *([ref] if ref else []), allow=(1,)))

    # -- reading tensors and models ----------------------------------------------------------

    def tensor(self, ref: str, name: str) -> np.ndarray:
        """One tensor of version ``ref`` as a numpy array, without exporting the version (only
        its chunks are read). Partitioned tensors come assembled; string tensors as object
        arrays of ``bytes``, as TensorFlow returns them; bfloat16, the float8 types, int4 and the
        like as ``ml_dtypes`` arrays when ``ml_dtypes`` is installed (TensorFlow brings it);
        quantized types (qint8…) as their plain integers."""
        with tempfile.TemporaryDirectory(prefix="tfregistry-") as tmp:
            target = os.path.join(tmp, "tensor.npy")
            read = decode(TensorRead, self._runner.json("cat", ref, name, "--npy", "-o", target))
            array = np.load(target, allow_pickle=False)
        return _numpy.from_npy(array, read.dtype)

    def tensors(self, ref: str, names: Optional[Iterable[str]] = None) -> Dict[str, np.ndarray]:
        """Several tensors of version ``ref`` by name, read in one pass, as :meth:`tensor` gives
        each; without ``names``, every tensor as TensorFlow's checkpoint reader lists them
        (partitioned tensors whole, not their slices)."""
        chosen = None if names is None else list(names)
        if chosen == []:
            return {}
        with tempfile.TemporaryDirectory(prefix="tfregistry-") as tmp:
            folder = os.path.join(tmp, "tensors")
            args = ["--all"] if chosen is None else chosen
            reads = [decode(TensorRead, item) for item in self._runner.json("cat", ref, *args, "--npy", "-o", folder)]
            return {read.tensor: _numpy.from_npy(np.load(read.path, allow_pickle=False), read.dtype) for read in reads}

    def load(self, ref: str, tags: Optional[Union[str, Sequence[str]]] = ("serve",)) -> Any:
        """What ``tf.saved_model.load`` returns for version ``ref`` with the meta graph ``tags``
        (``None``: all of them, TensorFlow picks). The export comes from a per-user cache keyed
        by the version's content: a second load of the same version does not export again."""
        import tensorflow as tf

        detail = self.show(ref)
        pinned = f"{detail.summary.model}:{detail.summary.version}"
        kept = None if tags is None else ([tags] if isinstance(tags, str) else list(tags))
        key = self._cache.key(detail.digest, kept)
        folder = self._cache.get(key, lambda staging: self.pull(pinned, staging, tags=kept))
        return tf.saved_model.load(str(folder), tags=kept)

    def cache_clear(self) -> int:
        """Empties :meth:`load`'s cache; returns how many exported versions it removed."""
        return self._cache.clear()

    @property
    def cache_dir(self) -> str:
        """The folder :meth:`load` caches exported versions in."""
        return str(self._cache.folder)

    # -- for the Keras and TF1 integrations ----------------------------------------------------

    def push_checkpoint(self, prefix: PathLike, run: str, *, step: Optional[int] = None,
                        metrics: Mapping[str, float] = {}, max_to_keep: Optional[int] = None,
                        keep_checkpoint_every_n_hours: Optional[float] = None, retention_since: Optional[float] = None,
                        saved_at: Optional[float] = None) -> PushResult:
        """Pushes one checkpoint (its prefix, as ``Saver.save`` returns it) as the next version
        of ``run``. ``max_to_keep``/``keep_checkpoint_every_n_hours`` (re)start the run's Saver
        retention as constructing a Saver does, its keep clock from ``retention_since``;
        ``saved_at`` (default now) is what retention compares with the keep time."""
        args: List[Any] = [_path(prefix), run]
        if step is not None:
            args += ["--step", int(step)]
        args += _repeat("--metric", (f"{k}={_number(v)}" for k, v in metrics.items()))
        if max_to_keep is not None or keep_checkpoint_every_n_hours is not None:
            args += ["--max-to-keep", int(max_to_keep if max_to_keep is not None else 5)]
            args += ["--keep-every-hours", repr(float(keep_checkpoint_every_n_hours or 10000.0))]
            if retention_since is not None:
                args += ["--retention-since", repr(float(retention_since))]
        args += ["--saved-at", repr(float(saved_at if saved_at is not None else time.time()))]
        results = self._push(args)
        assert isinstance(results, list) and len(results) == 1
        return results[0]

    def _push(self, args: Sequence[Any]) -> Union[PushResult, List[PushResult]]:
        answer = self._runner.json("push", *args)
        if isinstance(answer, list):
            return [decode(PushResult, item) for item in answer]
        return decode(PushResult, answer)


def _path(path: PathLike) -> str:
    return os.path.abspath(os.fspath(path))


def _repeat(option: str, values: Iterable[Any]) -> List[Any]:
    out: List[Any] = []
    for value in values:
        out += [option, value]
    return out


def _tag_set(tags: Union[str, Sequence[str]]) -> str:
    return tags if isinstance(tags, str) else ",".join(tags)


def _number(value: Any) -> str:
    return repr(float(value))
