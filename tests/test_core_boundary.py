"""The core analysis stands without the PyTorch lowering: a kind without one analyses as any other; only
exporting it or counting it as a PyTorch tool does says it is not exportable, by name (issue 9)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest

import cnncalc
from cnncalc.analysis import analyze
from cnncalc.export.lowering import pytorch_notes
from cnncalc.export.pytorch import to_pytorch
from cnncalc.layers import Calc, Layer, Shape
from cnncalc.layers import base as layers_base
from cnncalc.sweep import width_rule

from .conftest import ROOT, Result


@dataclass(frozen=True, slots=True)
class Mirror(Layer):
    """A kind registered by a test, with arithmetic and no PyTorch lowering."""

    kind = "mirror"
    summary = "flips each map; no parameters"

    def apply(self, inp: Shape) -> Calc:
        return Calc(output_shape=inp, details="flipped", other_ops=0)


@pytest.fixture
def mirror(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(layers_base.REGISTRY, "mirror", Mirror)
    monkeypatch.setitem(layers_base.ALIASES, "mirror", (Mirror, None))
    yield


SPEC = {"name": "t", "input": [3, 8, 8], "layers": [{"conv": {"filters": 4, "kernel": 3}}, "mirror", "relu"]}


def test_a_kind_without_a_lowering_is_analysed(mirror: None) -> None:
    report = analyze(cnncalc.from_dict(SPEC))
    assert [row.type for row in report.layers] == ["conv", "mirror", "relu"]
    assert report.output_shape == (4, 6, 6)  # (8 − 3) // 1 + 1 = 6
    assert report.totals.params == 3 * 3 * 3 * 4 + 4
    assert report.warnings == ()


def test_a_kind_without_a_lowering_is_not_exportable_by_name(
    mirror: None, cli: Callable[..., Result], spec_file: Callable[..., Path]
) -> None:
    with pytest.raises(cnncalc.SpecError, match="the mirror layer kind has no PyTorch lowering"):
        to_pytorch(cnncalc.from_dict(SPEC))
    path = spec_file("name: t\ninput: [3, 8, 8]\nlayers:\n  - conv: {filters: 4, kernel: 3}\n  - mirror\n")
    result = cli("export", str(path))
    assert result.exit_code == 2, result
    assert f"{path}:5:5: mirror1: the mirror layer kind has no PyTorch lowering, so it is not exportable" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_tool_convention_names_the_kind_it_cannot_count(mirror: None) -> None:
    with pytest.raises(cnncalc.UsageError, match=r"mirror1: the torchinfo convention .* mirror layer kind has no"):
        analyze(cnncalc.from_dict(SPEC), convention="torchinfo")
    # cnncalc's own conventions need no lowering
    assert analyze(cnncalc.from_dict(SPEC), convention="full").totals.macs == 6 * 6 * 3 * 3 * 3 * 4


def test_summarize_notes_a_kind_without_a_lowering(mirror: None) -> None:
    report = analyze(cnncalc.from_dict(SPEC))
    (note,) = pytorch_notes(report)
    assert note.layer == "mirror1" and "mirror layer kind has no PyTorch lowering" in note.message


def test_a_sweep_rewrite_is_counted_as_rewritten() -> None:
    # width 2 doubles conv1 from 16 to 32 filters (the fc classifier keeps its 10 units); torchinfo counts a
    # conv's weights and biases once per output position: (3·3·3·32 + 32) · 6·6 for conv1, on 3×8×8
    spec = cnncalc.from_dict(
        {"name": "t", "input": [3, 8, 8], "layers": [{"conv": {"filters": 16, "kernel": 3}}, {"fc": {"units": 10}}]}
    )
    base = analyze(spec)
    wide = analyze(spec, convention="torchinfo", rewrite=width_rule(base, Fraction(2), 8))
    conv1 = wide.layers[0]
    assert conv1.output_shape == (32, 6, 6)
    assert conv1.macs == (3 * 3 * 3 * 32 + 32) * 6 * 6
    assert wide.layers[1].macs == 32 * 6 * 6 * 10 + 10  # torchinfo: an nn.Linear counts its parameters


def test_analysing_imports_neither_the_lowering_nor_the_exporter() -> None:
    code = (
        "import sys, cnncalc; cnncalc.analyze(cnncalc.preset('googlenet'));"
        "print(sorted(m for m in sys.modules if m.startswith('cnncalc.export')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


SRC = ROOT / "src" / "cnncalc"
RESULTS = ["analysis.py", "report.py", "memory.py", "sweep.py", "diff.py", "gate.py", "explain.py", "catalog.py"]


def _relative_imports(path: Path) -> set[str]:
    """The cnncalc modules a file imports, as dotted names below cnncalc (``render.text``)."""
    package = path.parent.relative_to(SRC).parts
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            base = list(package[: len(package) - node.level + 1])
            found.add(".".join([*base, *(node.module or "").split(".")]).strip("."))
    return found


@pytest.mark.parametrize("name", RESULTS)
def test_results_import_no_renderer_cli_or_exporter(name: str) -> None:
    imported = _relative_imports(SRC / name)
    assert not {m for m in imported if m.split(".")[0] in ("render", "cli", "export")}, imported
