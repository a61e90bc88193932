"""A reader that stops early (``cnncalc … | head -3``) ends every command quietly with exit 0, the
documented behaviour (``cnncalc --help``, README "Exit codes"), tested through a real pipe (issue 9)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# 800 rows: every format is far larger than a pipe's buffer (64 KiB on Linux), so the writer meets the
# closed pipe for certain
SPEC = (
    "input: [4, 8, 8]\nlayers:\n  - repeat: {times: 400, layers: [conv: {filters: 4, kernel: 3, padding: 1}, relu]}\n"
)


@pytest.mark.parametrize("fmt", ["json", "table", "csv"])
def test_a_closed_pipe_ends_quietly_with_exit_0(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(SPEC, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cnncalc", "summarize", str(path), "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"COLUMNS": "100", "NO_COLOR": "1", "PATH": "", "PYTHONPATH": ":".join(sys.path)},
    )
    assert proc.stdout is not None and proc.stderr is not None
    head = proc.stdout.readline()  # what `head -1` reads, then it exits
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, stderr
    assert head
    assert stderr == ""
