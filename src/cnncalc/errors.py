"""The one exception hierarchy of cnncalc.

Every error a user can cause is a :class:`CnncalcError`; the CLI maps it to exit code 2 in one place.
A spec error carries one or more :class:`Diagnostic` records, each saying where (file, line, column,
layer path), what is wrong and what would fix it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from enum import IntEnum

from .record import record


class ExitCode(IntEnum):
    """cnncalc's exit statuses, the same for every command."""

    OK = 0
    FAILED = 1  # a check failed: `check`, `diff --fail-on-increase`
    INVALID = 2  # invalid spec, invalid option or missing file: something could not be checked
    INTERNAL = 3  # a bug in cnncalc
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


DataPath = tuple[object, ...]
"""Keys and indexes from a spec document's root to a value, e.g. ``("layers", 3, "conv", "stride")``."""


@record
class Location:
    """A position in a spec file (1-based line and column) with the text of that line."""

    file: str | None
    line: int
    column: int
    line_text: str | None = None
    end_column: int | None = None
    notes: tuple[str, ...] = ()  # what the position alone does not say (a value repeated from an anchor)

    def __str__(self) -> str:
        return f"{self.file or '<spec>'}:{self.line}:{self.column}"


@record
class Diagnostic:
    """One problem in a spec: what is wrong, where, and how to fix it."""

    message: str
    hint: str | None = None
    location: Location | None = None
    layer: str | None = None
    where: str | None = None  # a data path such as ``layers[3].conv.stride`` when no location is known
    file: str | None = None
    notes: tuple[str, ...] = ()

    def place(self) -> str | None:
        """``file:line:col``, or ``file:data.path`` when no position is known, or None."""
        if self.location is not None:
            return str(self.location)
        if self.file is not None or self.where is not None:
            return ":".join(p for p in (self.file, self.where) if p)
        return None

    def headline(self) -> str:
        """``file:line:col: layer: message`` — the first line of the rendered diagnostic."""
        return ": ".join(p for p in (self.place(), self.layer, self.message) if p)

    def render(self) -> str:
        """The diagnostic as text: headline, the offending line with a caret, notes and hint."""
        lines = [visible(self.headline())]
        loc = self.location
        if loc is not None and loc.line_text is not None:
            text = loc.line_text.rstrip("\n").expandtabs(1)  # a tab is one column, as YAML counts them
            text = "".join(c if c.isprintable() else "\ufffd" for c in text)  # no control characters to a terminal
            width = 1
            if loc.end_column is not None and loc.end_column > loc.column:
                width = min(loc.end_column - loc.column, max(1, len(text) - loc.column + 1))
            text, column, width = _excerpt(text, loc.column - 1, width)
            gutter = f"{loc.line:>5} | "
            lines.append(gutter + text)
            # carets go by terminal columns: CJK and emoji take two, combining marks none
            lead, under = display_width(text[:column]), max(1, display_width(text[column : column + width]))
            lines.append(" " * (len(gutter) - 2) + "| " + " " * lead + "^" * under)
        lines.extend(f"  note: {visible(note)}" for note in self.all_notes())
        if self.hint:
            lines.append(f"  hint: {visible(self.hint, keep=chr(10))}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """The diagnostic for tools: ``location`` as in the headline, ``path`` the layer path (``layer``
        is the same, kept for compatibility), the position's parts, message, hint and notes."""
        loc = self.location
        return {
            "location": self.place(),
            "path": self.layer,
            "file": loc.file if loc is not None else self.file,
            "line": loc.line if loc is not None else None,
            "column": loc.column if loc is not None else None,
            "end_column": loc.end_column if loc is not None else None,
            "layer": self.layer,
            "where": self.where,
            "message": self.message,
            "hint": self.hint,
            "notes": list(self.all_notes()),
        }

    def all_notes(self) -> tuple[str, ...]:
        """The location's notes, then the diagnostic's own."""
        return (self.location.notes if self.location is not None else ()) + self.notes


EXCERPT = 100  # columns of a long spec line shown around the value at fault

# Invisible characters that steer terminals and text layout (ESC sequences, bidi overrides, line separators);
# the zero-width (non-)joiner stays allowed because emoji sequences and some scripts need it.
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
JOINERS = "\u200c\u200d"


def visible(text: str, keep: str = "") -> str:
    """``text`` with each control, format or line-separator character but those in ``keep`` written as an
    escape (``\\x1b``, ``\\u202e``): a message quoting a model file's text cannot steer the terminal."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch not in keep and ch not in JOINERS and unicodedata.category(ch) in UNSAFE_CATEGORIES:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def display_width(text: str) -> int:
    """Terminal columns of ``text``: 2 for wide and full-width characters (CJK, most emoji), 0 for combining
    marks, zero-width and format characters, 1 otherwise (Unicode's East Asian Width, UAX #11)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _excerpt(text: str, column: int, width: int) -> tuple[str, int, int]:
    """At most ``EXCERPT`` columns of ``text`` around ``column`` (0-based), with ``…`` where text was cut;
    returns the excerpt and the caret's column and width in it."""
    if len(text) <= EXCERPT:
        return text, column, width
    width = min(width, EXCERPT // 2)
    start = max(0, min(column - EXCERPT // 4, len(text) - EXCERPT))
    end = start + EXCERPT
    head = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    return head + text[start:end] + tail, column - start + len(head), width


class CnncalcError(Exception):
    """Base class of every error cnncalc reports to a user (exit code 2 in the CLI)."""

    def render(self) -> str:
        return f"error: {visible(str(self))}"

    def to_dict(self) -> dict[str, object]:
        """The error for tools: ``error`` (one line) and ``diagnostics`` (see :meth:`Diagnostic.to_dict`)."""
        return {"error": str(self), "diagnostics": [Diagnostic(str(self)).to_dict()]}


class SpecError(CnncalcError):
    """A spec that cannot be read or analysed; holds one diagnostic per independent problem."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        if not diagnostics:
            raise ValueError("SpecError needs at least one diagnostic")
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(self.diagnostics[0].headline())

    @classmethod
    def single(cls, message: str, *, hint: str | None = None, **kw: object) -> SpecError:
        return cls([Diagnostic(message, hint, **kw)])  # type: ignore[arg-type]

    def render(self) -> str:
        blocks = [f"error: {d.render()}" for d in self.diagnostics]
        if len(self.diagnostics) > 1:
            blocks.append(f"{len(self.diagnostics)} errors")
        return "\n".join(blocks)

    def to_dict(self) -> dict[str, object]:
        return {"error": str(self), "diagnostics": [d.to_dict() for d in self.diagnostics]}


class UsageError(CnncalcError):
    """A command-line value that is well-formed for the shell but wrong for cnncalc (e.g. ``--input``)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.hint = hint
        super().__init__(message)

    def render(self) -> str:
        text = f"error: {visible(str(self))}"
        if self.hint:
            text += f"\n  hint: {visible(self.hint, keep=chr(10))}"
        return text

    def to_dict(self) -> dict[str, object]:
        return {"error": str(self), "hint": self.hint, "diagnostics": [Diagnostic(str(self), self.hint).to_dict()]}


class ShapeError(Exception):
    """Raised by a layer kind's arithmetic; the analysis adds the layer path and location.

    ``arg`` names the argument at fault so the location can point at its value.
    """

    def __init__(self, message: str, hint: str | None = None, arg: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.arg = arg


class Unexportable(Exception):
    """A layer PyTorch has no equivalent for, or whose kind has no PyTorch lowering; the exporter and the
    tool conventions report it with the layer's location."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
