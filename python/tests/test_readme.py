"""Every example of the README's "From Python" section, run as a reader would run it: the
``python`` blocks in order in one fresh interpreter, from a folder beside ``../shared`` (the
fixtures), each block's printed output compared with the ``text`` block that follows it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import CHECKOUT, FIXTURES


def examples():
    readme = (CHECKOUT / "README.md").read_text()
    section = readme.split("\n## From Python\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(\w+)\n(.*?)```", section, re.S)
    pairs = []
    for index, (kind, body) in enumerate(blocks):
        if kind == "python":
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            pairs.append((body, following[1] if following and following[0] == "text" else None))
    return pairs


def test_every_from_python_example_runs_and_prints_what_the_readme_shows(tmp_path):
    pairs = examples()
    assert len(pairs) >= 4
    marker = "\n@@@ example {} @@@\n"
    script = "".join(f"print({marker.format(i)!r}, end='', flush=True)\n{code}\n" for i, (code, _) in enumerate(pairs))
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "shared").mkdir()
    os.symlink(FIXTURES.parent, tmp_path / "shared" / "fixtures")
    done = subprocess.run([sys.executable, "-c", script], cwd=work, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONHASHSEED="0"))
    assert done.returncode == 0, done.stderr[-4000:]
    printed = done.stdout.split("\n@@@ example ")[1:]
    assert len(printed) == len(pairs)
    for index, ((code, expected), output) in enumerate(zip(pairs, printed)):
        output = output.split(" @@@\n", 1)[1]
        if expected is not None:
            assert output == expected, f"example {index}:\n{code}\nprinted:\n{output}\nthe README shows:\n{expected}"
