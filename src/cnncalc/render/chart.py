"""``--chart``: where the MACs and the parameters go, as bars in the terminal (rich)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ..report import Report
from .fmt import human, percent

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(share: float, width: int) -> str:
    """A bar ``share`` (0–1) of ``width`` cells long, to an eighth of a cell."""
    eighths = round(share * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def render_chart(report: Report, depth: int | None = None, width: int = 30) -> Table:
    """One line per shown row that has MACs or parameters: its share of each, as a bar."""
    table = Table(title="Where the MACs and parameters go", title_justify="left", header_style="bold", box=None)
    table.add_column("Layer", no_wrap=True)
    table.add_column("MACs", no_wrap=True, min_width=width, style="cyan")
    table.add_column("", justify="right", no_wrap=True)
    table.add_column("Params", no_wrap=True, min_width=width, style="magenta")
    table.add_column("", justify="right", no_wrap=True)
    for row in report.rows(depth):
        e = row.entry
        if row.header or not (e.macs or e.params):
            continue
        mac, param = report.mac_share(e), report.param_share(e)
        table.add_row(
            Text(e.name),  # not markup
            bar(mac, width),
            Text(f"{human(e.macs)} {percent(mac)}".strip() if e.macs else "", style="dim"),
            bar(param, width),
            Text(f"{human(e.params)} {percent(param)}".strip() if e.params else "", style="dim"),
        )
    return table
