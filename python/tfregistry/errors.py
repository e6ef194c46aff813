"""Exceptions raised by :mod:`tfregistry`.

Every failure of the ``registry`` binary arrives as one JSON object on its stderr,
``{"error": {"code", "category", "message"}}``, and becomes a :class:`RegistryError` carrying
that stable ``code`` (``model_not_found``, ``checksum_mismatch``…) and ``message``. The
``category`` picks the subclass, so callers can catch a kind of failure without matching codes.
"""

from __future__ import annotations

import json
from typing import Optional, Sequence

__all__ = [
    "RegistryError",
    "NotFoundError",
    "AlreadyExistsError",
    "DamagedError",
    "UsageError",
    "BinaryNotFoundError",
]


class RegistryError(Exception):
    """A ``registry`` command failed.

    Attributes:
        code: the stable snake_case code of the failure (``version_not_found``).
        category: its kind: ``usage``, ``not_found``, ``already_exists``, ``damaged``,
            ``invalid_input``, ``unavailable``, ``environment`` or ``unsupported``.
        message: the one-line message, which says what to do next.
        status: the command's exit status (1, or 64 for usage errors).
        command: the command line that failed.
    """

    def __init__(self, code: str, message: str, *, category: str = "failed", status: int = 1,
                 command: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.category = category
        self.message = message
        self.status = status
        self.command = tuple(command)

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"


class NotFoundError(RegistryError):
    """A model, version, alias, tag set, tensor or file does not exist (category ``not_found``)."""


class AlreadyExistsError(RegistryError):
    """The target is already there, e.g. a folder to pull into (category ``already_exists``)."""


class DamagedError(RegistryError):
    """Bytes failed their checks: a damaged file, chunk or event record (category ``damaged``)."""


class UsageError(RegistryError):
    """The call's arguments are wrong: a bad name, reference or option (category ``usage``)."""


class BinaryNotFoundError(RegistryError):
    """No ``registry`` binary was found ($REGISTRY_BIN, PATH, or this checkout's build)."""


_BY_CATEGORY = {
    "not_found": NotFoundError,
    "already_exists": AlreadyExistsError,
    "damaged": DamagedError,
    "usage": UsageError,
}


def from_failure(stderr: str, status: int, command: Sequence[str]) -> RegistryError:
    """The exception for a failed command, from the JSON error on its stderr.

    Decoding is tolerant: unknown fields are ignored, and stderr that holds no JSON error (a
    crash, a binary too old to print one) still gives a :class:`RegistryError` with its text.
    """
    error = _json_error(stderr)
    if error is None:
        text = stderr.strip().splitlines()
        message = text[-1] if text else f"exit status {status}"
        if message.startswith("Error: "):
            message = message[len("Error: "):]
        category = "usage" if status == 64 else "failed"
        code = "usage" if status == 64 else "command_failed"
    else:
        code = str(error.get("code", "command_failed"))
        category = str(error.get("category", "failed"))
        message = str(error.get("message", stderr.strip()))
    cls = _BY_CATEGORY.get(category, RegistryError)
    return cls(code, message, category=category, status=status, command=command)


def _json_error(stderr: str) -> Optional[dict]:
    start = stderr.find("{")
    while start != -1:
        try:
            value, _ = json.JSONDecoder().raw_decode(stderr[start:])
        except ValueError:
            start = stderr.find("{", start + 1)
            continue
        if isinstance(value, dict) and isinstance(value.get("error"), dict):
            return value["error"]
        start = stderr.find("{", start + 1)
    return None
