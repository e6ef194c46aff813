"""Typed results of :class:`tfregistry.Registry`, decoded from the ``registry`` binary's
``--json`` output.

Decoding is tolerant: fields the binary adds later are ignored, and fields it leaves out
(optional ones like ``parent`` or ``metrics``) take their default. Field names are the JSON
names in snake_case (``tagSets`` is ``tag_sets``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Type, TypeVar

__all__ = [
    "StoreStatistics", "PushResult", "PullResult", "VersionSummary", "SignatureTensor", "Signature",
    "CollectionInfo", "MetaGraphInfo", "TensorInfo", "FileInfo", "VersionDetail", "TensorChange",
    "TensorDiff", "GCReport", "VerifyProblem", "VerifyReport", "TensorRead",
]

T = TypeVar("T")


def _camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def decode(cls: Type[T], data: Mapping[str, Any]) -> T:
    """An instance of dataclass ``cls`` from a JSON object: each field from its camelCase key
    (or ``metadata["json"]``), converted by ``metadata["decode"]``; unknown keys are ignored."""
    values: Dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        key = f.metadata.get("json", _camel(f.name))
        if key not in data:
            continue
        raw = data[key]
        convert: Optional[Callable[[Any], Any]] = f.metadata.get("decode")
        values[f.name] = convert(raw) if convert is not None and raw is not None else raw
    return cls(**values)


def _list_of(cls: Type[T]) -> Callable[[Any], Tuple[T, ...]]:
    return lambda items: tuple(decode(cls, item) for item in items)


def _one(cls: Type[T]) -> Callable[[Any], T]:
    return lambda item: decode(cls, item)


def _tuple(items: Any) -> Tuple[Any, ...]:
    return tuple(items)


def _shape(dims: Any) -> Optional[Tuple[int, ...]]:
    return None if dims is None else tuple(int(d) for d in dims)


def _date(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _floats(values: Mapping[str, Any]) -> Dict[str, float]:
    return {str(k): float(v) for k, v in values.items()}


@dataclass(frozen=True)
class StoreStatistics:
    """What a push stored: raw bytes, bytes new to the registry, bytes deduplicated, chunks."""
    raw_bytes: int = 0
    stored_bytes: int = 0
    dedup_bytes: int = 0
    new_chunks: int = 0
    reused_chunks: int = 0
    delta_chunks: int = 0


@dataclass(frozen=True)
class PushResult:
    """One version a push created; ``deleted``/``preserved`` are the run's versions its
    retention deleted or kept for good."""
    model: str = ""
    version: int = 0
    tensors: int = 0
    files: int = 0
    statistics: StoreStatistics = field(default_factory=StoreStatistics, metadata={"decode": _one(StoreStatistics)})
    deleted: Tuple[int, ...] = field(default=(), metadata={"decode": _tuple})
    preserved: Tuple[int, ...] = field(default=(), metadata={"decode": _tuple})

    @property
    def ref(self) -> str:
        """``MODEL:N``, the reference of this version."""
        return f"{self.model}:{self.version}"


@dataclass(frozen=True)
class PullResult:
    """What a pull wrote: the folder, its size, and the meta graphs' tag sets."""
    model: str = ""
    version: int = 0
    path: str = ""
    bytes: int = 0
    tag_sets: Tuple[str, ...] = field(default=(), metadata={"decode": _tuple})


@dataclass(frozen=True)
class VersionSummary:
    """One version as ``ls`` and ``history`` list it."""
    model: str = ""
    version: int = 0
    created_at: Optional[datetime] = field(default=None, metadata={"decode": _date})
    kind: str = ""
    tag_sets: Tuple[str, ...] = field(default=(), metadata={"decode": _tuple})
    labels: Dict[str, str] = field(default_factory=dict)
    aliases: Tuple[str, ...] = field(default=(), metadata={"decode": _tuple})
    tensors: int = 0
    tensor_bytes: int = 0
    source: Optional[str] = None
    parent: Optional[str] = None
    run: Optional[str] = None
    global_step: Optional[int] = None
    metrics: Dict[str, float] = field(default_factory=dict, metadata={"decode": _floats})

    @property
    def ref(self) -> str:
        """``MODEL:N``, the reference of this version."""
        return f"{self.model}:{self.version}"


@dataclass(frozen=True)
class SignatureTensor:
    """A signature's input or output: key, graph tensor name, dtype and shape (-1: unknown)."""
    key: str = ""
    name: str = ""
    dtype: str = ""
    shape: Optional[Tuple[int, ...]] = field(default=None, metadata={"decode": _shape})


@dataclass(frozen=True)
class Signature:
    key: str = ""
    method: str = ""
    inputs: Tuple[SignatureTensor, ...] = field(default=(), metadata={"decode": _list_of(SignatureTensor)})
    outputs: Tuple[SignatureTensor, ...] = field(default=(), metadata={"decode": _list_of(SignatureTensor)})


@dataclass(frozen=True)
class CollectionInfo:
    key: str = ""
    kind: str = ""
    size: int = 0


@dataclass(frozen=True)
class MetaGraphInfo:
    """A MetaGraphDef: its tags, signatures and collections."""
    tags: Tuple[str, ...] = field(default=(), metadata={"decode": _tuple})
    signatures: Tuple[Signature, ...] = field(default=(), metadata={"decode": _list_of(Signature)})
    collections: Tuple[CollectionInfo, ...] = field(default=(), metadata={"decode": _list_of(CollectionInfo)})


@dataclass(frozen=True)
class TensorInfo:
    """A stored tensor: name, TensorFlow dtype name, shape, bytes and shard."""
    name: str = ""
    dtype: str = ""
    shape: Tuple[int, ...] = field(default=(), metadata={"decode": _shape})
    bytes: int = 0
    shard: int = 0


@dataclass(frozen=True)
class FileInfo:
    path: str = ""
    bytes: int = 0


@dataclass(frozen=True)
class VersionDetail:
    """Everything ``show`` tells about a version. ``digest`` is ``sha256:…`` over everything its
    export is made of (what :meth:`Registry.load` keys its cache by)."""
    summary: VersionSummary = field(default_factory=VersionSummary, metadata={"decode": _one(VersionSummary)})
    meta_graphs: Tuple[MetaGraphInfo, ...] = field(default=(), metadata={"decode": _list_of(MetaGraphInfo)})
    tensors: Tuple[TensorInfo, ...] = field(default=(), metadata={"decode": _list_of(TensorInfo)})
    files: Tuple[FileInfo, ...] = field(default=(), metadata={"decode": _list_of(FileInfo)})
    lineage: Tuple[str, ...] = field(default=(), metadata={"decode": _tuple})
    digest: str = ""


@dataclass(frozen=True)
class TensorChange:
    """A tensor that differs between two versions (``before``/``after`` describe it)."""
    name: str = ""
    before: str = ""
    after: str = ""
    max_abs_difference: Optional[float] = None


@dataclass(frozen=True)
class TensorDiff:
    """``diff A B``: tensors added, removed and changed; ``from_ref``/``to_ref`` name A and B."""
    from_ref: str = field(default="", metadata={"json": "from"})
    to_ref: str = field(default="", metadata={"json": "to"})
    added: Tuple[TensorInfo, ...] = field(default=(), metadata={"decode": _list_of(TensorInfo)})
    removed: Tuple[TensorInfo, ...] = field(default=(), metadata={"decode": _list_of(TensorInfo)})
    changed: Tuple[TensorChange, ...] = field(default=(), metadata={"decode": _list_of(TensorChange)})
    unchanged: int = 0


@dataclass(frozen=True)
class GCReport:
    contents_removed: int = 0
    chunks_removed: int = 0
    bytes_freed: int = 0
    file_bytes_before: int = 0
    file_bytes_after: int = 0


@dataclass(frozen=True)
class VerifyProblem:
    model: str = ""
    version: int = 0
    item: str = ""
    detail: str = ""


@dataclass(frozen=True)
class VerifyReport:
    """What ``verify`` checked; ``problems`` is empty when everything is intact."""
    versions: int = 0
    tensors: int = 0
    files: int = 0
    chunks: int = 0
    bytes: int = 0
    problems: Tuple[VerifyProblem, ...] = field(default=(), metadata={"decode": _list_of(VerifyProblem)})

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class TensorRead:
    """What ``cat -o FILE`` wrote: the tensor's TensorFlow dtype and shape, and the numpy type
    of the ``.npy``."""
    model: str = ""
    version: int = 0
    tensor: str = ""
    dtype: str = ""
    shape: Tuple[int, ...] = field(default=(), metadata={"decode": _shape})
    format: str = ""
    npy_descr: Optional[str] = None
    bytes: int = 0
    path: Optional[str] = None
