"""Tables that fit the terminal without cutting a name or a figure.

Rich shrinks a table that is too wide by truncating cells ("% MA…", "603.9…"). Here a column that may
not be cut (a name, a shape, a number: ``no_wrap``) is kept at its full width; a wrapping column
(Details, Description) wraps down to its ``min_width``; and when the table still does not fit, the
optional columns are left out one at a time, in the order given, and a note below the table says which.
The width is the console's at render time, so the same renderable fits any terminal.

Rich lays out every cell of a table through its general machinery (about half a millisecond a row: a
100,000-row table took 47 s of CPU). Here the frame — title, header, borders — is still rich's, but a
one-line row of plain :class:`~rich.text.Text` cells is written directly as the segments rich would make
(the tests compare both renderings); only a row that wraps goes through rich's cell layout.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from dataclasses import field, replace

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.table import Column, Table
from rich.text import Text

from ..record import record


@record
class Fitted:
    """``build(left_out)`` makes the table without the columns headed ``left_out``; ``optional`` are
    the headings that may be left out, the first first."""

    build: Callable[[frozenset[str]], Table]
    optional: Sequence[str] = ()
    hint: str = "widen the terminal to see them"
    _built: dict[frozenset[str], _Sized] = field(default_factory=dict, compare=False, repr=False)

    def sized(self, left_out: frozenset[str]) -> _Sized:
        """The table without ``left_out``, with its columns' widths measured once (rich measures, then
        renders: both ask)."""
        if left_out not in self._built:
            self._built[left_out] = _Sized.of(self.build(left_out))
        return self._built[left_out]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        left_out: list[str] = []
        sized = self.sized(frozenset())
        for heading in self.optional:
            if sized.minimum <= width:
                break
            left_out.append(heading)
            sized = self.sized(frozenset(left_out))
        sized.share(width)
        yield from sized.render(console, options)
        if left_out:
            names = ", ".join(left_out)
            yield Text(f"Not shown at {width} columns: {names} ({self.hint}).", style="dim")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        sized = self.sized(frozenset())
        return Measurement(sized.minimum, sized.maximum).with_maximum(options.max_width)


@record
class _Sized:
    """A table whose every column has, as its ``min_width``, the width below which it would cut: its
    widest cell if it does not wrap, else its longest word. ``widest`` is each column's widest cell."""

    table: Table
    widest: tuple[int, ...]
    extra: int  # borders and padding

    @classmethod
    def of(cls, table: Table) -> _Sized:
        widest = []
        for column in table.columns:
            texts = [_plain(c) for c in (column.header, *column.cells)]
            lines = [line for text in texts for line in text.splitlines()]
            most = max((cell_len(line) for line in lines), default=0)
            # a wrapping column wraps between words, never inside one (a number, a shape, a name)
            least = most if column.no_wrap else max((cell_len(w) for t in texts for w in t.split()), default=0)
            column.min_width = max(column.min_width or 0, least)
            widest.append(max(column.min_width, min(most, column.max_width or most)))
        _, right, _, left = table.padding
        return cls(table, tuple(widest), table._extra_width + len(table.columns) * (left + right))

    @property
    def minimum(self) -> int:
        return sum(column.min_width or 0 for column in self.table.columns) + self.extra

    @property
    def maximum(self) -> int:
        return sum(self.widest) + self.extra

    def share(self, width: int) -> None:
        """When the table is wider than ``width``, fix the wrapping columns' widths: each its minimum,
        then the room left given to them in order (rich's own shrinking can squeeze one below its
        longest word)."""
        if self.maximum <= width:
            return
        room = width - self.minimum
        for column, most in zip(self.table.columns, self.widest, strict=True):
            if column.no_wrap:
                continue
            least = column.min_width or 0
            extra = max(0, min(room, most - least))
            column.width = least + extra
            room -= extra

    def widths(self) -> list[int]:
        """Each column's width inside its padding, as rich lays the table out once it fits."""
        return [
            c.width if c.width is not None else most for c, most in zip(self.table.columns, self.widest, strict=True)
        ]

    def render(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The table as rich renders it; its body rows written directly where rich's layout is not needed."""
        table = self.table
        widths = self.widths()
        fits = sum(widths) + self.extra <= options.max_width
        if not fits or table.box is None or table.show_footer or table.show_lines or table.leading or table.caption:
            yield table  # rich shrinks what does not fit: its own layout
            return
        # the frame (title, header, borders) by rich: the same table without rows, each column at its width;
        # its last line is the bottom border
        frame = copy.copy(table)
        frame.columns = [replace(c, _cells=[], width=w) for c, w in zip(table.columns, widths, strict=True)]
        frame.rows = []
        lines = console.render_lines(frame, options, pad=False, new_lines=True)
        for line in lines[:-1]:
            yield from line
        yield from self._body(console, options, widths)
        yield from lines[-1]

    def _body(self, console: Console, options: ConsoleOptions, widths: list[int]) -> Iterator[Segment]:
        """The rows between the header and the bottom border, as :meth:`rich.table.Table._render` makes them."""
        table = self.table
        assert table.box is not None
        safe = table.safe_box if table.safe_box is not None else console.safe_box
        box = table.box.substitute(options, safe=safe)
        border = console.get_style(table.style or "") + console.get_style(table.border_style or "")
        padding = table.padding
        new_line = Segment.line()
        columns = table.columns
        count = len(table.rows)
        for index, cells in enumerate(zip(*(c._cells for c in columns), strict=True)):
            if index == count - 1:
                left, divider, right = box.foot_left, box.foot_vertical, box.foot_right
            else:
                left, divider, right = box.mid_left, box.mid_vertical, box.mid_right
            base = console.get_style(table.get_row_style(console, index))
            pieces = _one_line(console, cells, columns, widths, padding, base)
            if pieces is None:  # a cell wraps, or is not plain text: rich's own cell layout
                pieces = _laid_out(console, options, cells, columns, widths, padding, base)
            for line in pieces:
                yield Segment(left, border)
                for i, cell in enumerate(line):
                    if i:
                        yield Segment(divider, border)
                    yield from cell
                yield Segment(right, border)
                yield new_line


_Padding = tuple[int, int, int, int]


def _one_line(
    console: Console,
    cells: Sequence[object],
    columns: Sequence[Column],
    widths: Sequence[int],
    padding: _Padding,
    row_style: Style,
) -> list[list[list[Segment]]] | None:
    """A row of plain, one-line :class:`Text` cells as rich renders it, or None for any other row."""
    top, right, bottom, left = padding
    if top or bottom or row_style or any(c.style for c in columns):
        return None
    line: list[list[Segment]] = []
    for cell, column, width in zip(cells, columns, widths, strict=True):
        if type(cell) is not Text or cell.spans or "\n" in cell.plain or "\t" in cell.plain:
            return None
        if cell.justify is not None or cell.overflow is not None or cell.no_wrap is not None or cell.end != "\n":
            return None  # the cell's own layout settings: rich's
        text = cell.plain
        room = width - cell_len(text)
        if room < 0:
            return None
        justify = column.justify
        if justify == "right":
            text = " " * room + text
        elif justify == "center":
            text = " " * (room // 2) + text + " " * (room - room // 2)
        elif justify in ("left", "default"):
            text += " " * room
        else:  # "full": rich's own
            return None
        style = console.get_style(cell.style) if cell.style else None
        line.append([Segment(" " * left, Style()), Segment(text, style), Segment(" " * right, Style())])
    return [line]


def _laid_out(
    console: Console,
    options: ConsoleOptions,
    cells: Sequence[object],
    columns: Sequence[Column],
    widths: Sequence[int],
    padding: _Padding,
    row_style: Style,
) -> list[list[list[Segment]]]:
    """A row through rich's cell layout (wrapping, markup), lines by cells, each cell padded to its width."""
    rendered = []
    for cell, column, width in zip(cells, columns, widths, strict=True):
        outer = width + padding[1] + padding[3]
        render_options = options.update(
            width=outer,
            justify=column.justify,
            no_wrap=column.no_wrap,
            overflow=column.overflow,
            height=None,
            highlight=column.highlight,
        )
        style = console.get_style(column.style or "") + row_style
        rendered.append((console.render_lines(Padding(cell, padding), render_options, style=style), outer, style))  # type: ignore[arg-type]
    height = max(len(lines) for lines, _, _ in rendered)
    shaped = [Segment.set_shape(Segment.align_top(lines, w, height, s), w, height) for lines, w, s in rendered]
    return [[cell[i] for cell in shaped] for i in range(height)]


def _plain(cell: object) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell) if cell is not None else ""
