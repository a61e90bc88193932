"""The README's examples are true: every command runs, shown output matches, the API example prints
what its comments say, and CI runs exactly the README's test command."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
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
            if line.startswith("$ ") and "pip install" not in line:
                commands.append(line[2:].split("  #")[0].strip())
    return commands


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding net.yaml = the README's spec-language example."""
    path = tmp_path_factory.mktemp("readme")
    example = BLOCK.search(_section("The spec language"))
    assert example is not None and example.group(1) == "yaml"
    (path / "net.yaml").write_text(example.group(2), encoding="utf-8")
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


def test_error_example_is_what_cnncalc_prints(tmp_path: Path) -> None:
    (body,) = [body for lang, body in BLOCKS if lang == "text" and body.startswith("error:")]
    shown = body.rstrip("\n").splitlines()
    line_no = int(shown[1].split("|")[0])
    offending = shown[1].split("| ", 1)[1]
    spec = [*["name: t", "input: [3, 8, 8]", "layers:", "  - relu"][: line_no - 1], offending]
    (tmp_path / "net.yaml").write_text("\n".join(spec) + "\n")
    result = _run("cnncalc summarize net.yaml", tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == shown


def test_python_example_prints_what_it_says() -> None:
    (code,) = [body for lang, body in BLOCKS if lang == "python"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    printed = out.getvalue().splitlines()
    expected = [line.split("#")[-1].strip() for line in code.splitlines() if line.startswith("print(")]
    assert printed == expected


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
