"""tfregistry: Python access to ``registry``, the embedded model registry for TensorFlow.

>>> from tfregistry import Registry
>>> reg = Registry("models.db")
>>> reg.push("export/", "classifier", labels={"data": "2024-06"})
>>> reg.tensor("classifier", "dense/kernel")          # one tensor, as numpy
>>> model = reg.load("classifier@prod")               # tf.saved_model.load, cached

``tfregistry.keras.RegistryCheckpoint`` saves a Keras run into the registry as it trains;
``tfregistry.compat.v1`` has ``RegistrySaver``, ``import_meta_graph`` and ``save_saved_model``
for TensorFlow 1 graphs. Every failure is a :class:`RegistryError` with the binary's code.
"""

from .errors import AlreadyExistsError, BinaryNotFoundError, DamagedError, NotFoundError, RegistryError, UsageError
from .registry import Registry
from .results import (GCReport, MetaGraphInfo, PullResult, PushResult, Signature, SignatureTensor, StoreStatistics,
                      TensorDiff, TensorInfo, VerifyReport, VersionDetail, VersionSummary)

__version__ = "0.1.0"

__all__ = [
    "Registry", "RegistryError", "NotFoundError", "AlreadyExistsError", "DamagedError", "UsageError",
    "BinaryNotFoundError", "PushResult", "PullResult", "VersionSummary", "VersionDetail", "MetaGraphInfo",
    "Signature", "SignatureTensor", "TensorInfo", "TensorDiff", "GCReport", "VerifyReport", "StoreStatistics",
]
