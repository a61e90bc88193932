"""The README's complete console examples print exactly what the README shows.

A ```console block qualifies when it holds one `$ cnncalc …` command followed by its whole output (no
`...` line); trailing spaces are ignored.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

import pytest

from .conftest import ROOT, Result

BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def examples() -> list[tuple[str, str]]:
    found = []
    for block in BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8")):
        lines = block.splitlines()
        commands = [line for line in lines if line.startswith("$ ")]
        if len(commands) != 1 or not lines[0].startswith("$ cnncalc ") or any(line == "..." for line in lines):
            continue
        found.append((lines[0][2:], "\n".join(lines[1:])))
    return found


def test_the_readme_has_complete_examples() -> None:
    assert len(examples()) >= 5


@pytest.mark.parametrize(("command", "expected"), examples(), ids=[command for command, _ in examples()])
def test_readme_example(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, command: str, expected: str
) -> None:
    monkeypatch.chdir(ROOT)  # the examples name files relative to the repository
    result = cli(*shlex.split(command)[1:])
    assert result.exit_code == 0, result
    assert [line.rstrip() for line in result.stdout.splitlines()] == expected.splitlines()


def test_readme_python_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python blocks run, and each print() prints what its comment begins with."""
    code = "\n".join(re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S))
    expected = [line.split("# ", 1)[1] for line in code.splitlines() if line.startswith("print(")]
    printed: list[str] = []
    monkeypatch.chdir(ROOT)
    exec(code, {"print": lambda *args: printed.append(" ".join(map(str, args)))})
    assert len(printed) == len(expected) >= 7
    for out, comment in zip(printed, expected, strict=True):
        assert comment.startswith(out), (out, comment)
