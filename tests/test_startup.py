"""What a run imports: start-up is paid on every file in CI loops and editors (issue 14). Times live in
benchmarks/bench.py; these tests pin the imports that make them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(("preset", "alexnet", "--format", "json"), id="json"),
        pytest.param(("preset", "alexnet", "--format", "csv"), id="csv"),
        pytest.param(("--version",), id="version"),
        pytest.param(("presets", "--format", "json"), id="presets-json"),
    ],
)
def test_plain_output_imports_neither_rich_nor_other_commands(argv: tuple[str, ...]) -> None:
    loaded = _cli_modules(*argv)
    assert not {m for m in loaded if m == "rich" or m.startswith("rich.")}
    commands = {m for m in loaded if m.startswith("cnncalc.cli.")} - {
        "cnncalc.cli.common",
        "cnncalc.cli.json_errors",
        "cnncalc.cli.streams",  # the guard around every run: closed pipes, full disks, Ctrl-C (issue 13)
    }
    assert commands <= {"cnncalc.cli.summarize"}  # the command run, and no other


def test_the_table_imports_rich_when_it_is_drawn() -> None:
    assert "rich" in _cli_modules("preset", "alexnet", "--format", "table")


def test_an_unknown_command_still_gets_a_suggestion() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cnncalc", "presett", "alexnet"], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 2 and "Did you mean 'preset'" in proc.stderr
