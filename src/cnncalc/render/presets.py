"""The preset list (``cnncalc preset --list``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from ..loader import preset, preset_names


@dataclass(frozen=True, slots=True)
class PresetRow:
    name: str
    summary: str
    source: str


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
        rows.append(PresetRow(name, _first_sentence(spec.description), " ".join((spec.source or "").split())))
    return rows


def presets_text(rows: list[PresetRow], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["name", "summary", "source"])
        writer.writerows([r.name, r.summary, r.source] for r in rows)
        return buffer.getvalue()
    lines = ["| Preset | Description | Source |", "|---|---|---|"]
    lines += [f"| {r.name} | {r.summary} | {r.source} |" for r in rows]
    return "\n".join(lines) + "\n"


def render_preset_list(rows: list[PresetRow]) -> Any:
    from rich.table import Table

    table = Table(title="cnncalc presets", title_justify="left", header_style="bold")
    table.add_column("Preset", no_wrap=True)
    table.add_column("Description", ratio=2)
    table.add_column("Source", ratio=1, style="dim")
    for r in rows:
        table.add_row(r.name, r.summary, r.source)
    return table
