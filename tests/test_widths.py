"""Tables at 60, 80, 100 and 200 columns never cut a name or a figure (issue 9): Details wraps or is left
out first, then other optional columns, and a column left out is said once below the table.

The CLI runs as in a terminal of that width (FORCE_COLOR makes rich treat the runner as one; NO_COLOR keeps
colours out, the remaining escapes are stripped).
"""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

import cnncalc
from cnncalc.cli import app

from .conftest import ROOT

WIDTHS = (60, 80, 100, 200)
ESCAPE = re.compile(r"\x1b\[[0-9;]*m")

GOOGLENET = cnncalc.analyze(cnncalc.preset("googlenet"))
ALEXNET = cnncalc.analyze(cnncalc.preset("alexnet"))
CASES = {
    # every layer's own name and, with --exact, every parameter count in full
    "summarize": (
        ["preset", "alexnet", "--exact"],
        [row.name for row in ALEXNET.layers] + [f"{row.params:,}" for row in ALEXNET.layers if row.params],
    ),
    # the deepest names of GoogLeNet, indented three levels
    "summarize-nested": (["preset", "googlenet"], [row.name.rsplit("/", 1)[-1] for row in GOOGLENET.layers]),
    # conv1: 11·11·3·96 + 96 = 34,944 params (Caffe's AlexNet) → 11·11·3·64 + 64 = 23,296 (torchvision's)
    "diff": (["diff", "alexnet", "alexnet-torchvision"], ["conv1", "34,944", "23,296", "105,415,200", "70,276,800"]),
    "check": (["check", "specs"], ["specs/c3d-video.yaml", "specs/raw-audio-m5.yaml", "4 passed, 0 failed"]),
    # seed-example at width 2: conv1 1→64 filters, conv2 64→128: 3·3·1·64 + 64 + 5·5·64·128 + 128 = 205,632
    "sweep": (["sweep", "seed-example", "--width", "0.5,1,2"], ["1×28×28", "51.58K", "×2.00"]),
    "memory": (["memory", "googlenet"], ["27,994,208", "Gradients", "Optimizer state (adam)"]),
    "presets": (["presets"], [*cnncalc.preset_names(), "60,965,224", "6,998,552"]),
}


def run_at(width: int, args: list[str]) -> str:
    env = {"COLUMNS": str(width), "LINES": "50", "FORCE_COLOR": "1", "NO_COLOR": "1", "TERM": "xterm"}
    result = CliRunner().invoke(app, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    return ESCAPE.sub("", result.stdout)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("case", list(CASES))
def test_nothing_is_cut(case: str, width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # check names the files as given: specs/…
    args, expected = CASES[case]
    out = run_at(width, args)
    assert "…" not in out, out
    too_wide = [line for line in out.splitlines() if cell_len(line) > width]
    assert not too_wide, "\n".join(too_wide)
    missing = [token for token in expected if token not in out]
    assert not missing, (missing, out)
    # each table says once what it left out
    notes = re.findall(r"Not shown at \d+ columns: ([^(]*)", " ".join(out.split()))
    assert len(notes) == len(set(notes)) and (not notes or width < 200), notes


def test_details_wrap_before_they_are_left_out() -> None:
    at_80 = run_at(80, ["preset", "alexnet"])
    assert "Details" in at_80 and "Not shown" not in at_80
    at_60 = run_at(60, ["preset", "alexnet"])
    assert "Details" not in at_60.split("Not shown")[0]
    assert "Not shown at 60 columns: Details" in " ".join(at_60.split())


def test_an_expanded_block_shows_its_subtotal() -> None:
    # inception_3a's row heads its branches, with their sums as --depth 0 would show them (dimmed)
    row = GOOGLENET.find("inception_3a")
    assert row is not None
    line = next(line for line in run_at(200, ["preset", "googlenet"]).splitlines() if "│ inception_3a " in line)
    assert "163.70K" in line and f"{row.params / 1000:.2f}K" in line  # 163,696 params (Szegedy et al., table 1)
