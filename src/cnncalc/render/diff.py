"""``cnncalc diff`` results → Markdown (a pull-request comment), JSON, or a rich renderable.

Figures are exact integers: a diff is about precise changes. Rich is imported only by :func:`render_table`.
"""

from __future__ import annotations

import json
from typing import Any

from ..diff import Change, Diff, LayerChange, TotalChange
from .fmt import markdown_cell, shape

LABELS = {
    "params": "Parameters",
    "non_trainable_params": "Non-trainable parameters",
    "macs": "MACs",
    "flops": "FLOPs",
    "activations": "Activations",
    "param_bytes": "Parameter memory (bytes)",
    "activation_bytes": "Activation memory (bytes)",
    "layers": "Rows (layers and merges)",
    "unknown_cost_rows": "Rows of unknown cost (MACs and FLOPs are lower bounds)",
}
COLUMNS = ("Change", "Layer", "Type", "Output", "Params", "MACs")


def _pair(old: str | None, new: str | None) -> str:
    if old is None or new is None:
        return old or new or ""
    return old if old == new else f"{old} → {new}"


def layer_cells(c: LayerChange) -> list[str]:
    def cells(row: Any) -> tuple[str | None, str | None, str | None]:
        if row is None:
            return None, None, None
        return shape(row.output_shape), f"{row.params:,}", f"{row.macs:,}"

    old, new = cells(c.old), cells(c.new)
    return [c.change.value, c.name, c.type, *(_pair(o, n) for o, n in zip(old, new, strict=True))]


def change_text(t: TotalChange) -> str:
    """``+34,776 (+0.06%)``, ``−1,000 (−1.64%)`` or ``0``."""
    if t.delta == 0:
        return "0"
    sign = "+" if t.delta > 0 else "−"
    text = f"{sign}{abs(t.delta):,}"
    return text + (f" ({sign}{abs(t.relative):.2%})" if t.relative is not None else "")


def total_cells(t: TotalChange) -> list[str]:
    return [LABELS[t.figure], f"{t.old:,}", f"{t.new:,}", change_text(t)]


def _heading(d: Diff) -> str:
    old, new = d.old, d.new
    text = f"{old.name} → {new.name}" if old.name != new.name else old.name
    shapes = f"{shape(old.input_shape)} → {shape(old.output_shape)}"
    if (old.input_shape, old.output_shape) != (new.input_shape, new.output_shape):
        shapes += f" became {shape(new.input_shape)} → {shape(new.output_shape)}"
    return f"{text} ({shapes})"


def _counts(d: Diff) -> str:
    n = {k: sum(1 for c in d.layers if c.change is k) for k in Change}
    return f"{n[Change.ADDED]} added, {n[Change.REMOVED]} removed, {n[Change.CHANGED]} changed, {d.unchanged} unchanged"


def render_markdown(d: Diff) -> str:
    lines = [f"### cnncalc diff: {_heading(d)}", "", _counts(d) + ".", ""]
    if d.layers:
        lines += ["| " + " | ".join(COLUMNS) + " |", "|---|---|---|---|--:|--:|"]
        lines += ["| " + " | ".join(markdown_cell(cell) for cell in layer_cells(c)) + " |" for c in d.layers]
        lines.append("")
    lines += ["| Total | Old | New | Change |", "|---|--:|--:|--:|"]
    lines += ["| " + " | ".join(total_cells(t)) + " |" for t in d.totals]
    return "\n".join(lines) + "\n"


def render_json(d: Diff) -> str:
    return json.dumps(d.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_table(d: Diff) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from .fit import Fitted

    style = {"added": "green", "removed": "red", "changed": "yellow"}
    parts: list[Any] = [Text(_heading(d), style="bold"), Text(_counts(d), style="dim")]
    if d.layers:

        def build(left_out: frozenset[str]) -> Table:
            table = Table(header_style="bold")
            shown = [i for i, column in enumerate(COLUMNS) if column not in left_out]
            for i in shown:
                # a change "old → new" may wrap at its arrow; a name or a number is never cut
                table.add_column(COLUMNS[i], justify="right" if i >= 4 else "left", no_wrap=i < 3)
            for c in d.layers:
                # Text, not str: rich would read `[...]` in a name as markup
                cells = [Text(cell) for cell in layer_cells(c)]
                cells[0].style = style[cells[0].plain]
                table.add_row(*(cells[i] for i in shown))
            return table

        parts.append(Fitted(build, ("Type", "Output")))

    def build_totals(left_out: frozenset[str]) -> Table:
        totals = Table(header_style="bold")
        headings = ("Total", "Old", "New", "Change")
        shown = [i for i, heading in enumerate(headings) if heading not in left_out]
        for i in shown:
            # labels and changes wrap between words; the figures never do
            totals.add_column(headings[i], justify="right" if i else "left", no_wrap=i in (1, 2))
        for t in d.totals:
            cells = [Text(cell) for cell in total_cells(t)]
            cells[3].style = "red" if t.delta > 0 else "green" if t.delta < 0 else ""
            totals.add_row(*(cells[i] for i in shown))
        return totals

    parts.append(Fitted(build_totals, ("Old",)))
    return Group(*parts)
