"""TensorFlow 1 graphs and sessions, saved into the registry instead of a folder.

The founding notebook's flow, unchanged but for these calls::

    saver = RegistrySaver(reg, "seed-run")                       # was tf.compat.v1.train.Saver()
    saver.save(sess, global_step=global_step)                    # every epoch
    ...
    with tf.compat.v1.Session(graph=tf.Graph()) as sess:
        saver = import_meta_graph(reg, "seed-run@latest")        # was import_meta_graph(latest + '.meta')
        saver.restore(sess)                                      # was saver.restore(sess, latest)
        train(sess, epochs)                                      # the same accuracy, then on
"""

from __future__ import annotations

import numbers
import os
import tempfile
import time
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence

import tensorflow as tf

from .._checkpoints import pulled_checkpoint
from ..errors import NotFoundError
from ..registry import Registry
from ..results import PushResult

__all__ = ["RegistrySaver", "import_meta_graph", "save_saved_model"]


class RegistrySaver:
    """``tf.compat.v1.train.Saver`` whose checkpoints are versions of a training run.

    ``save`` writes a checkpoint (with its ``.meta``) and pushes it as the run's next version,
    numbered by its global step; the registry then applies the Saver's retention, ``max_to_keep``
    and ``keep_checkpoint_every_n_hours`` (the keep clock starting when this saver is made, as
    with a Saver), so the run keeps the checkpoints a Saver would have left on disk.
    ``restore`` brings a version back into a session. Other keyword arguments (``var_list``,
    ``sharded``…) go to the underlying ``tf.compat.v1.train.Saver``.
    """

    def __init__(self, registry: Registry, run: str, max_to_keep: int = 5, keep_checkpoint_every_n_hours: float = 10000.0,
                 *, saver: Optional[tf.compat.v1.train.Saver] = None, restore_ref: Optional[str] = None, **saver_kwargs: Any) -> None:
        self.registry = registry
        self.run = run
        self.max_to_keep = max_to_keep
        self.keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        # The registry keeps the run's checkpoints; the Saver itself only writes one at a time.
        self.saver = saver if saver is not None else tf.compat.v1.train.Saver(max_to_keep=0, **saver_kwargs)
        self._restore_ref = restore_ref
        self._created = time.time()
        self._retention_sent = False
        self.last_checkpoint: Optional[PushResult] = None

    def save(self, sess: tf.compat.v1.Session, global_step: Any = None, *, metrics: Mapping[str, float] = {},
             write_meta_graph: bool = True) -> str:
        """Saves the session's variables as the run's next version and returns its reference
        (``RUN:N``). ``global_step`` is a number, or a variable or tensor to evaluate, as with
        ``Saver.save``; ``metrics`` are recorded with the version and the run's series."""
        step = None
        if global_step is not None:
            step = int(global_step) if isinstance(global_step, numbers.Integral) else int(tf.compat.v1.train.global_step(sess, global_step))
        saved_at = time.time()
        with tempfile.TemporaryDirectory(prefix="tfregistry-") as tmp:
            prefix = self.saver.save(sess, os.path.join(tmp, "model.ckpt"), global_step=step,
                                     write_meta_graph=write_meta_graph, write_state=False)
            retention: Dict[str, Any] = {} if self._retention_sent else {
                "max_to_keep": self.max_to_keep,
                "keep_checkpoint_every_n_hours": self.keep_checkpoint_every_n_hours,
                "retention_since": self._created,
            }
            result = self.registry.push_checkpoint(prefix, self.run, step=step, metrics=metrics, saved_at=saved_at, **retention)
        self._retention_sent = True
        self.last_checkpoint = result
        return result.ref

    def restore(self, sess: tf.compat.v1.Session, ref: Optional[str] = None) -> None:
        """Restores version ``ref`` (default: the one :func:`import_meta_graph` imported, else
        ``RUN@latest``) into ``sess``."""
        ref = ref or self._restore_ref or f"{self.run}@latest"
        with pulled_checkpoint(self.registry, ref) as (prefix, _):
            self.saver.restore(sess, prefix)

    def latest_checkpoint(self) -> Optional[str]:
        """The reference (``RUN:N``) of the run's latest checkpoint, or ``None`` if it has none,
        as ``tf.train.latest_checkpoint`` gives the newest prefix."""
        try:
            versions = self.registry.history(self.run)
        except NotFoundError:
            return None
        checkpoints = [v for v in versions if v.kind == "checkpoint"]
        return checkpoints[-1].ref if checkpoints else None


def import_meta_graph(registry: Registry, ref: str, *, max_to_keep: int = 5, keep_checkpoint_every_n_hours: float = 10000.0,
                      **kwargs: Any) -> RegistrySaver:
    """``tf.compat.v1.train.import_meta_graph`` of version ``ref``: its MetaGraphDef (the
    checkpoint's ``.meta``, or the ``{train}`` meta graph of a SavedModel or a run trained by
    ``registry train``) imported into the default graph, collections and all. Returns a
    :class:`RegistrySaver` around the imported Saver, whose ``restore(sess)`` restores ``ref``
    and whose ``save`` continues the run (``ref``'s model). Keyword arguments go to TensorFlow."""
    with pulled_checkpoint(registry, ref) as (prefix, graph_file):
        if graph_file is None:
            raise NotFoundError("meta_graph_not_found", f"{ref} holds no MetaGraphDef to import", category="not_found")
        meta_graph = _meta_graph(graph_file)
        saver = tf.compat.v1.train.import_meta_graph(meta_graph, **kwargs)
    resolved = registry.show(ref).summary
    return RegistrySaver(registry, resolved.model, max_to_keep, keep_checkpoint_every_n_hours, saver=saver,
                         restore_ref=resolved.ref)


def _meta_graph(path: str) -> Any:
    """The MetaGraphDef of a ``.meta`` file, or the ``{train}`` one (else the first) of a
    ``saved_model.pb``."""
    from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2

    with open(path, "rb") as file:
        data = file.read()
    if path.endswith(".meta"):
        meta = meta_graph_pb2.MetaGraphDef()
        meta.ParseFromString(data)
        return meta
    model = saved_model_pb2.SavedModel()
    model.ParseFromString(data)
    graphs = list(model.meta_graphs)
    train = [g for g in graphs if set(g.meta_info_def.tags) == {"train"}]
    return (train or graphs)[0]


def save_saved_model(sess: tf.compat.v1.Session, registry: Registry, name: str, tags: Sequence[str] = ("train",),
                     signature_def_map: Optional[Mapping[str, Any]] = None, *, parent: Optional[str] = None,
                     aliases: Iterable[str] = (), labels: Mapping[str, str] = {}, **builder_kwargs: Any) -> PushResult:
    """In place of ``tf.compat.v1.saved_model.Builder``: the session's graph and variables as
    a SavedModel (``add_meta_graph_and_variables(sess, tags, signature_def_map)``), pushed as the
    next version of ``name``. Other keyword arguments go to ``add_meta_graph_and_variables``."""
    with tempfile.TemporaryDirectory(prefix="tfregistry-") as tmp:
        folder = os.path.join(tmp, "saved_model")
        builder = tf.compat.v1.saved_model.Builder(folder)
        builder.add_meta_graph_and_variables(sess, list(tags), signature_def_map=dict(signature_def_map or {}), **builder_kwargs)
        builder.save()
        result = registry.push(folder, name, parent=parent, aliases=tuple(aliases), labels=labels)
    assert isinstance(result, PushResult)
    return result
