"""A memory estimate (``cnncalc memory``) as a rich table, JSON or Markdown."""

from __future__ import annotations

import json
from typing import Any

from ..memory import LIVENESS, MemoryEstimate
from .fmt import human_bytes, shape


def rows(m: MemoryEstimate) -> list[tuple[str, str, int]]:
    """(section, figure, bytes), totals last in each section."""
    r, t, tr = m.report, m.report.totals, m.training
    return [
        ("inference", "Parameters", t.param_bytes),
        ("inference", f"Peak activations (at {t.peak_activation_layer})", t.peak_activation_bytes),
        ("inference", "Total", m.inference),
        ("training", "Parameters", tr.parameters),
        ("training", "Gradients", tr.gradients),
        ("training", f"Optimizer state ({tr.optimizer})", tr.optimizer_state),
        ("training", f"Stored activations (batch {r.batch})", tr.activations),
        ("training", f"Input batch ({r.batch}×{shape(r.input_shape)})", tr.input),
        ("training", "Total", tr.total),
    ]


def _title(m: MemoryEstimate) -> str:
    r = m.report
    return f"{r.name}: {shape(r.input_shape)}, batch {r.batch}, {r.dtype}"


def render_table(m: MemoryEstimate) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from .fit import Fitted

    def build(left_out: frozenset[str]) -> Table:
        table = Table(title=Text(_title(m)), title_justify="left", header_style="bold")  # a name is not markup
        table.add_column("")  # labels wrap; the figures never do
        table.add_column("Bytes", justify="right", no_wrap=True)
        table.add_column("", justify="right", style="dim", no_wrap=True)
        section = ""
        for part, figure, value in rows(m):
            if part != section:
                section = part
                heading = "Inference" if part == "inference" else f"Training ({m.training.optimizer})"
                table.add_row(Text(heading, style="bold"))
            style = "bold" if figure == "Total" else ""
            table.add_row(Text("  " + figure, style=style), Text(human_bytes(value), style=style), f"{value:,}")
        return table

    table = Fitted(build)
    notes = [f"Inference peak: {LIVENESS}", *(f"Training: {a}." for a in m.training.assumptions)]
    return Group(table, *(Text(f"- {note}", style="dim") for note in notes))


def render_json(m: MemoryEstimate) -> str:
    data = {"liveness": LIVENESS, **m.to_dict()}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_markdown(m: MemoryEstimate) -> str:
    lines = [f"## {_title(m)}", "", "| | | bytes |", "|---|--:|--:|"]
    section = ""
    for part, figure, value in rows(m):
        if part != section:
            section = part
            heading = "Inference" if part == "inference" else f"Training ({m.training.optimizer})"
            lines.append(f"| **{heading}** | | |")
        lines.append(f"| {figure} | {human_bytes(value)} | {value:,} |")
    lines += ["", f"- Inference peak: {LIVENESS}", *(f"- Training: {a}." for a in m.training.assumptions)]
    return "\n".join(lines) + "\n"
