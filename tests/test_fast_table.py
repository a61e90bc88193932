"""Tables are written row by row where rich's cell layout is not needed (a 100,000-row table took 47 s of
CPU through it): the result must be exactly rich's, character for character and style for style."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

import cnncalc
from cnncalc.diff import diff
from cnncalc.render import fit
from cnncalc.render.columns import DEFAULT_VIEW
from cnncalc.render.diff import render_table as render_diff
from cnncalc.render.table import render_table

WIDTHS = (250, 120, 100, 90, 75, 60, 40)  # wide, Details wrapping, columns left out, nothing fitting


def rich_only(self: Any, console: Console, options: ConsoleOptions) -> RenderResult:
    yield self.table


def rendered(make: Callable[[], RenderableType], width: int, color: bool, safe_box: bool) -> str:
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width,
        force_terminal=color,
        color_system="truecolor" if color else None,
        safe_box=safe_box,
        legacy_windows=False,
    )
    console.print(make())
    return buf.getvalue()


@pytest.fixture
def paths(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Counts the rows written directly and those laid out by rich."""
    counts = {"direct": 0, "laid out": 0}
    one_line, laid_out = fit._one_line, fit._laid_out

    def counted_one_line(*args: Any) -> Any:
        found = one_line(*args)
        counts["direct"] += found is not None
        return found

    def counted_laid_out(*args: Any) -> Any:
        counts["laid out"] += 1
        return laid_out(*args)

    monkeypatch.setattr(fit, "_one_line", counted_one_line)
    monkeypatch.setattr(fit, "_laid_out", counted_laid_out)
    yield counts


@pytest.mark.parametrize("preset", ["googlenet", "resnet50", "mobilenet_v3_small", "unet"])
@pytest.mark.parametrize("color", [False, True], ids=["plain", "color"])
def test_a_table_is_exactly_richs(
    preset: str, color: bool, paths: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = cnncalc.analyze(cnncalc.preset(preset))
    for width in WIDTHS:
        ours = rendered(lambda: render_table(report, DEFAULT_VIEW), width, color, False)
        with monkeypatch.context() as m:
            m.setattr(fit._Sized, "render", rich_only)
            theirs = rendered(lambda: render_table(report, DEFAULT_VIEW), width, color, False)
        assert ours == theirs, (preset, width)
    assert paths["direct"] > 0 and paths["laid out"] > 0, paths  # both ways were taken


def test_a_diff_table_is_exactly_richs(paths: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = cnncalc.preset("resnet18"), cnncalc.preset("resnet50")
    changes = diff(old, new)
    for width in WIDTHS:
        for color in (False, True):
            ours = rendered(lambda: render_diff(changes), width, color, False)
            with monkeypatch.context() as m:
                m.setattr(fit._Sized, "render", rich_only)
                theirs = rendered(lambda: render_diff(changes), width, color, False)
            assert ours == theirs, width
    assert paths["direct"] > 0


def test_safe_boxes_are_richs(monkeypatch: pytest.MonkeyPatch) -> None:
    report = cnncalc.analyze(cnncalc.preset("seed-example"))
    ours = rendered(lambda: render_table(report, DEFAULT_VIEW), 120, False, True)
    monkeypatch.setattr(fit._Sized, "render", rich_only)
    assert ours == rendered(lambda: render_table(report, DEFAULT_VIEW), 120, False, True)
