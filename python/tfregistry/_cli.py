"""Finding and running the ``registry`` binary."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Optional, Sequence

from .errors import BinaryNotFoundError, from_failure


def find_binary() -> str:
    """The ``registry`` binary: ``$REGISTRY_BIN``, else ``registry`` on ``PATH``, else the
    release (then debug) build of the checkout this package lives in."""
    override = os.environ.get("REGISTRY_BIN")
    if override:
        if not (os.path.isfile(override) and os.access(override, os.X_OK)):
            raise BinaryNotFoundError("binary_not_found", f"$REGISTRY_BIN is {override}, which is not an executable file",
                                      category="environment")
        return override
    found = shutil.which("registry")
    if found:
        return found
    checkout = Path(__file__).resolve().parents[2]
    for build in ("release", "debug"):
        candidate = checkout / ".build" / build / "registry"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BinaryNotFoundError(
        "binary_not_found",
        "no registry binary: set $REGISTRY_BIN, put registry on PATH, or build this checkout (make release)",
        category="environment")


class Runner:
    """Runs ``registry VERB …`` with JSON errors (``REGISTRY_ERROR_FORMAT=json``), no progress
    bars, and the registry given to it, from the folder it was made in."""

    def __init__(self, binary: str, registry_path: Optional[str], cwd: str) -> None:
        self.binary = binary
        self.registry_path = registry_path
        self.cwd = cwd

    def command(self, verb: str, args: Sequence[str]) -> list:
        head = [self.binary, verb]
        if self.registry_path is not None:
            head += ["--registry", self.registry_path]
        return head + [str(a) for a in args]

    def run(self, verb: str, *args: Any, allow: Sequence[int] = ()) -> str:
        """Runs the command and returns its stdout; raises the command's error on failure (an
        exit status in ``allow`` with output on stdout counts as an answer, as ``verify``'s 1)."""
        command = self.command(verb, args)
        env = dict(os.environ, REGISTRY_ERROR_FORMAT="json", REGISTRY_NO_PROGRESS="1")
        done = subprocess.run(command, cwd=self.cwd, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        stdout = done.stdout.decode("utf-8", "replace")
        if done.returncode != 0 and not (done.returncode in allow and stdout.strip()):
            raise from_failure(done.stderr.decode("utf-8", "replace"), done.returncode, command)
        return stdout

    def json(self, verb: str, *args: Any, allow: Sequence[int] = ()) -> Any:
        """Runs the command with ``--json`` and decodes its output."""
        return json.loads(self.run(verb, *args, "--json", allow=allow))
