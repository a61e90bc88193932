"""The rich terminal table (the only renderer that imports rich)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..report import Report
from .fmt import both, convention_line, count, human_bytes, percent, shape, side_outputs


def render_table(report: Report, depth: int | None = None, exact: bool = False) -> RenderableType:
    title = f"{report.name}: {shape(report.input_shape)} → {shape(report.output_shape)}"
    if report.batch > 1:
        title += f" (batch {report.batch})"
    table = Table(title=title, title_justify="left", header_style="bold", expand=False)
    table.add_column("Layer", no_wrap=True)
    table.add_column("Type", no_wrap=True)
    table.add_column("Output", no_wrap=True, justify="right")
    table.add_column("Details", overflow="fold", max_width=48)
    table.add_column("Params", justify="right", no_wrap=True)
    table.add_column("MACs", justify="right", no_wrap=True)
    table.add_column("% MACs", justify="right", no_wrap=True)
    for row in report.rows(depth):
        e = row.entry
        label = "  " * e.depth + e.name.rsplit("/", 1)[-1]
        if row.header:
            table.add_row(
                Text(label, style="bold"),
                Text(e.type, style="bold"),
                shape(e.output_shape),
                Text(e.details, style="dim"),
                "",
                "",
                "",
            )
            continue
        table.add_row(
            label,
            e.type,
            shape(e.output_shape),
            Text(e.details, style="dim"),
            count(e.params, exact) if e.params else "–",
            count(e.macs, exact) if e.macs else "–",
            percent(report.mac_share(e)),
        )
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
    parts: list[RenderableType] = [table, totals, Text(convention_line(report), style="dim")]
    if report.side_outputs:
        parts.append(Text(side_outputs(report)))
    for w in report.warnings:
        prefix = f"{w.layer}: " if w.layer else ""
        label, style = ("note", "dim") if w.kind == "pytorch" else ("warning", "yellow")
        parts.append(Text(f"{label}: {prefix}{w.message}", style=style))
    return Group(*parts)
