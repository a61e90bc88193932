"""What a run imports: start-up is paid on every file in CI loops and editors (issue 14). Times live in
benchmarks/bench.py; these tests pin the imports that make them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import cnncalc

from .conftest import ROOT

RUN_CLI = (
    "import json, sys\n"
    "from cnncalc.cli import main\n"
    "sys.argv = ['cnncalc', *json.loads(sys.argv[1])]\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
)


def _modules_after(code: str, *args: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(json.loads(proc.stderr.splitlines()[-1]))


def _cli_modules(*argv: str) -> set[str]:
    return _modules_after(RUN_CLI, json.dumps(argv))


def test_importing_cnncalc_loads_its_core_on_first_use() -> None:
    loaded = _modules_after("import sys, json, cnncalc; sys.stderr.write(json.dumps(sorted(sys.modules)))")
    # _startup: the Ctrl-C guard (issue 13), which imports only modules the interpreter has already loaded
    assert {m for m in loaded if m.startswith("cnncalc")} == {"cnncalc", "cnncalc._startup"}
    assert "typer" not in loaded and "rich" not in loaded and "yaml" not in loaded


def test_the_python_api_imports_no_cli_and_nothing_it_does_not_need() -> None:
    code = (
        "import sys, json, cnncalc; report = cnncalc.analyze(cnncalc.preset('googlenet'));"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))"
    )
    loaded = _modules_after(code)
    for heavy in ("typer", "rich", "click", "cnncalc.cli", "cnncalc.export", "importlib.resources", "difflib"):
        assert heavy not in loaded
    assert "fractions" not in loaded and "decimal" not in loaded  # imported when a field stops being whole


# the modules of cnncalc.cli every run may import: the guard around every run (closed pipes, full disks, Ctrl-C;
# issue 13), the helpers the commands share, and the command line typer does not parse (issue 14)
EVERY_RUN = {"cnncalc.cli.common", "cnncalc.cli.streams", "cnncalc.cli.fast"}
# what summarize, preset and check run on without typer: their options and what they do
WITHOUT_TYPER = {"cnncalc.cli.options", "cnncalc.cli.summary", "cnncalc.cli.checking"}
# through typer: its command group, with the table of commands, and its declarations of the shared options
WITH_TYPER = {"cnncalc.cli.group", "cnncalc.cli.json_errors", "cnncalc.cli.declare", *WITHOUT_TYPER}


@pytest.mark.parametrize(
    ("argv", "typer", "command"),
    [
        pytest.param(("preset", "alexnet", "--format", "json"), False, None, id="json"),
        pytest.param(("preset", "alexnet", "--format", "csv"), False, None, id="csv"),
        pytest.param(("summarize", "preset:lenet5", "-f", "json", "--batch", "4"), False, None, id="summarize-json"),
        pytest.param(("check", "specs", "-f", "github", "--max-params", "1G"), False, None, id="check-github"),
        pytest.param(("--version",), False, None, id="version"),
        pytest.param(("presets", "--format", "json"), True, "cnncalc.cli.summarize", id="presets-json"),
        pytest.param(("memory", "alexnet", "--format", "json"), True, "cnncalc.cli.memory", id="memory-json"),
    ],
)
def test_plain_output_imports_neither_rich_nor_other_commands(
    argv: tuple[str, ...], typer: bool, command: str | None
) -> None:
    loaded = _cli_modules(*argv)
    assert not {m for m in loaded if m == "rich" or m.startswith("rich.")}
    assert ("typer" in loaded) is typer
    cli = {m for m in loaded if m.startswith("cnncalc.cli.")} - EVERY_RUN
    assert cli <= (WITH_TYPER | {command} if typer else WITHOUT_TYPER)  # the command run, and no other


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_the_version_alone_is_printed_without_the_command_line_parser(flag: str) -> None:
    """typer and its click cost about 40 ms, eight times cnncalc's own start-up: ``--version`` needs neither."""
    loaded = _cli_modules(flag)
    assert "typer" not in loaded and "click" not in loaded and "cnncalc.cli.group" not in loaded
    fast = subprocess.run([sys.executable, "-m", "cnncalc", flag], capture_output=True, text=True, cwd=ROOT)
    # with another option the version is typer's eager --version: the same line
    parsed = subprocess.run(
        [sys.executable, "-m", "cnncalc", "--debug", flag], capture_output=True, text=True, cwd=ROOT
    )
    assert fast.returncode == parsed.returncode == 0
    assert fast.stdout == parsed.stdout == f"cnncalc {cnncalc.__version__}\n"


def test_the_table_imports_rich_when_it_is_drawn() -> None:
    """At a terminal (as rich is told by TTY_COMPATIBLE=1) the table is rich's; to a pipe it is plain text
    (tests/test_plain_table.py)."""
    env = {**os.environ, "TTY_COMPATIBLE": "1"}
    argv = json.dumps(["preset", "alexnet", "--format", "table"])
    proc = subprocess.run([sys.executable, "-c", RUN_CLI, argv], capture_output=True, text=True, cwd=ROOT, env=env)
    assert "rich" in json.loads(proc.stderr.splitlines()[-1])
    assert "rich" not in _cli_modules("preset", "alexnet", "--format", "table")


def test_an_unknown_command_still_gets_a_suggestion() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cnncalc", "presett", "alexnet"], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 2 and "Did you mean 'preset'" in proc.stderr


@pytest.mark.parametrize(
    ("argv", "status"),
    [(("preset", "lenet5", "-f", "json"), 0), (("preset", "lenet", "-f", "json"), 2), (("diff", "lenet5"), 2)],
)
def test_the_program_ends_with_main_s_status_and_all_its_output(argv: tuple[str, ...], status: int) -> None:
    """``python -m cnncalc`` ends without the interpreter's tear-down (cnncalc.cli.run): nothing written may be
    lost on the way, the JSON error included."""
    proc = subprocess.run([sys.executable, "-m", "cnncalc", *argv], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == status
    if argv[-1] == "json":
        assert json.loads(proc.stdout)["schema_version"] == 1
    assert (proc.stderr == "") is (status == 0)


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (2, 2), (256 + 3, 3)])
def test_exit_statuses_are_the_interpreter_s(code: object, status: int) -> None:
    from cnncalc.cli import _status

    assert _status(code) == status
