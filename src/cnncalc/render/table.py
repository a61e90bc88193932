"""The rich terminal table of a report."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..report import Report
from .columns import Column, choose
from .fmt import both, convention_line, human_bytes, shape, side_outputs


def render_table(
    report: Report, depth: int | None = None, exact: bool = False, columns: Sequence[Column] = ()
) -> RenderableType:
    title = f"{report.name}: {shape(report.input_shape)} → {shape(report.output_shape)}"
    if report.batch > 1:
        title += f" (batch {report.batch})"
    table = Table(title=title, title_justify="left", header_style="bold", expand=False)
    columns = columns or choose(None)
    for c in columns:
        if c.name == "details":
            table.add_column(c.heading, overflow="fold", max_width=48)
        else:
            table.add_column(c.heading, no_wrap=True, justify="right" if c.numeric else "left")
    for row in report.rows(depth):
        e = row.entry
        cells = []
        for c in columns:
            if row.header and not c.on_headers:
                cells.append(Text(""))
                continue
            text = "  " * e.depth + e.name.rsplit("/", 1)[-1] if c.name == "layer" else c.cell(report, e, exact)
            bold = row.header and c.name in ("layer", "type")
            cells.append(
                Text(
                    text or ("" if row.header else c.blank),
                    style="dim" if c.name == "details" else "bold" if bold else "",
                )
            )
        table.add_row(*cells)
    t = report.totals
    totals = Table.grid(padding=(0, 2))
    totals.add_column(style="bold")
    totals.add_column(justify="right")
    totals.add_row("Parameters (trainable)", both(t.params))
    totals.add_row("Non-trainable parameters", both(t.non_trainable_params))
    totals.add_row("Total parameters", both(t.total_params))
    totals.add_row("MACs", both(t.macs))
    if report.convention == "full":
        totals.add_row("Other ops", both(t.other_ops))
    totals.add_row("FLOPs", both(t.flops))
    totals.add_row("Activations", both(t.activations))
    totals.add_row(f"Parameter memory ({report.dtype})", human_bytes(t.param_bytes))
    totals.add_row(f"Activation memory ({report.dtype}, batch {report.batch})", human_bytes(t.activation_bytes))
    totals.add_row("Peak activation memory", f"{human_bytes(t.peak_activation_bytes)} (at {t.peak_activation_layer})")
    parts: list[RenderableType] = [table, totals, Text(convention_line(report), style="dim")]
    if report.side_outputs:
        parts.append(Text(side_outputs(report)))
    for w in report.warnings:
        prefix = f"{w.layer}: " if w.layer else ""
        label, style = ("note", "dim") if w.kind == "pytorch" else ("warning", "yellow")
        parts.append(Text(f"{label}: {prefix}{w.message}", style=style))
    return Group(*parts)
