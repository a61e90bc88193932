"""The README's examples are true: every command runs, shown output matches, the API example prints
what its comments say, and CI runs exactly the README's test command."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)
BLOCKS = [(lang, body) for lang, body in BLOCK.findall(README)]
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else None]


def _commands() -> list[str]:
    commands = []
    for lang, body in BLOCKS:
        if lang != "console":
            continue
        for line in body.splitlines():
            command = line[2:].split("  #")[0].strip()
            # cnncalc's own commands; installs and developer commands (pytest runs) are not examples to run
            if line.startswith("$ ") and command.startswith(("cnncalc ", "python -m cnncalc")):
                commands.append(command)
    return commands


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding net.yaml = the README's spec-language example, and a copy of specs/."""
    path = tmp_path_factory.mktemp("readme")
    example = BLOCK.search(_section("The spec language"))
    assert example is not None and example.group(1) == "yaml"
    (path / "net.yaml").write_text(example.group(2), encoding="utf-8")
    shutil.copytree(ROOT / "specs", path / "specs")  # examples may name the repository's example specs
    return path


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    bindir = Path(sys.executable).parent
    env = {**ENV, "PATH": f"{bindir}{os.pathsep}{ENV.get('PATH', '')}"}
    command = command.replace("python -m", f"{shlex.quote(sys.executable)} -m")
    return subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("command", _commands())
def test_command_runs(command: str, workdir: Path) -> None:
    result = _run(command, workdir)
    assert result.returncode == 0, result.stderr
    if ">" in command:  # the output went to a file
        target = workdir / command.rsplit(">", 1)[1].strip()
        assert target.read_text()
    else:
        assert result.stdout


def test_first_example_output_matches() -> None:
    lang, body = BLOCKS[0]
    lines = body.splitlines()
    assert lang == "console" and lines[0] == "$ cnncalc preset seed-example"
    shown = lines[1 : lines.index("...")]
    actual = [line.rstrip() for line in _run("cnncalc preset seed-example", ROOT).stdout.splitlines()]
    for line in shown:
        assert line.rstrip() in actual


def _complete_examples() -> list[tuple[str, str]]:
    """Console blocks holding one `$ cnncalc …` command followed by its whole output (no `...` line)."""
    found = []
    for lang, body in BLOCKS:
        lines = body.splitlines()
        commands = [line for line in lines if line.startswith("$ ")]
        if lang != "console" or len(commands) != 1 or not lines[0].startswith("$ cnncalc ") or "..." in lines:
            continue
        found.append((lines[0][2:], "\n".join(lines[1:])))
    return found


def test_the_readme_has_complete_examples() -> None:
    assert len(_complete_examples()) >= 5


@pytest.mark.parametrize(("command", "expected"), _complete_examples(), ids=[c for c, _ in _complete_examples()])
def test_complete_example_prints_what_the_readme_shows(command: str, expected: str, workdir: Path) -> None:
    result = _run(command, workdir)
    assert result.returncode == 0, result.stderr
    assert [line.rstrip() for line in result.stdout.splitlines()] == expected.splitlines()


def test_python_examples_print_what_they_say(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python blocks run, and each print() prints what its comment begins with."""
    code = "\n".join(body for lang, body in BLOCKS if lang == "python")
    expected = [line.split("# ", 1)[1] for line in code.splitlines() if line.startswith("print(")]
    printed: list[str] = []
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {"print": lambda *args: printed.append(" ".join(map(str, args)))})
    assert len(printed) == len(expected) >= 3
    for out, comment in zip(printed, expected, strict=True):
        assert comment.startswith(out), (out, comment)


def test_ci_runs_the_readme_test_command() -> None:
    setup = _section("Set-up")
    commands = [line[2:] for lang, body in BLOCK.findall(setup) for line in body.splitlines() if line.startswith("$ ")]
    assert commands == ["pip install -e . && cnncalc preset alexnet", "pip install -e '.[test]' && pytest"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "\n" + commands[1] + "\n" in ci


def test_every_layer_kind_and_argument_is_documented() -> None:
    from cnncalc.layers import REGISTRY

    reference = _section("The spec language")
    for kind, cls in REGISTRY.items():
        assert f"`{kind}`" in reference, kind
        for name, _, _ in cls.arg_infos():
            assert f"`{name}`" in reference, f"{kind}.{name}"
        for alias in cls.aliases:
            assert f"`{alias}`" in reference, alias
