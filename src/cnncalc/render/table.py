"""The rich terminal table of a report, its totals, and the chart when asked for."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..report import Report, Row
from .columns import DEFAULT_VIEW, Column, View, totals
from .fit import Fitted
from .fmt import convention_line, side_outputs
from .plain_table import DETAILS_MAX, DETAILS_MIN, cell_text, table_title

# the columns left out first when the table is wider than the terminal; the others (layer, output, params,
# macs) always stay
DROP_ORDER = ("details", "share", "type", "input", "centre", "jump", "rf", "memory", "activations", "flops", "biases")


def render_table(report: Report, view: View = DEFAULT_VIEW) -> RenderableType:
    title = table_title(report)
    columns = view.shown
    rows = report.rows(view.depth)

    def build(left_out: frozenset[str]) -> Table:
        # Text, not str: rich would read `[...]` or `:name:` in a name as markup or an emoji
        table = Table(title=Text(title), title_justify="left", header_style="bold", expand=False)
        shown = [c for c in columns if c.heading not in left_out]
        for c in shown:
            if c.name == "details":
                table.add_column(c.heading, overflow="fold", max_width=DETAILS_MAX, min_width=DETAILS_MIN)
            else:
                table.add_column(c.heading, no_wrap=True, justify="right" if c.numeric else "left")
        for row in rows:
            table.add_row(*(_cell(report, row, c, view.exact) for c in shown))
        return table

    optional = [c.heading for name in DROP_ORDER for c in columns if c.name == name]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(justify="right", no_wrap=True)
    for label, value in totals(report):
        grid.add_row(Text(label), Text(value))
    parts: list[RenderableType] = [
        Fitted(build, optional, "widen the terminal, or choose with --columns"),
        grid,
        Text(convention_line(report), style="dim"),
    ]
    if report.side_outputs:
        parts.append(Text(side_outputs(report)))
    if view.chart:
        from .chart import render_chart

        parts.append(render_chart(report, view.depth))
    return Group(*parts)


def _cell(report: Report, row: Row, c: Column, exact: bool) -> Text:
    text, style = cell_text(report, row, c, exact)
    return Text(text, style=style)
