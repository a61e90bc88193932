"""docs/import.md's console examples run, in a folder holding tests/fixtures' Caffe and Darknet files,
and print exactly what the page shows (standard output, then standard error)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import FIXTURES, ROOT
from .torch_support import need

PAGE = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
CONSOLE = re.findall(r"```console\n(.*?)```", PAGE, re.S)
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}


def examples() -> list[tuple[str, list[str]]]:
    """(command, the lines shown after it) for every ``$ cnncalc …`` line, in page order."""
    found: list[tuple[str, list[str]]] = []
    for block in CONSOLE:
        for line in block.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], []))
            else:
                found[-1][1].append(line)
    return found


def test_the_page_has_examples() -> None:
    assert len(examples()) >= 4


def test_examples_print_what_the_page_shows(tmp_path: Path) -> None:
    need("google.protobuf")
    shutil.copytree(FIXTURES / "caffe", tmp_path / "caffe")
    shutil.copytree(FIXTURES / "darknet", tmp_path / "darknet")
    bindir = Path(sys.executable).parent
    env = {**ENV, "PATH": f"{bindir}{os.pathsep}{ENV.get('PATH', '')}"}
    for command, shown in examples():
        assert command.startswith("cnncalc ")
        run = command.replace("cnncalc ", f"{shlex.quote(sys.executable)} -m cnncalc ", 1)
        result = subprocess.run(run, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert (result.stdout + result.stderr).splitlines() == shown, command
