"""The preset catalogue (``cnncalc presets``) as a rich table, JSON, CSV or Markdown."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from ..catalog import PresetRow
from .fmt import human

_HEADINGS = ("Preset", "Description", "Params", "MACs", "Source")


def render_json(rows: Sequence[PresetRow]) -> str:
    return json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False) + "\n"


def render_csv(rows: Sequence[PresetRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "summary", "source", "params", "macs"])
    writer.writerows([r.name, r.summary, r.source, r.params, r.macs] for r in rows)
    return buffer.getvalue()


def render_markdown(rows: Sequence[PresetRow]) -> str:
    lines = ["| " + " | ".join(_HEADINGS) + " |", "|---|---|--:|--:|---|"]
    lines += [f"| {r.name} | {r.summary} | {r.params:,} | {human(r.macs)} | {r.source} |" for r in rows]
    return "\n".join(lines) + "\n"


def render_table(rows: Sequence[PresetRow]) -> Any:
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
