"""Plain-text renderers: JSON, CSV and Markdown."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..layers import Shape
from ..receptive import Field, field_dict
from ..report import LayerResult, ModuleResult, Report, Row
from .columns import DEFAULT_VIEW, Column, View, totals
from .fmt import convention_line, markdown_cell, shape, side_outputs


def render_json(report: Report, view: View = DEFAULT_VIEW) -> str:
    return "".join(json_chunks(report))


def json_chunks(report: Report, view: View = DEFAULT_VIEW) -> Iterator[str]:
    """The text of :func:`render_json` in pieces, to write as they come (a 100,000-row report is 50 MB of
    JSON: holding it, or every row's dict, would double the peak memory).

    The layout is one key of the report per line, and one object per line in the lists of layers,
    modules, outputs and warnings; ``totals`` is indented. Layer and module lines are written by
    :class:`_Lines` (a template per row, each shape, field and repeated text encoded once), the rest by
    ``json.dumps``, whose C encoder is about 20 times faster than the pure-Python one an indented
    ``json.dumps`` of the whole report goes through. The content (keys, values, order) is exactly
    ``report.to_dict()``'s.
    """
    dumps = functools.partial(json.dumps, ensure_ascii=False)
    lines = _Lines()
    fields = report.json_fields()
    # the rows themselves rather than their dicts, for the encoders of their lines
    fields["layers"], fields["modules"] = iter(report.layers), iter(report.modules)
    encoders: dict[str, Callable[[Any], str]] = {"layers": lines.layer, "modules": lines.module}
    separator = "{\n  "
    for key, value in fields.items():
        yield f"{separator}{dumps(key)}: "
        separator = ",\n  "
        if isinstance(value, Iterator):
            encode: Callable[[Any], str] = encoders.get(key, dumps)
            first = next(value, None)
            if first is None:
                yield "[]"
                continue
            yield "[\n    " + encode(first)
            for item in value:
                yield ",\n    " + encode(item)
            yield "\n  ]"
        elif isinstance(value, dict):
            yield dumps(value, indent=2).replace("\n", "\n  ")  # a raw newline is only ever indentation
        else:
            yield dumps(value)
    yield "\n}\n"


_CACHED = 4096  # encodings each cache of _Lines keeps: rows repeat what is near them, and a 100,000-row
# report has tens of thousands of distinct receptive fields


def _bound(cache: dict[Any, Any]) -> None:
    if len(cache) > _CACHED:
        cache.clear()


class _Lines:
    """``json.dumps(row.to_dict(), ensure_ascii=False)`` of layer and module rows, without building the
    dict: the figures are ints (``str`` is what the encoder writes for them), and what rows share — shapes,
    receptive fields, types and details — is encoded once by ``json.dumps`` itself. The keys and their order
    are :meth:`LayerResult.to_dict`'s and :meth:`ModuleResult.to_dict`'s (a test compares the two on every
    preset and on hostile text)."""

    def __init__(self) -> None:
        self.text = json.encoder.encode_basestring  # json.dumps(str, ensure_ascii=False)'s own function
        self.texts: dict[str, str] = {}
        self.shapes: dict[Shape, str] = {}
        # by id, holding the field so that its id is not reused while the report is written
        self.fields: dict[int, tuple[Field, str]] = {}

    def shared(self, value: str) -> str:
        found = self.texts.get(value)
        if found is None:
            found = self.texts[value] = self.text(value)
            _bound(self.texts)
        return found

    def shape(self, value: Shape) -> str:
        found = self.shapes.get(value)
        if found is None:
            found = self.shapes[value] = json.dumps(list(value))
            _bound(self.shapes)
        return found

    def field(self, value: Field) -> str:
        found = self.fields.get(id(value))
        if found is None:
            found = self.fields[id(value)] = (value, json.dumps(field_dict(value)))
            _bound(self.fields)
        return found[1]

    def counts(self, e: LayerResult | ModuleResult) -> str:
        params, flops = e.weights + e.biases, 2 * e.macs + e.other_ops
        return (
            f'"params": {params}, "non_trainable_params": {e.non_trainable_params}, "weights": {e.weights}, '
            f'"biases": {e.biases}, "macs": {e.macs}, "flops": {flops}, "activations": {e.activations}, '
            f'"param_bytes": {e.param_bytes}, "activation_bytes": {e.activation_bytes}, "other_ops": {e.other_ops}'
        )

    def layer(self, row: LayerResult) -> str:
        shape = self.shape
        if row.is_merge:
            inputs = '"input_shapes": [' + ", ".join(map(shape, row.input_shapes)) + "]"
        else:
            inputs = '"input_shape": ' + shape(row.input_shape)
        return (
            f'{{"name": {self.text(row.name)}, "type": {self.shared(row.type)}, "depth": {row.depth}, {inputs}, '
            f'"output_shape": {shape(row.output_shape)}, {self.counts(row)}, '
            f'"inputs": [{", ".join(map(self.text, row.inputs))}], "details": {self.shared(row.details)}, '
            f'"receptive_field": {self.field(row.receptive_field)}, '
            f'"unknown_cost": {"true" if row.unknown_cost else "false"}}}'
        )

    def module(self, m: ModuleResult) -> str:
        return (
            f'{{"name": {self.text(m.name)}, "type": {self.shared(m.type)}, "depth": {m.depth}, '
            f'"input_shape": {self.shape(m.input_shape)}, "output_shape": {self.shape(m.output_shape)}, '
            f'{self.counts(m)}, "layers": {m.layers}, "details": {self.shared(m.details)}, '
            f'"receptive_field": {self.field(m.receptive_field)}}}'
        )


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
