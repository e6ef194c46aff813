"""The per-user cache of versions exported for :meth:`tfregistry.Registry.load`."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path
from typing import Callable, Iterable, Optional


def default_folder() -> Path:
    """``$XDG_CACHE_HOME/tfregistry``, else ``~/.cache/tfregistry``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tfregistry"


class ExportCache:
    """Exported versions keyed by their content: an entry's name is a hash of the version's
    ``digest`` (which ``show`` computes over everything its export is made of) and the tag sets
    kept, so a version is exported once however it is named, and never served stale. Entries
    are written aside and renamed into place, so concurrent loads never see half of one. The
    cache is bounded: after each new entry the least recently used ones go until the total is
    at most ``max_bytes`` (the entry just made stays, whatever its size)."""

    def __init__(self, folder: Optional[os.PathLike] = None, max_bytes: int = 2 << 30) -> None:
        self.folder = Path(folder) if folder is not None else default_folder()
        self.max_bytes = max_bytes

    @staticmethod
    def key(digest: str, tags: Optional[Iterable[str]]) -> str:
        kept = "*" if tags is None else ",".join(sorted(set(tags)))
        return hashlib.sha256(f"{digest}\n{kept}".encode()).hexdigest()[:40]

    def get(self, key: str, export: Callable[[str], None]) -> Path:
        """The entry ``key``, made by ``export(folder)`` (which must create ``folder``) when it is
        not there yet; using it marks it recently used."""
        entry = self.folder / key
        if not entry.is_dir():
            self.folder.mkdir(parents=True, exist_ok=True)
            staging = self.folder / f".{key}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
            try:
                export(str(staging))
                try:
                    os.rename(staging, entry)
                except OSError:
                    if not entry.is_dir():
                        raise
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            self._evict(keep=entry)
        os.utime(entry)
        return entry

    def clear(self) -> int:
        """Removes every entry (and what interrupted exports left); returns how many entries."""
        if not self.folder.is_dir():
            return 0
        removed = 0
        for path in self.folder.iterdir():
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
                removed += 0 if path.name.startswith(".") else 1
        return removed

    def entries(self) -> list:
        """The entries, least recently used first, as (path, bytes)."""
        if not self.folder.is_dir():
            return []
        found = [p for p in self.folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
        found.sort(key=lambda p: p.stat().st_mtime)
        return [(p, _size(p)) for p in found]

    def _evict(self, keep: Path) -> None:
        entries = self.entries()
        total = sum(size for _, size in entries)
        for path, size in entries:
            if total <= self.max_bytes:
                break
            if path != keep:
                shutil.rmtree(path, ignore_errors=True)
                total -= size


def _size(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total
