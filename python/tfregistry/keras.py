"""Keras: a callback that saves a training run into the registry as it trains.

>>> from tfregistry.keras import RegistryCheckpoint
>>> model.fit(x, y, epochs=3, callbacks=[RegistryCheckpoint(reg, "mnist-run", export_to="mnist")])
>>> RegistryCheckpoint.restore(reg, "mnist-run@latest", model)     # resume exactly
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from typing import Any, Mapping, Optional, Union

import keras
import tensorflow as tf

from ._checkpoints import pulled_checkpoint
from .registry import Registry
from .results import PushResult

__all__ = ["RegistryCheckpoint"]


class RegistryCheckpoint(keras.callbacks.Callback):
    """Writes a ``tf.train.Checkpoint(model=…, optimizer=…)`` at each save and pushes it into
    ``run`` as its next version, with the global step (the optimizer's iterations) and every
    number in Keras' ``logs`` as metrics, which also join the run's series for
    ``registry history RUN --plot``.

    Args:
        registry: the :class:`~tfregistry.Registry`.
        run: the training run's name.
        save_every: ``"epoch"`` (at the end of each epoch) or a number of steps (batches).
        max_to_keep: the run's ``tf.train.Saver`` retention: checkpoints kept (0 keeps all).
        keep_checkpoint_every_n_hours: keep one checkpoint for good every this many hours
            (``None``: never), the clock starting when this callback is made.
        export_to: at the end of training, push ``model.export(...)`` as a SavedModel version
            of this model, its parent the last checkpoint, so lineage ties the served model to
            the checkpoint it came from.

    After training, ``last_checkpoint`` and ``exported`` hold the last push results.
    """

    def __init__(self, registry: Registry, run: str, *, save_every: Union[str, int] = "epoch", max_to_keep: int = 5,
                 keep_checkpoint_every_n_hours: Optional[float] = None, export_to: Optional[str] = None) -> None:
        super().__init__()
        if save_every != "epoch" and not (isinstance(save_every, int) and save_every > 0):
            raise ValueError(f"save_every is 'epoch' or a positive number of steps, not {save_every!r}")
        self.registry = registry
        self.run = run
        self.save_every = save_every
        self.max_to_keep = max_to_keep
        self.keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self.export_to = export_to
        self.last_checkpoint: Optional[PushResult] = None
        self.exported: Optional[PushResult] = None
        self._created = time.time()
        self._retention_sent = False

    def on_epoch_end(self, epoch: int, logs: Optional[Mapping[str, Any]] = None) -> None:
        if self.save_every == "epoch":
            self.save(logs)

    def on_train_batch_end(self, batch: int, logs: Optional[Mapping[str, Any]] = None) -> None:
        if self.save_every != "epoch" and self._step() % int(self.save_every) == 0:
            self.save(logs)

    def on_train_end(self, logs: Optional[Mapping[str, Any]] = None) -> None:
        if self.export_to is None:
            return
        with tempfile.TemporaryDirectory(prefix="tfregistry-") as tmp:
            folder = os.path.join(tmp, "export")
            self.model.export(folder, format="tf_saved_model", verbose=False)
            parent = self.last_checkpoint.ref if self.last_checkpoint else None
            result = self.registry.push(folder, self.export_to, parent=parent)
        assert isinstance(result, PushResult)
        self.exported = result

    def save(self, logs: Optional[Mapping[str, Any]] = None) -> PushResult:
        """Saves the model and optimizer now and pushes them as the run's next version."""
        step = self._step()
        with tempfile.TemporaryDirectory(prefix="tfregistry-") as tmp:
            prefix = _checkpoint(self.model).write(os.path.join(tmp, f"ckpt-{step}"))
            retention = {} if self._retention_sent else {
                "max_to_keep": self.max_to_keep,
                "keep_checkpoint_every_n_hours": self.keep_checkpoint_every_n_hours or 10000.0,
                "retention_since": self._created,
            }
            result = self.registry.push_checkpoint(prefix, self.run, step=step, metrics=_numbers(logs), **retention)
        self._retention_sent = True
        self.last_checkpoint = result
        return result

    def _step(self) -> int:
        return int(self.model.optimizer.iterations.numpy())

    @staticmethod
    def restore(registry: Registry, ref: str, model: keras.Model) -> None:
        """Brings the weights and optimizer state of checkpoint ``ref`` (``"run@latest"``,
        ``"run:7"``) back into ``model`` (built and compiled like the one that was saved), so that
        ``model.fit(..., initial_epoch=…)`` continues exactly where the run stopped."""
        if not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        with pulled_checkpoint(registry, ref) as (prefix, _):
            _checkpoint(model).read(prefix).assert_existing_objects_matched()


def _checkpoint(model: keras.Model) -> tf.train.Checkpoint:
    return tf.train.Checkpoint(model=model, optimizer=model.optimizer)


def _numbers(logs: Optional[Mapping[str, Any]]) -> dict:
    numbers = {}
    for key, value in (logs or {}).items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            numbers[key] = number
    return numbers
