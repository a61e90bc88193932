"""The command line: every command, format and exit code, through typer's runner and a real process."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import cnncalc

from .conftest import Result

Cli = Callable[..., Result]
SPEC = """\
name: tiny
input: [3, 32, 32]
layers:
  - conv: {filters: 8, kernel: 3, padding: 1}
  - relu
  - maxpool: {kernel: 2}
  - fc: {units: 10}
"""


def test_summarize_table(cli: Cli, spec_file: Callable[..., Path]) -> None:
    result = cli("summarize", str(spec_file(SPEC)))
    assert result.exit_code == 0, result
    assert "tiny: 3×32×32 → 10" in result.stdout
    assert "8 filters of 3×3×3, pad 1" in result.stdout
    # 8·3·3·3 + 8 = 224 conv params, 8·16·16·10 + 10 = 20,490 fc params
    assert "Parameters (trainable) 20,714 (20.71K)" in " ".join(result.stdout.split())
    assert "FLOPs = 2 × MACs" in result.stdout
    assert result.stderr == ""


def test_summarize_stdin(cli: Cli) -> None:
    result = cli("summarize", "-", "--format", "json", input=SPEC)
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["totals"]["params"] == (8 * 3 * 3 * 3 + 8) + (8 * 16 * 16 * 10 + 10)


def test_json_matches_the_api(cli: Cli) -> None:
    result = cli("preset", "googlenet", "--format", "json")
    assert json.loads(result.stdout) == cnncalc.analyze(cnncalc.preset("googlenet")).to_dict()


def test_csv(cli: Cli) -> None:
    result = cli("preset", "alexnet", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 23
    assert rows[0]["name"] == "conv1" and rows[0]["output_shape"] == "96x55x55"
    assert sum(int(r["params"]) for r in rows) == 60_965_224  # bvlc_alexnet, see test_presets


def test_csv_folded(cli: Cli) -> None:
    rows = list(csv.DictReader(io.StringIO(cli("preset", "googlenet", "-f", "csv", "--depth", "0").stdout)))
    kinds = {r["name"]: r["kind"] for r in rows}
    assert kinds["inception_3a"] == "module" and kinds["conv1"] == "layer"
    assert sum(int(r["macs"]) for r in rows) == cnncalc.analyze(cnncalc.preset("googlenet")).totals.macs


def test_markdown(cli: Cli) -> None:
    out = cli("preset", "seed-example", "--format", "markdown").stdout
    assert out.startswith("## seed-example\n")
    assert "| conv2 | conv | 64×28×28 | 64 filters of 5×5×32, pad 2 | 51.26K | 40.14M | 99.4% |" in out
    assert "| Parameters (trainable) | 51,584 (51.58K) |" in out


def test_exact_and_depth(cli: Cli) -> None:
    out = cli("preset", "googlenet", "--exact", "--depth", "0").stdout
    assert "inception_3a" in out and "inception_3a/b1" not in out and "1x1" not in out
    assert "163,696" in out  # inception_3a's parameters, folded into one row (see test_presets)


def test_batch_and_dtype(cli: Cli) -> None:
    data = json.loads(cli("preset", "seed-example", "-f", "json", "--batch", "4", "--dtype", "float16").stdout)
    assert data["batch"] == 4 and data["dtype"] == "float16"
    assert data["totals"]["macs"] == 4 * (32 * 3 * 3 * 28 * 28 + 64 * 5 * 5 * 32 * 28 * 28)
    assert data["totals"]["param_bytes"] == 2 * (320 + 51_264)


def test_input_override_and_warning(cli: Cli) -> None:
    result = cli("preset", "alexnet", "--input", "3x224x224")
    assert result.exit_code == 0
    # warnings go to stderr: the table on stdout stays clean (issue 9)
    assert "warning: conv1: no window reads the last row and the last column" in result.stderr
    assert "warning" not in result.stdout


@pytest.mark.parametrize("text", ["3x224x224", "3,224,224", "[3, 224, 224]", "3×224×224"])
def test_input_spellings(cli: Cli, text: str) -> None:
    data = json.loads(cli("preset", "alexnet", "-f", "json", "--input", text).stdout)
    assert data["input_shape"] == [3, 224, 224]


def test_preset_list_and_yaml(cli: Cli) -> None:
    listing = cli("preset", "--list").stdout
    for name in cnncalc.preset_names():
        assert name in listing
    assert "BVLC Caffe" in listing
    assert cli("presets", "-f", "json").stdout == cli("preset", "--list", "-f", "json").stdout
    assert cli("preset", "googlenet", "--yaml").stdout == cnncalc.preset_text("googlenet")


def test_version(cli: Cli) -> None:
    assert cli("--version").stdout == f"cnncalc {cnncalc.__version__}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["summarize", "absent.yaml"], "error: absent.yaml: no such file", id="missing-file"),
        pytest.param(
            ["preset", "alexnt"], "error: unknown preset 'alexnt'\n  hint: did you mean 'alexnet'?", id="preset"
        ),
        pytest.param(["preset"], "error: name a preset, or use --list", id="no-preset"),
        pytest.param(["preset", "alexnet", "--input", "abc"], "--input 'abc' is not a shape", id="input-abc"),
        pytest.param(["preset", "alexnet", "--input", "0x224x224"], "every size must be at least 1", id="input-zero"),
        pytest.param(["preset", "alexnet", "--input", "3x224"], "has 2 dimensions but alexnet takes 3", id="rank"),
        pytest.param(["preset", "alexnet", "--format", "xml"], "'xml' is not one of", id="format"),
        pytest.param(["preset", "alexnet", "--batch", "0"], "Invalid value for '--batch'", id="batch-zero"),
        pytest.param(["preset", "alexnet", "--frobnicate"], "No such option: --frobnicate", id="unknown-option"),
        pytest.param(["summarise", "x.yaml"], "No such command 'summarise'", id="unknown-command"),
    ],
)
def test_usage_errors_exit_2(cli: Cli, args: list[str], message: str) -> None:
    result = cli(*args)
    assert result.exit_code == 2, result
    assert message in " ".join(result.stderr.split()) or message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_invalid_spec_exits_2_with_location(cli: Cli, spec_file: Callable[..., Path]) -> None:
    path = spec_file(SPEC.replace("kernel: 3,", "kernel: 0,"))
    result = cli("summarize", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[:3] == [
        f"error: {path}:4:32: conv1: kernel: must be positive, got 0",
        "    4 |   - conv: {filters: 8, kernel: 0, padding: 1}",
        "      |                                ^",
    ]


def test_debug_shows_the_traceback(cli: Cli, spec_file: Callable[..., Path]) -> None:
    path = spec_file(SPEC.replace("filters: 8", "filters: 0"))
    with pytest.raises(cnncalc.SpecError):
        cli("--debug", "summarize", str(path))


def _cnncalc() -> list[str]:
    return [sys.executable, "-m", "cnncalc"]


def test_python_dash_m_and_pipes(tmp_path: Path) -> None:
    result = subprocess.run([*_cnncalc(), "preset", "alexnet"], capture_output=True, text=True, check=True)
    # piped output is not wrapped: every table row is on one line
    assert any(
        line.startswith("│ conv2 ") and "256 filters of 5×5×48 (2 groups), pad 2" in line
        for line in result.stdout.splitlines()
    )
    bad = subprocess.run([*_cnncalc(), "summarize", str(tmp_path / "x.yaml")], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr


def test_help_documents_exit_codes(cli: Cli) -> None:
    out = " ".join(cli("--help").stdout.split())
    assert "Exit codes: 0 success; 2 invalid spec, invalid option or missing file; 3 internal error (a bug)." in out


@pytest.mark.parametrize("command", ["summarize", "explain", "memory", "export", "sweep"])
def test_every_spec_argument_takes_a_preset_name(cli: Cli, command: str) -> None:
    result = cli(command, "seed-example")
    assert result.exit_code == 0, result
    assert cli(command, "preset:seed-example").stdout == result.stdout


def test_a_file_wins_over_a_preset_of_the_same_name(
    cli: Cli, spec_file: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = spec_file(SPEC, name="alexnet")
    monkeypatch.chdir(path.parent)
    assert json.loads(cli("summarize", "alexnet", "-f", "json").stdout)["name"] == "tiny"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        pytest.param("alexnt", "error: unknown preset 'alexnt'\n  hint: did you mean 'alexnet'?", id="preset-typo"),
        pytest.param("nets/absent.yaml", "error: nets/absent.yaml: no such file", id="missing-file"),
        pytest.param("preset:vgg17", "error: unknown preset 'vgg17'", id="prefixed-typo"),
    ],
)
def test_spec_argument_errors(cli: Cli, ref: str, message: str) -> None:
    result = cli("summarize", ref)
    assert result.exit_code == 2 and result.stderr.startswith(message)
