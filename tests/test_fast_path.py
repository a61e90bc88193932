"""The command lines that run without typer (issue 14): ``summarize`` and ``preset`` parsed by cnncalc.cli.fast,
``--help`` from the pages typer printed. Whatever the fast parser accepts, typer must accept with the same values;
whatever it does not understand it leaves to typer, so the two cannot disagree."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnncalc.cli import checking, fast, help_pages, summary
from cnncalc.cli.group import make_app
from cnncalc.cli.help_text import HELP

from .conftest import ROOT


@contextlib.contextmanager
def _recording() -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    """Replace what summarize, preset and check do with a record of what they were given."""
    calls: list[tuple[str, tuple[Any, ...]]] = []
    saved = summary.summarize, summary.preset_command, checking.check_paths

    def recorder(command: str) -> Any:
        return lambda *args, **kwargs: calls.append((command, (*args, *kwargs.values())))

    summary.summarize, summary.preset_command = recorder("summarize"), recorder("preset")
    checking.check_paths = recorder("check")
    try:
        yield calls
    finally:
        summary.summarize, summary.preset_command, checking.check_paths = saved


def _through_typer(argv: list[str]) -> tuple[str, tuple[Any, ...]] | None:
    """What typer hands the command, or None when it refuses the command line."""
    app = make_app(["summarize", "preset", "check"])
    with _recording() as calls, contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            app(argv, prog_name="cnncalc", standalone_mode=False)
        except Exception:  # click's usage errors
            return None
    return calls[0] if calls else None


def _through_fast_path(argv: list[str]) -> tuple[str, tuple[Any, ...]] | None:
    with _recording() as calls:
        if not fast.run(argv):
            return None
    return calls[0]


ACCEPTED = [
    ["preset", "alexnet"],
    ["preset", "alexnet", "--format", "json"],
    ["preset", "alexnet", "-f", "json", "--batch", "8", "--dtype", "float16"],
    ["preset", "--format=csv", "resnet50", "--input", "3x160x160", "--convention", "torchinfo"],
    ["preset", "--list"],
    ["preset", "-l", "-f", "markdown"],
    ["preset", "resnet18", "--yaml"],
    ["preset", "googlenet", "--depth", "0", "--exact", "--chart", "--columns", "+rf,-details"],
    ["preset", "alexnet", "--batch", "1", "--batch", "2"],  # the last one wins, as in click
    ["summarize", "net.yaml"],
    ["summarize", "-", "--format", "json"],
    ["summarize", "preset:lenet5", "-d", "1", "-i", "1x28x28", "-b", "2147483647"],
    ["summarize", "net.yaml", "--input", "--depth"],  # a value that looks like an option is still the value
    ["check", "specs/"],
    ["check", "a.yaml", "b.yaml", "-", "--format", "github", "-v"],
    ["check", "net.yaml", "--max-params", "7M", "--output-shape", "1000", "--max-param-bytes=30MiB"],
    ["check", "net.yaml", "-e", "conv1.params=34944", "--expect", "stem.output-shape=16x32x32"],  # repeated
    ["check", "net.yaml", "--strict", "--no-strict"],  # the last one wins
    ["check", "net.yaml", "--no-strict", "-b", "32", "--dtype", "int8", "-f", "json"],
]
LEFT_TO_TYPER = [
    ["summarize"],  # missing argument: typer's message
    ["summarize", "a.yaml", "b.yaml"],
    ["preset", "alexnet", "--format", "jsn"],
    ["preset", "alexnet", "--batch", "0"],
    ["preset", "alexnet", "--batch", "2147483648"],
    ["preset", "alexnet", "--batch", "two"],
    ["preset", "alexnet", "--depth", "-1"],
    ["preset", "alexnet", "--dtype", "float8"],
    ["preset", "alexnet", "--exact=yes"],
    ["preset", "alexnet", "-fjson"],  # clustered: typer's parser
    ["preset", "alexnet", "--batch"],
    ["preset", "alexnet", "--frmat", "json"],
    ["preset", "--", "alexnet"],
    ["presets"],
    ["diff", "alexnet", "vgg16"],
    ["check"],
    ["check", "net.yaml", "--strict=yes"],
    ["check", "net.yaml", "--batch", "0"],
    ["check", "net.yaml", "--format", "markdown"],
    ["check", "net.yaml", "-vv"],
]


@pytest.mark.parametrize("argv", ACCEPTED, ids=" ".join)
def test_what_the_fast_path_runs_typer_runs_with_the_same_values(argv: list[str]) -> None:
    fast_call = _through_fast_path(argv)
    assert fast_call is not None
    assert fast_call == _through_typer(argv)


@pytest.mark.parametrize("argv", LEFT_TO_TYPER, ids=" ".join)
def test_what_the_fast_path_does_not_understand_is_left_to_typer(argv: list[str]) -> None:
    assert _through_fast_path(argv) is None


WORDS = st.sampled_from(
    [
        "preset", "summarize", "alexnet", "net.yaml", "-", "preset:lenet5", "--", "-x", "--help",
        "--format", "-f", "json", "csv", "table", "--format=json", "--format=xml", "-fjson",
        "--batch", "-b", "1", "0", "8", "-3", "1_0", " 4", "2147483648", "--batch=2",
        "--dtype", "float16", "int4", "--convention", "fvcore", "default", "--input", "-i", "3x32x32",
        "--depth", "-d", "--exact", "--exact=1", "--chart", "--columns", "+rf", "--list", "-l", "--yaml",
        "--max-params", "7M", "-e", "--expect", "conv1.params=5", "--strict", "--no-strict", "-v", "github",
    ]
)  # fmt: skip


@given(st.lists(WORDS, max_size=8), st.sampled_from(["preset", "summarize", "check"]))
def test_a_command_line_the_fast_path_accepts_typer_accepts_the_same_way(words: list[str], command: str) -> None:
    argv = [command, *words]
    fast_call = _through_fast_path(argv) if "--help" not in words else None
    if fast_call is not None:
        assert fast_call == _through_typer(argv)


def test_the_help_pages_are_typer_s() -> None:
    """src/cnncalc/cli/help_text.py is generated: regenerate it with the command in its docstring."""
    assert help_pages.pages() == HELP
    assert (ROOT / "src" / "cnncalc" / "cli" / "help_text.py").read_text(encoding="utf-8") == help_pages.module_text()


def _run(*argv: str, columns: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns)}
    code = (
        "import json, sys\nfrom cnncalc.cli import main\nsys.argv = ['cnncalc', *sys.argv[1:]]\n"
        "try:\n    main()\nfinally:\n    sys.stderr.write(json.dumps('typer' in sys.modules))\n"
    )
    return subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=ROOT, env=env)


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["preset", "--help"], ["summarize", "-h"], ["diff", "--help"]])
@pytest.mark.parametrize("columns", [80, 132])
def test_help_at_80_columns_or_more_is_printed_without_typer(argv: list[str], columns: int) -> None:
    proc = _run(*argv, columns=columns)
    key = "" if argv[0].startswith("-") else argv[0]
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, HELP[key], "false")


def test_help_narrower_than_80_columns_is_typer_s() -> None:
    proc = _run("preset", "--help", columns=60)
    assert proc.returncode == 0 and proc.stderr == "true"
    assert proc.stdout != HELP["preset"] and proc.stdout.startswith("Usage: cnncalc preset [OPTIONS] [name]")
    assert "  -i, --input <str>               Override the input\n" in proc.stdout  # wrapped for 60 columns


def test_a_spec_error_on_the_fast_path_is_the_usual_error() -> None:
    proc = _run("preset", "alexnt", "--format", "json", columns=80)
    assert proc.returncode == 2
    assert '"exit_code": 2' in proc.stdout and "alexnet" in proc.stderr and proc.stderr.endswith("false")


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "specs", "--expect", "conv1", "-f{}"],  # not LAYER.KEY=VALUE: a usage error, as JSON too
        ["check", "specs", "--max-params", "lots", "-f{}"],
        ["check", "specs/small-resnet.yaml", "--max-params", "1", "-f{}"],  # a check fails: exit 1
        ["preset", "alexnt", "-f{}"],
        ["summarize", "no-such.yaml", "-f{}"],
        ["preset", "alexnet", "--columns", "rf", "-f{}"],  # --columns with JSON: refused; with the table, shown
    ],
    ids=lambda argv: " ".join(argv[:3]),
)
@pytest.mark.parametrize("fmt", ["json", "table"])
def test_errors_are_the_same_on_both_paths(argv: list[str], fmt: str) -> None:
    """``-f json`` is the fast path's; ``-fjson`` (clustered) is left to typer: the same output and exit status."""
    fast_argv = [*argv[:-1], "-f", fmt]
    typer_argv = [*argv[:-1], argv[-1].format(fmt)]
    assert fast.parse(fast_argv[0], fast_argv[1:]) is not None and fast.parse(typer_argv[0], typer_argv[1:]) is None
    runs = [
        subprocess.run([sys.executable, "-m", "cnncalc", *a], capture_output=True, text=True, cwd=ROOT)
        for a in (fast_argv, typer_argv)
    ]
    assert (runs[0].returncode, runs[0].stdout, runs[0].stderr) == (runs[1].returncode, runs[1].stdout, runs[1].stderr)
    if fmt == "json" and runs[0].returncode == 2:
        assert json.loads(runs[0].stdout)["exit_code"] == 2  # the error as JSON, on either path
