"""The preset catalogue (``cnncalc presets``): each built-in network's figures beside its source."""

from __future__ import annotations

from .analysis import analyze
from .loader import preset, preset_names
from .record import record


@record
class PresetRow:
    name: str
    summary: str  # the description's first sentence
    source: str
    params: int  # learnable parameters at the preset's own input size
    macs: int


def _first_sentence(text: str | None) -> str:
    if not text:
        return ""
    flat = " ".join(text.split())
    end = flat.find(": ")
    end2 = flat.find(". ")
    cut = min(e for e in (end, end2, len(flat)) if e >= 0)
    return flat[:cut].rstrip(".")


def preset_rows() -> list[PresetRow]:
    """Every preset analysed at its own input size."""
    rows = []
    for name in preset_names():
        spec = preset(name)
        totals = analyze(spec).totals
        source = " ".join((spec.source or "").split())
        rows.append(PresetRow(name, _first_sentence(spec.description), source, totals.params, totals.macs))
    return rows
