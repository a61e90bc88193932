"""The summary table written without rich to a file or a pipe (issue 14) is what rich prints there, character for
character; where the layout is rich's to decide (characters of other widths, a word wider than its column, a title
wider than the table, the chart) plain_table gives None and rich draws it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cnncalc
from cnncalc.cli.common import print_rich
from cnncalc.export.lowering import with_pytorch_notes
from cnncalc.loader import preset_names
from cnncalc.render.columns import View, choose
from cnncalc.render.plain_table import plain_output, plain_table
from cnncalc.render.table import render_table
from cnncalc.report import Report

from .conftest import ROOT
from .random_networks import network


class _File(io.StringIO):
    """Standard output redirected to a file: UTF-8, not a terminal."""

    encoding = "utf-8"

    def isatty(self) -> bool:
        return False


def _printed(renderable: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """What cnncalc's rich printing writes to a file."""
    out = _File()
    monkeypatch.setattr(sys, "stdout", out)
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    print_rich(renderable)
    monkeypatch.undo()
    return out.getvalue()


def _through_rich(report: Report, view: View, monkeypatch: pytest.MonkeyPatch) -> str:
    return _printed(render_table(report, view), monkeypatch)


def _report(spec: cnncalc.Spec, batch: int = 1) -> Report:
    return with_pytorch_notes(cnncalc.analyze(spec, batch=batch))  # as summarize shows it


VIEWS = {
    "default": View(),
    "depth 1, exact": View(1, True),
    "depth 0, receptive fields": View(0, False, choose("+rf,+jump,+centre")),
    "every figure": View(None, False, choose("+input,+memory,+activations,+flops,+weights,+biases")),
}


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("name", preset_names())
def test_every_preset_s_table_is_rich_s(name: str, view: str, monkeypatch: pytest.MonkeyPatch) -> None:
    report = _report(cnncalc.preset(name), batch=4 if view == "every figure" else 1)
    text = plain_table(report, VIEWS[view])
    assert text is not None  # none of these needs rich's layout: Details wraps as rich wraps it
    assert text == _through_rich(report, VIEWS[view], monkeypatch)


def test_a_title_wider_than_the_table_is_left_to_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    report = _report(cnncalc.preset("alexnet-torchvision"))  # rich wraps its title over two lines
    view = View(columns=choose("layer,output"))
    assert plain_table(report, view) is None
    assert _through_rich(report, view, monkeypatch).startswith("alexnet-torchvision:    \n3×224×224 → 1000  ")


MARKUP = ["net[bold]x", "a:smile:b", "c[red]", "[link=x]y"]  # rich would read these as markup or an emoji code in a str
WIDE = ["名前", "e\u0301", "wide\uff21"]  # not one cell per character


def _named(name: str) -> Report:
    layers = [{"conv": {"filters": 4, "kernel": 3, "name": name}}]
    return _report(cnncalc.from_dict({"name": name, "input": [3, 8, 8], "layers": layers}))


@pytest.mark.parametrize("name", MARKUP)
def test_names_are_printed_as_written_not_as_markup(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The name goes to the title, the Layer column and the peak's label: rich drew the title and the label
    as markup ("net[bold]x" as a bold "netx", ":smile:" as an emoji) until they were given as Text."""
    report = _named(name)
    drawn = _through_rich(report, View(), monkeypatch)
    assert drawn.startswith(f"{name}: 3×8×8 → 4×6×6") and f"(at {name})" in drawn
    assert plain_table(report, View()) == drawn


@pytest.mark.parametrize("name", WIDE)
def test_characters_of_other_widths_are_left_to_rich(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    report = _named(name)
    assert plain_table(report, View()) is None
    assert name in _through_rich(report, View(), monkeypatch)


@settings(max_examples=60, deadline=None)
@given(network(), st.sampled_from(list(VIEWS)))
def test_random_networks_print_as_rich_prints_them(spec: dict[str, Any], view: str) -> None:
    report = _report(cnncalc.from_dict(spec))
    text = plain_table(report, VIEWS[view])
    if text is not None:
        with pytest.MonkeyPatch.context() as monkeypatch:
            assert text == _through_rich(report, VIEWS[view], monkeypatch)


@pytest.mark.parametrize(
    ("environ", "encoding", "terminal", "plain"),
    [
        ({}, "utf-8", False, True),
        ({}, "utf-8", True, False),
        ({}, "ascii", False, False),  # rich draws ASCII boxes
        ({"FORCE_COLOR": "1"}, "utf-8", False, False),
        ({"FORCE_COLOR": ""}, "utf-8", False, True),  # empty: unset, as rich reads it
        ({"TTY_COMPATIBLE": "1"}, "utf-8", False, False),
        ({"TTY_COMPATIBLE": "0"}, "utf-8", True, True),
    ],
)
def test_plain_output_is_where_rich_prints_no_style(
    environ: dict[str, str], encoding: str, terminal: bool, plain: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)

    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return terminal

    stream = Stream()
    monkeypatch.setattr(Stream, "encoding", encoding, raising=False)
    assert plain_output(stream) is plain


def test_a_piped_table_does_not_import_rich() -> None:
    code = (
        "import sys\nfrom cnncalc.cli import main\nsys.argv = ['cnncalc', 'preset', 'googlenet']\n"
        "main()\nsys.stderr.write(str('rich' in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert proc.returncode == 0 and proc.stderr.endswith("False")
    assert proc.stdout.startswith("googlenet: 3×224×224 → 1000")


@pytest.mark.parametrize("verbose", [False, True])
@pytest.mark.parametrize(
    "flags",
    [
        {},  # every check holds, with warnings
        {"max_params": "1M", "expect": ["conv1.params=5"]},  # failures, and a layer name that is ambiguous
        {"max_macs": "1", "strict": True},
    ],
    ids=["pass", "fail", "strict"],
)
def test_check_s_table_is_rich_s(flags: dict[str, Any], verbose: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """``cnncalc check``'s table to a pipe is written as rich prints it."""
    from cnncalc.cli.checking import check_files
    from cnncalc.cli.options import CHECK_OPTIONS
    from cnncalc.render.check import plain_text
    from cnncalc.render.check import render_table as check_table

    values = {name: spec.default for name, spec in CHECK_OPTIONS.items()} | flags
    files = check_files([str(ROOT / "specs"), "no-such.yaml"], values)
    assert plain_text(files, verbose) == _printed(check_table(files, verbose), monkeypatch)


def test_the_narrow_symbols_are_one_cell_as_rich_measures_them() -> None:
    from rich.cells import cell_len

    from cnncalc.render.plain_table import NARROW

    assert {ch: cell_len(ch) for ch in NARROW} == dict.fromkeys(NARROW, 1)
