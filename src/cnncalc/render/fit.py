"""Tables that fit the terminal without cutting a name or a figure.

Rich shrinks a table that is too wide by truncating cells ("% MA…", "603.9…"). Here a column that may
not be cut (a name, a shape, a number: ``no_wrap``) is kept at its full width; a wrapping column
(Details, Description) wraps down to its ``min_width``; and when the table still does not fit, the
optional columns are left out one at a time, in the order given, and a note below the table says which.
The width is the console's at render time, so the same renderable fits any terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len
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
        yield sized.table
        if left_out:
            names = ", ".join(left_out)
            yield Text(f"Not shown at {width} columns: {names} ({self.hint}).", style="dim")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        sized = self.sized(frozenset())
        return Measurement(sized.minimum, sized.maximum).with_maximum(options.max_width)


@dataclass(frozen=True, slots=True)
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


def _plain(cell: object) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell) if cell is not None else ""
