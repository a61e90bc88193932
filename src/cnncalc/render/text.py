"""Plain-text renderers: JSON, CSV and Markdown."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from ..report import CONVENTION, LayerResult, ModuleResult, Report, Row
from .fmt import both, count, human_bytes, percent, shape


def render_json(report: Report) -> str:
    return "".join(json_chunks(report))


def json_chunks(report: Report) -> Iterator[str]:
    """The text of :func:`render_json` in pieces, to write as they come: a 100,000-row report is 50 MB of
    JSON, and holding its pieces doubled the peak memory."""
    yield from json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(report.to_dict())
    yield "\n"


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
)


def _kind(entry: LayerResult | ModuleResult) -> str:
    if isinstance(entry, ModuleResult):
        return "module"
    return "merge" if entry.is_merge else "layer"


def _inputs(entry: LayerResult | ModuleResult) -> str:
    if isinstance(entry, LayerResult):
        return ";".join(shape(s) for s in entry.input_shapes)
    return shape(entry.input_shape)


def render_csv(report: Report, depth: int | None = None) -> str:
    """One row per layer and merge (modules folded at ``depth``); shapes as ``3x224x224``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows(depth):
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
            ]
        )
    return buffer.getvalue()


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _md_row(report: Report, row: Row, exact: bool) -> str:
    e = row.entry
    name = e.name if not row.header else f"**{e.name}**"
    if row.header:
        cells = [name, e.type, shape(e.output_shape), _md(e.details), "", "", ""]
    else:
        cells = [
            name,
            e.type,
            shape(e.output_shape),
            _md(e.details),
            count(e.params, exact) if e.params else "",
            count(e.macs, exact) if e.macs else "",
            percent(report.mac_share(e)),
        ]
    return "| " + " | ".join(cells) + " |"


def render_markdown(report: Report, depth: int | None = None, exact: bool = False) -> str:
    t = report.totals
    lines = [
        f"## {report.name}",
        "",
        f"Input {shape(report.input_shape)} → output {shape(report.output_shape)}, batch {report.batch}, "
        f"{report.dtype}.",
        "",
        "| Layer | Type | Output | Details | Params | MACs | % MACs |",
        "|---|---|---|---|--:|--:|--:|",
    ]
    lines.extend(_md_row(report, row, exact) for row in report.rows(depth))
    lines += [
        "",
        "| Total | |",
        "|---|--:|",
        f"| Parameters (trainable) | {both(t.params)} |",
        f"| Non-trainable parameters | {both(t.non_trainable_params)} |",
        f"| Total parameters | {both(t.total_params)} |",
        f"| MACs | {both(t.macs)} |",
        f"| FLOPs | {both(t.flops)} |",
        f"| Activations (output elements) | {both(t.activations)} |",
        f"| Parameter memory | {human_bytes(t.param_bytes)} |",
        f"| Activation memory | {human_bytes(t.activation_bytes)} |",
        "",
        f"_{CONVENTION}._",
    ]
    if report.warnings:
        lines += ["", "**Warnings**", ""]
        lines += [f"- `{w.layer}`: {w.message}" if w.layer else f"- {w.message}" for w in report.warnings]
    return "\n".join(lines) + "\n"
