"""Rows of unknown cost (``opaque``, what ``import --allow-unknown`` writes): every output of summarize,
check and diff says how many there are, once, because the MACs and FLOPs totals are then lower bounds
(issue 11: "every output then says how many rows have unknown cost")."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import cnncalc

SPEC = """\
name: partly_known
input: [3, 8, 8]
layers:
  - conv: {name: conv, filters: 4, kernel: 3, padding: 1}
  - opaque: {name: norm, op: InstanceNormalization, output_shape: [4, 8, 8], params: 8}
  - opaque: {name: odd, op: Einsum, output_shape: [4, 8, 8]}
  - relu
"""
KNOWN = SPEC.replace(
    "  - opaque: {name: norm, op: InstanceNormalization, output_shape: [4, 8, 8], params: 8}\n", ""
).replace("  - opaque: {name: odd, op: Einsum, output_shape: [4, 8, 8]}\n", "")
NOTE = "2 rows have unknown cost: MACs and FLOPs are lower bounds"
LABEL = "Rows of unknown cost (MACs and FLOPs are lower bounds)"


def test_the_report_counts_rows_of_unknown_cost() -> None:
    report = cnncalc.analyze(cnncalc.loads(SPEC))
    assert report.totals.unknown_cost_rows == 2
    assert report.totals.unknown_cost_note == NOTE
    assert report.totals.macs == 3 * 3 * 3 * 4 * 8 * 8  # the conv's: the two opaque rows count 0
    assert [row.unknown_cost for row in report.layers] == [False, True, True, False]
    data = report.to_dict()
    assert data["totals"]["unknown_cost_rows"] == 2
    assert [row["unknown_cost"] for row in data["layers"]] == [False, True, True, False]
    known = cnncalc.analyze(cnncalc.loads(KNOWN))
    assert (known.totals.unknown_cost_rows, known.totals.unknown_cost_note) == (0, "")
    assert known.to_dict()["totals"]["unknown_cost_rows"] == 0


@pytest.mark.parametrize(
    ("fmt", "line"),
    [
        pytest.param("table", f"{LABEL}  2", id="table"),
        pytest.param("markdown", f"| {LABEL} | 2 |", id="markdown"),
    ],
)
def test_summarize_says_it_once(cli, spec_file: Callable[[str, str], Path], fmt: str, line: str) -> None:  # type: ignore[no-untyped-def]
    path = str(spec_file(SPEC, "partly.yaml"))
    out = cli("summarize", path, "--format", fmt).stdout
    assert out.count("unknown cost (MACs") == 1
    assert " ".join(line.split()) in " ".join(out.split())
    known = cli("summarize", str(spec_file(KNOWN, "known.yaml")), "--format", fmt).stdout
    assert "unknown cost" not in known


def test_summarize_json(cli, spec_file: Callable[[str, str], Path]) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(cli("summarize", str(spec_file(SPEC, "partly.yaml")), "--format", "json").stdout)
    assert data["totals"]["unknown_cost_rows"] == 2


@pytest.mark.parametrize("fmt", ["table", "github", "json"])
def test_check_says_it(cli, spec_file: Callable[[str, str], Path], fmt: str) -> None:  # type: ignore[no-untyped-def]
    path = str(spec_file(SPEC, "partly.yaml"))
    result = cli("check", path, "--max-macs", "1K", "--format", fmt)
    assert result.exit_code == 1  # 6,912 MACs known, and more unknown: over 1K either way
    if fmt == "json":
        assert json.loads(result.stdout)["files"][0]["totals"]["unknown_cost_rows"] == 2
    else:
        assert result.stdout.count(NOTE) == 1
    passed = cli("check", path, "--max-params", "1M", "--format", fmt)
    assert passed.exit_code == 0
    if fmt != "json":
        assert f"2 warnings; {NOTE}" in passed.stdout  # each opaque row also carries its warning


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_diff_says_it(cli, spec_file: Callable[[str, str], Path], fmt: str) -> None:  # type: ignore[no-untyped-def]
    old, new = str(spec_file(KNOWN, "known.yaml")), str(spec_file(SPEC, "partly.yaml"))
    out = cli("diff", old, new, "--format", fmt).stdout
    if fmt == "json":
        assert json.loads(out)["totals"]["unknown_cost_rows"] == {"old": 0, "new": 2, "change": 2, "relative": None}
    else:
        assert out.count("Rows of unknown cost") == 1
    same = cli("diff", old, old, "--format", fmt).stdout
    assert "unknown" not in same  # nothing to say when both sides are known


def test_html_report_says_it() -> None:
    from cnncalc.render.html import render_html

    page = render_html(cnncalc.analyze(cnncalc.loads(SPEC)))
    assert page.count(f"<dt>Rows of unknown cost</dt><dd>{NOTE}</dd>") == 1
    assert "unknown cost</dt>" not in render_html(cnncalc.analyze(cnncalc.loads(KNOWN)))
