"""Number and shape formatting shared by the renderers."""

from __future__ import annotations

from ..derivation import dims
from ..report import Report

_UNITS = ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "K"))
_BYTES = ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB"))


def human(n: int) -> str:
    """Decimal units: 34944 → ``34.94K``, 724406816 → ``724.41M``."""
    for size, unit in _UNITS:
        if abs(n) >= size:
            return f"{n / size:.2f}{unit}"
    return str(n)


def human_bytes(n: int) -> str:
    """Binary units: 243860896 → ``232.56 MiB``."""
    for size, unit in _BYTES:
        if abs(n) >= size:
            return f"{n / size:.2f} {unit}"
    return f"{n} B"


def count(n: int, exact: bool) -> str:
    return f"{n:,}" if exact else human(n)


def both(n: int) -> str:
    """``60,965,224 (60.97M)`` — exact, with the human form when it differs."""
    short = human(n)
    return f"{n:,}" if short == str(n) else f"{n:,} ({short})"


shape = dims  # the one shape formatter: 3×224×224


def percent(share: float) -> str:
    if share == 0:
        return ""
    return "<0.1%" if share < 0.001 else f"{share * 100:.1f}%"


def side_outputs(report: Report) -> str:
    """``Side outputs: aux1 1000 (from aux1/fc2), aux2 1000 (from aux2/fc2)``."""
    items = [f"{o.name} {shape(o.shape)} (from {o.layer})" for o in report.side_outputs]
    return "Side outputs: " + ", ".join(items)


def convention_line(report: Report) -> str:
    """The table footer: the counting convention in force and what it counts."""
    return f"Convention {report.convention}: {report.convention_text}."


def markdown_cell(text: str) -> str:
    """Text for a Markdown table cell: a ``|`` would end the cell, a backslash would escape what follows,
    ``<`` could open HTML and a line break would end the row."""
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
    return " ".join(text.splitlines())
