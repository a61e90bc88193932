"""The preset list (``cnncalc preset --list``): each preset's parameters and MACs beside its source."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from ..analysis import analyze
from ..loader import preset, preset_names
from .fmt import human


@dataclass(frozen=True, slots=True)
class PresetRow:
    name: str
    summary: str
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
    rows = []
    for name in preset_names():
        spec = preset(name)
        totals = analyze(spec).totals
        source = " ".join((spec.source or "").split())
        rows.append(PresetRow(name, _first_sentence(spec.description), source, totals.params, totals.macs))
    return rows


def presets_text(rows: list[PresetRow], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["name", "summary", "source", "params", "macs"])
        writer.writerows([r.name, r.summary, r.source, r.params, r.macs] for r in rows)
        return buffer.getvalue()
    lines = ["| Preset | Description | Params | MACs | Source |", "|---|---|--:|--:|---|"]
    lines += [f"| {r.name} | {r.summary} | {r.params:,} | {human(r.macs)} | {r.source} |" for r in rows]
    return "\n".join(lines) + "\n"


def render_preset_list(rows: list[PresetRow]) -> Any:
    from rich.table import Table

    table = Table(title="cnncalc presets", title_justify="left", header_style="bold")
    table.add_column("Preset", no_wrap=True)
    table.add_column("Description", ratio=2)
    table.add_column("Params", justify="right", no_wrap=True)
    table.add_column("MACs", justify="right", no_wrap=True)
    table.add_column("Source", ratio=1, style="dim")
    for r in rows:
        table.add_row(r.name, r.summary, f"{r.params:,}", human(r.macs), r.source)
    return table
