"""Shared fixtures: CLI runner with a fixed terminal, spec files in tmp_path, and the Caffe references."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from cnncalc.cli import app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.register_profile("long", deadline=None, max_examples=20_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    def __repr__(self) -> str:
        return f"<Result {self.exit_code} stdout={self.stdout[:300]!r} stderr={self.stderr[:300]!r}>"


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run cnncalc in-process with a 200-column, colourless terminal."""

    def run(*args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        env = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb", "CNNCALC_DEBUG": ""}
        result = runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def spec_file(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write YAML text to a file in tmp_path and return its path."""

    def write(text: str, name: str = "net.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
