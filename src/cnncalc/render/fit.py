"""Tables that fit the terminal without cutting a name or a figure.

Rich shrinks a table that is too wide by truncating cells ("% MA…", "603.9…"). Here a column that may
not be cut (a name, a shape, a number: ``no_wrap``) is kept at its full width; a wrapping column
(Details, Description) wraps down to its ``min_width``; and when the table still does not fit, the
optional columns are left out one at a time, in the order given, and a note below the table says which.
The width is the console's at render time, so the same renderable fits any terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text


@dataclass(frozen=True, slots=True)
class Fitted:
    """``build(left_out)`` makes the table without the columns headed ``left_out``; ``optional`` are
    the headings that may be left out, the first first."""

    build: Callable[[frozenset[str]], Table]
    optional: Sequence[str] = ()
    hint: str = "widen the terminal to see them"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        wide = options.update_width(_UNLIMITED)  # Measurement.get caps what it measures at the width
        left_out: list[str] = []
        table = _uncut(console, wide, self.build(frozenset()))
        for heading in self.optional:
            if Measurement.get(console, wide, table).minimum <= options.max_width:
                break
            left_out.append(heading)
            table = _uncut(console, wide, self.build(frozenset(left_out)))
        _share(console, wide, table, options.max_width)
        yield table
        if left_out:
            names = ", ".join(left_out)
            yield Text(f"Not shown at {options.max_width} columns: {names} ({self.hint}).", style="dim")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        wide = options.update_width(_UNLIMITED)
        return Measurement.get(console, options, _uncut(console, wide, self.build(frozenset())))


_UNLIMITED = 10_000


def _uncut(console: Console, options: ConsoleOptions, table: Table) -> Table:
    """Give every ``no_wrap`` column the width of its widest cell as its minimum, and every other column
    that of its longest word, so that rich wraps (or the caller leaves columns out) rather than truncate.
    ``options`` must be unlimited in width, or the measurements are capped."""
    for column in table.columns:
        cells = [Measurement.get(console, options, c) for c in (column.header, *column.cells) if c is not None]
        # a wrapping column wraps between words, never inside one (a number, a shape, a name)
        widths = [m.maximum if column.no_wrap else m.minimum for m in cells]
        column.min_width = max([column.min_width or 0, *widths])
    return table


def _share(console: Console, options: ConsoleOptions, table: Table, width: int) -> None:
    """When the table is wider than ``width``, fix the wrapping columns' widths: each its minimum, then
    the room left given to them in order (rich's own shrinking can squeeze one below its longest word)."""
    measured = Measurement.get(console, options, table)
    if measured.maximum <= width:
        return
    room = width - measured.minimum
    for column in table.columns:
        if column.no_wrap:
            continue
        cells = [Measurement.get(console, options, c) for c in (column.header, *column.cells) if c is not None]
        least = column.min_width or 0
        most = max([least, *(m.maximum for m in cells)])
        if column.max_width is not None:
            most = min(most, column.max_width)
        extra = max(0, min(room, most - least))
        column.width = least + extra
        room -= extra
