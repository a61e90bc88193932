"""The summary table as rich prints it to a file or a pipe, written without importing rich.

rich costs about 40 ms to import, a third of a ``cnncalc summarize`` run, and a table sent to a CI log or a file
has no colour, so it is plain text: a title, a box of columns each as wide as its widest cell, the totals, the
convention. :func:`plain_table` writes exactly what :func:`cnncalc.render.table.render_table` makes rich print
there (tests/test_plain_table.py compares the two on every preset and on hypothesis-made specs) and returns None
for anything whose layout is rich's to decide: a word wider than its column, a character that is not one cell
wide, a title wider than the table, the chart. The caller then draws the table with rich as before.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TextIO

from ..report import Report, Row
from .columns import DEFAULT_VIEW, Column, View, totals
from .fmt import convention_line, shape, side_outputs

DETAILS_MAX = 48  # the Details column wraps beyond this width (render.table)
DETAILS_MIN = 12
WIDEST = 400  # print_rich widens a console that is not a terminal to the output's width, up to this
# characters one cell wide in every terminal, beside printable ASCII: the symbols cnncalc's own text uses
NARROW = frozenset("×→←−–—·…≈≤≥²³¹⌈⌉⌊⌋‘’“”αβγλμσ✓✗")  # rich.cells.cell_len gives each 1 (tested)
_WORD = re.compile(r"\s*\S+\s*")  # a word, as rich wraps text: with the spaces around it


def table_title(report: Report) -> str:
    title = f"{report.name}: {shape(report.input_shape)} → {shape(report.output_shape)}"
    return title + (f" (batch {report.batch})" if report.batch > 1 else "")


def cell_text(report: Report, row: Row, column: Column, exact: bool) -> tuple[str, str]:
    """A cell's text and its style: a module whose rows follow (a header) shows its subtotals dimmed."""
    entry = row.entry
    if column.name == "layer":
        return "  " * entry.depth + entry.name.rsplit("/", 1)[-1], "bold" if row.header else ""
    text = column.cell(report, entry, exact)
    if row.header and not column.on_headers:
        return text, "dim"  # a subtotal
    style = "bold" if row.header and column.name == "type" else "dim" if column.name == "details" else ""
    return text or ("" if row.header else column.blank), style


def plain_output(stream: TextIO) -> bool:
    """Whether rich would print to ``stream`` without colour or style, in UTF-8: not a terminal, and no
    ``FORCE_COLOR`` or ``TTY_COMPATIBLE=1`` telling it to act as one."""
    if os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE") == "1":
        return False
    if "utf" not in (getattr(stream, "encoding", None) or "").lower():
        return False  # rich draws ASCII boxes then
    if os.environ.get("TTY_COMPATIBLE") == "0":
        return True
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):
        return False


def plain_table(report: Report, view: View = DEFAULT_VIEW) -> str | None:
    """The table, its totals and the convention as rich prints them where :func:`plain_output` holds; None
    where rich must lay them out."""
    columns = view.shown
    rows = report.rows(view.depth)
    if view.chart or not rows:
        return None
    cells = [[cell_text(report, row, c, view.exact)[0] for c in columns] for row in rows]
    title = table_title(report)
    figures = totals(report)
    notes = [convention_line(report), *([side_outputs(report)] if report.side_outputs else [])]
    labels = [title, *(text for pair in figures for text in pair), *notes, *(c.heading for c in columns)]
    if any(not narrow(text) for text in [*labels, *(text for line in cells for text in line)]):
        return None
    widths = []
    for i, column in enumerate(columns):
        texts = [column.heading, *(line[i] for line in cells)]
        most = max(len(t) for t in texts)
        if column.name == "details":  # it wraps between words beyond DETAILS_MAX, never inside one
            longest = max((len(word) for t in texts for word in t.split()), default=0)
            if longest > DETAILS_MAX:
                return None  # rich would fold the word
            most = max(DETAILS_MIN, longest, min(most, DETAILS_MAX))
        widths.append(most)
    width = sum(widths) + 3 * len(widths) + 1
    label_width = max((len(label) for label, _ in figures), default=0)
    value_width = max((len(value) for _, value in figures), default=0)
    if len(title) > width or max(width, label_width + 2 + value_width, *(len(n) for n in notes)) > WIDEST:
        return None

    def lines(left: str, middle: str, right: str, texts: Sequence[str]) -> list[str]:
        """One line of the box, or more where a cell wraps (the other cells blank below their first line)."""
        wrapped = [_wrap(t, w) if c.name == "details" else [t] for t, w, c in zip(texts, widths, columns, strict=True)]
        out = []
        for n in range(max(len(parts) for parts in wrapped)):
            parts = []
            for column_lines, w, column in zip(wrapped, widths, columns, strict=True):
                text = column_lines[n] if n < len(column_lines) else ""
                parts.append(f" {text.rjust(w) if column.numeric else text.ljust(w)} ")
            out.append(left + middle.join(parts) + right)
        return out

    out = [title.ljust(width)]
    out.append("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓")
    out += lines("┃", "┃", "┃", [c.heading for c in columns])
    out.append("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩")
    for texts in cells:
        out += lines("│", "│", "│", texts)
    out.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
    out += [f"{label.ljust(label_width)}  {value.rjust(value_width)}" for label, value in figures]
    out += notes
    return "\n".join(out) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    """``text`` wrapped to ``width`` as rich wraps it (``rich._wrap.divide_line``; no word is wider): a word
    with the spaces after it goes on the line when the word itself fits."""
    out: list[str] = []
    start = offset = 0
    for match in _WORD.finditer(text):
        word = match.group()
        if width - offset >= len(word.rstrip()):
            offset += len(word)
        elif offset and match.start():
            out.append(text[start : match.start()].rstrip())
            start, offset = match.start(), len(word)
    return [*out, text[start:].rstrip()]


def narrow(text: str) -> bool:
    """Every character one cell wide in every terminal: printable ASCII, or a symbol of :data:`NARROW`."""
    return all(" " <= ch <= "~" or ch in NARROW for ch in text)
