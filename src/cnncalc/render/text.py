"""Plain-text renderers: JSON, CSV and Markdown."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Iterator, Sequence

from ..report import LayerResult, ModuleResult, Report, Row
from .columns import DEFAULT_VIEW, Column, View, totals
from .fmt import convention_line, markdown_cell, shape, side_outputs


def render_json(report: Report, view: View = DEFAULT_VIEW) -> str:
    return "".join(json_chunks(report))


def json_chunks(report: Report, view: View = DEFAULT_VIEW) -> Iterator[str]:
    """The text of :func:`render_json` in pieces, to write as they come (a 100,000-row report is 50 MB of
    JSON: holding it, or every row's dict, would double the peak memory).

    The layout is one key of the report per line, and one object per line in the lists of layers,
    modules, outputs and warnings; ``totals`` is indented. Each line is encoded by ``json.dumps``, whose C
    encoder is about 20 times faster than the pure-Python one an indented ``json.dumps`` of the whole
    report goes through. The content (keys, values, order) is exactly ``report.to_dict()``'s.
    """
    dumps = functools.partial(json.dumps, ensure_ascii=False)
    separator = "{\n  "
    for key, value in report.json_fields().items():
        yield f"{separator}{dumps(key)}: "
        separator = ",\n  "
        if isinstance(value, Iterator):
            first = next(value, None)
            if first is None:
                yield "[]"
                continue
            yield "[\n    " + dumps(first)
            for item in value:
                yield ",\n    " + dumps(item)
            yield "\n  ]"
        elif isinstance(value, dict):
            yield dumps(value, indent=2).replace("\n", "\n  ")  # a raw newline is only ever indentation
        else:
            yield dumps(value)
    yield "\n}\n"


CSV_COLUMNS = (
    "name",
    "type",
    "kind",
    "depth",
    "input_shape",
    "output_shape",
    "params",
    "non_trainable_params",
    "weights",
    "biases",
    "macs",
    "flops",
    "activations",
    "param_bytes",
    "activation_bytes",
    "details",
    "other_ops",
)


def _kind(entry: LayerResult | ModuleResult) -> str:
    if isinstance(entry, ModuleResult):
        return "module"
    return "merge" if entry.is_merge else "layer"


def _inputs(entry: LayerResult | ModuleResult) -> str:
    if isinstance(entry, LayerResult):
        return ";".join(shape(s) for s in entry.input_shapes)
    return shape(entry.input_shape)


def render_csv(report: Report, view: View = DEFAULT_VIEW) -> str:
    """One row per layer and merge (modules folded at the view's depth); shapes as ``3x224x224``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows(view.depth):
        if row.header:
            continue
        e = row.entry
        writer.writerow(
            [
                e.name,
                e.type,
                _kind(e),
                e.depth,
                _inputs(e).replace("×", "x"),
                shape(e.output_shape).replace("×", "x"),
                e.params,
                e.non_trainable_params,
                e.weights,
                e.biases,
                e.macs,
                e.flops,
                e.activations,
                e.param_bytes,
                e.activation_bytes,
                e.details,
                e.other_ops,
            ]
        )
    return buffer.getvalue()


def _md_row(report: Report, row: Row, exact: bool, columns: Sequence[Column]) -> str:
    e = row.entry
    cells = []
    for c in columns:
        if row.header and not c.on_headers:  # a block's subtotal, in italics (dimmed in the table)
            text = markdown_cell(c.cell(report, e, exact))
            cells.append(f"_{text}_" if text else "")
        elif c.name == "layer" and row.header:
            cells.append(f"**{markdown_cell(e.name)}**")
        else:
            cells.append(markdown_cell(c.cell(report, e, exact)))
    return "| " + " | ".join(cells) + " |"


def render_markdown(report: Report, view: View = DEFAULT_VIEW) -> str:
    columns = view.shown
    lines = [
        f"## {report.name}",
        "",
        f"Input {shape(report.input_shape)} → output {shape(report.output_shape)}, batch {report.batch}, "
        f"{report.dtype}.",
        "",
        *([side_outputs(report) + ".", ""] if report.side_outputs else []),
        "| " + " | ".join(c.heading for c in columns) + " |",
        "|" + "|".join("--:" if c.numeric else "---" for c in columns) + "|",
    ]
    lines.extend(_md_row(report, row, view.exact, columns) for row in report.rows(view.depth))
    lines += ["", "| Total | |", "|---|--:|"]
    lines += [f"| {markdown_cell(label)} | {markdown_cell(value)} |" for label, value in totals(report)]
    lines += ["", f"_{convention_line(report)}_"]
    return "\n".join(lines) + "\n"
