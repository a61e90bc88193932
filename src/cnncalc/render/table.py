"""The rich terminal table of a report, its totals, and the chart when asked for."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..report import Report
from .columns import DEFAULT_VIEW, View, totals
from .fmt import convention_line, shape, side_outputs


def render_table(report: Report, view: View = DEFAULT_VIEW) -> RenderableType:
    title = f"{report.name}: {shape(report.input_shape)} → {shape(report.output_shape)}"
    if report.batch > 1:
        title += f" (batch {report.batch})"
    table = Table(title=title, title_justify="left", header_style="bold", expand=False)
    columns = view.shown
    for c in columns:
        if c.name == "details":
            table.add_column(c.heading, overflow="fold", max_width=48)
        else:
            table.add_column(c.heading, no_wrap=True, justify="right" if c.numeric else "left")
    for row in report.rows(view.depth):
        e = row.entry
        cells = []
        for c in columns:
            if row.header and not c.on_headers:
                cells.append(Text(""))
                continue
            text = "  " * e.depth + e.name.rsplit("/", 1)[-1] if c.name == "layer" else c.cell(report, e, view.exact)
            bold = row.header and c.name in ("layer", "type")
            cells.append(
                Text(
                    text or ("" if row.header else c.blank),
                    style="dim" if c.name == "details" else "bold" if bold else "",
                )
            )
        table.add_row(*cells)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(justify="right")
    for label, value in totals(report):
        grid.add_row(label, value)
    parts: list[RenderableType] = [table, grid, Text(convention_line(report), style="dim")]
    if report.side_outputs:
        parts.append(Text(side_outputs(report)))
    if view.chart:
        from .chart import render_chart

        parts.append(render_chart(report, view.depth))
    return Group(*parts)
