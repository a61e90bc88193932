"""A sweep (``cnncalc sweep``) as a rich table, JSON, CSV or Markdown."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from ..report import SCHEMA_VERSION
from ..sweep import Setting, Sweep
from .fmt import human, human_bytes, shape

# (heading, Totals attribute, shown with bytes units, with a growth column)
COLUMNS = (
    ("Params", "params", False, True),
    ("MACs", "macs", False, True),
    ("Activation memory", "activation_bytes", True, True),
    ("Peak activation memory", "peak_activation_bytes", True, True),
)


def width(setting: Setting) -> str:
    return f"{float(setting.width):g}"


def growth(value: float) -> str:
    return f"×{value:.2f}"


def _cells(result: Sweep, setting: Setting) -> list[str]:
    cells = [shape(setting.input_shape), width(setting)]
    for _, figure, is_bytes, _ in COLUMNS:
        value = getattr(setting.report.totals, figure)
        cells += [human_bytes(value) if is_bytes else human(value), growth(result.growth(setting, figure))]
    return cells


def _headings() -> list[str]:
    out = ["Input", "Width"]
    for heading, _, _, _ in COLUMNS:
        out += [heading, "×"]
    return out


def render_table(result: Sweep) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from .fit import Fitted

    def build(left_out: frozenset[str]) -> Table:
        table = Table(title=Text(f"{result.name}: sweep"), title_justify="left", header_style="bold")  # not markup
        headings = _headings()
        # a figure left out takes its growth column (the × after it) along
        shown = [i for i, h in enumerate(headings) if h not in left_out and headings[i - 1] not in left_out]
        for i in shown:
            heading = headings[i]
            table.add_column(
                heading, justify="left" if i < 2 else "right", no_wrap=True, style="dim" if heading == "×" else None
            )
        for setting in result.settings:
            cells = _cells(result, setting)
            table.add_row(*(cells[i] for i in shown))
        return table

    table = Fitted(build, ("Peak activation memory", "Activation memory"))
    note = (
        f"× = relative to the first row. Widths multiply every conv/deconv/fc width except the last before each "
        f"output (the classifier's), rounded to multiples of {result.divisor}."
    )
    return Group(table, Text(note, style="dim"))


def to_dict(result: Sweep) -> dict[str, Any]:
    settings = []
    for setting in result.settings:
        t = setting.report.totals
        settings.append(
            {
                "input_shape": list(setting.input_shape),
                "width": float(setting.width),
                "params": t.params,
                "macs": t.macs,
                "flops": t.flops,
                "activations": t.activations,
                "param_bytes": t.param_bytes,
                "activation_bytes": t.activation_bytes,
                "peak_activation_bytes": t.peak_activation_bytes,
                "growth": {figure: result.growth(setting, figure) for _, figure, _, _ in COLUMNS},
            }
        )
    return {"schema_version": SCHEMA_VERSION, "name": result.name, "divisor": result.divisor, "settings": settings}


def render_json(result: Sweep) -> str:
    return json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"


def render_csv(result: Sweep) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    figures = [figure for _, figure, _, _ in COLUMNS]
    writer.writerow(["input_shape", "width", *figures, *(f"{f}_growth" for f in figures)])
    for setting in result.settings:
        t = setting.report.totals
        writer.writerow(
            [
                shape(setting.input_shape).replace("×", "x"),
                width(setting),
                *(getattr(t, f) for f in figures),
                *(f"{result.growth(setting, f):.6g}" for f in figures),
            ]
        )
    return buffer.getvalue()


def render_markdown(result: Sweep) -> str:
    headings = _headings()
    lines = [
        f"## {result.name}: sweep",
        "",
        "| " + " | ".join(headings) + " |",
        "|" + "|".join("---" if i < 2 else "--:" for i in range(len(headings))) + "|",
    ]
    lines += ["| " + " | ".join(_cells(result, s)) + " |" for s in result.settings]
    return "\n".join(lines) + "\n"
