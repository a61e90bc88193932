"""Derivations (``cnncalc explain``, ``cnncalc layer``) as plain text, Markdown and JSON."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence

from ..derivation import Line, num
from ..explain import Explanation
from ..report import SCHEMA_VERSION, Report
from .fmt import markdown_cell, shape


def _heading(e: Explanation) -> str:
    row = e.row
    inputs = " + ".join(shape(s) for s in row.input_shapes)
    parts = [f"{row.name} ({row.type}): {inputs} → {shape(row.output_shape)}"]
    if row.params:
        parts.append(f"{num(row.params)} params")
    if row.macs:
        parts.append(f"{num(row.macs)} MACs")
    return ", ".join(parts)


def _equation(line: Line) -> str:
    """``weights = 11·11·3·96 = 34,848``; the expression is left out when it is the value itself."""
    value = num(line.value)
    return (
        f"{line.quantity} = {value}" if line.expression == value else f"{line.quantity} = {line.expression} = {value}"
    )


def _title(report: Report) -> str:
    batch = f", batch {report.batch}" if report.batch > 1 else ""
    return f"{report.name}: {shape(report.input_shape)} → {shape(report.output_shape)}{batch}"


def render_text(report: Report, explanations: Sequence[Explanation], width: int = 100) -> str:
    blocks = [_title(report)]
    for e in explanations:
        lines = [_heading(e)]
        lines += [textwrap.fill(t, width, initial_indent="  ", subsequent_indent="  ") for t in e.derivation.text]
        equations = [_equation(line) for line in e.derivation.lines]
        pad = max((len(eq) for eq in equations), default=0)
        lines += [
            f"    {eq:<{pad}}   ({line.formula})" if line.formula else f"    {eq}"
            for eq, line in zip(equations, e.derivation.lines, strict=True)
        ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def render_markdown(report: Report, explanations: Sequence[Explanation]) -> str:
    out = [f"## {markdown_cell(_title(report))}"]
    for e in explanations:
        out += ["", f"### {markdown_cell(_heading(e))}", ""]
        out += [markdown_cell(t) for t in e.derivation.text]
        if e.derivation.lines:
            out += ["", "| quantity | formula | with the numbers | value |", "|---|---|---|--:|"]
            cells = ((line.quantity, line.formula, line.expression, num(line.value)) for line in e.derivation.lines)
            out += ["| " + " | ".join(markdown_cell(c) for c in row) + " |" for row in cells]
    return "\n".join(out) + "\n"


def render_json(report: Report, explanations: Sequence[Explanation]) -> str:
    data = {
        "schema_version": SCHEMA_VERSION,
        "name": report.name,
        "input_shape": list(report.input_shape),
        "output_shape": list(report.output_shape),
        "batch": report.batch,
        "layers": [e.to_dict() for e in explanations],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_html(report: Report, explanations: Sequence[Explanation]) -> str:
    """A self-contained page: per row its heading, the picture of a conv or pooling layer, the derivation."""
    from ..picture import picture
    from .html import page
    from .picture import derivation_html, esc, picture_svg

    sections = []
    for i, e in enumerate(explanations):
        pic = picture(e.row)
        drawing = picture_svg(pic, f"p{i}") if pic is not None else ""
        sections.append(
            f'<section id="row{i}" data-name="{esc(e.row.name)}"><h2>{esc(_heading(e))}</h2>'
            f'<div class="pair">{drawing}<div>{derivation_html(e)}</div></div></section>'
        )
    body = f'<main class="explain"><h1>{esc(_title(report))}</h1>{"".join(sections)}</main>'
    return page(f"{report.name} — cnncalc explain", body, script=False)
