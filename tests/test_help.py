"""Every command's --help ends with real examples, and every example runs (issue 9); help is never cut at
80 columns; check's --expect takes a KEY with - or _."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.cli import EXAMPLES, app

from .conftest import ROOT, Result

COMMANDS = sorted(EXAMPLES)


def help_text(command: str, width: int = 80) -> str:
    env = {"COLUMNS": str(width), "NO_COLOR": "1", "TERM": "dumb"}
    result = CliRunner().invoke(app, [command, "--help"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.stdout
    return result.stdout


def examples_in(text: str) -> list[str]:
    """The command lines after ``Examples:``, which end the help."""
    assert "Examples:" in text, text
    tail = text.rsplit("Examples:", 1)[1]
    return [line.strip() for line in tail.splitlines() if line.strip()]


def test_every_command_has_examples() -> None:
    registered = {c.name for c in app.registered_commands}
    assert registered == set(EXAMPLES)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_ends_with_examples_and_is_never_cut(command: str) -> None:
    text = help_text(command)
    found = examples_in(text)
    assert found == list(EXAMPLES[command]) and 1 <= len(found) <= 2
    assert all(line.startswith(f"cnncalc {command} ") for line in found)
    assert text.split() == help_text(command, 200).split()  # the same words at 80 columns as at 200: none cut


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """net.yaml (the small ResNet of specs/) and a copy of specs/, as the examples name them."""
    path = tmp_path_factory.mktemp("examples")
    shutil.copy(ROOT / "specs" / "small-resnet.yaml", path / "net.yaml")
    shutil.copytree(ROOT / "specs", path / "specs")
    shutil.copy(ROOT / "tests" / "fixtures" / "darknet" / "yolov3-tiny.cfg", path)
    return path


@pytest.mark.parametrize(
    "example",
    [line for c in COMMANDS for line in EXAMPLES[c]],
    ids=[f"{c}-{i}" for c in COMMANDS for i, _ in enumerate(EXAMPLES[c])],
)
def test_every_example_runs(example: str, workdir: Path) -> None:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    command = example.replace("cnncalc ", f"{shlex.quote(sys.executable)} -m cnncalc ", 1)
    result = subprocess.run(command, shell=True, cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (example, result.stderr)
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("key", ["max-params", "max_params"])
def test_expect_takes_a_key_written_either_way(cli: Callable[..., Result], key: str) -> None:
    spec = str(ROOT / "specs" / "small-resnet.yaml")
    # stem: a 3×3 conv from 3 to 16 channels without bias, 3·3·3·16 = 432 parameters
    passed = cli("check", spec, "--expect", f"stem.{key}=432")
    assert passed.exit_code == 0, passed
    failed = cli("check", spec, "--expect", f"stem.{key}=431")
    assert failed.exit_code == 1, failed


def test_shell_completion_is_offered_and_completes_commands() -> None:
    # typer's own completion (issue 9); it adds no import at start-up: typer.main imports typer.completion anyway
    root = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "100"}).stdout
    assert "--install-completion" in root and "--show-completion" in root
    env = {**os.environ, "_CNNCALC_COMPLETE": "complete_bash", "COMP_WORDS": "cnncalc su", "COMP_CWORD": "1"}
    result = subprocess.run([sys.executable, "-m", "cnncalc"], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["summarize"], result


def test_check_help_gives_each_option_one_example() -> None:
    flat = " ".join(help_text("check").split())
    options = re.split(r" (?=-[-a-z])", flat.split("Options:", 1)[1].split("Examples:", 1)[0])
    assert all(option.count("e.g.") <= 1 for option in options), options
    assert "e.g. conv1.params=34944" in flat
