"""``cnncalc explain``: every figure of a report, derived with the layer's own numbers.

Each layer kind derives its figures in ``Layer.explain`` from the :class:`~cnncalc.layers.Calc` the
analysis kept (the same computation as the report); this module selects rows, adds the merges', the
receptive-field recurrence (from the fields the analysis computed) and the batch, and returns plain data
for the renderers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from .args import suggest
from .derivation import Derivation, Line, num
from .errors import UsageError
from .geometry import axis_name
from .layers import MERGES
from .memory import INPUT
from .receptive import WHOLE, AxisField, Field, Footprint, Step, input_field
from .record import record
from .report import LayerResult, ModuleResult, Report


@record
class Explanation:
    """One row of a report with the derivation of its figures."""

    row: LayerResult
    derivation: Derivation

    def to_dict(self) -> dict[str, Any]:
        row = self.row
        out: dict[str, Any] = {"name": row.name, "type": row.type}
        if row.is_merge:
            out["input_shapes"] = [list(s) for s in row.input_shapes]
        else:
            out["input_shape"] = list(row.input_shape)
        out["output_shape"] = list(row.output_shape)
        out["params"] = row.params
        out["macs"] = row.macs
        out["text"] = list(self.derivation.text)
        out["lines"] = [line.to_dict() for line in self.derivation.lines]
        return out


def explain(report: Report, layer: str | None = None) -> tuple[Explanation, ...]:
    """Derivations for every row, or for the layer or module named ``layer`` (a path or a unique name)."""
    rows = report.layers if layer is None else select(report, layer)
    fields: dict[str, Field] = {INPUT: input_field(report.input_shape[1:])}
    fields.update((row.name, row.receptive_field) for row in report.layers)
    return tuple(_explain_row(report, row, fields) for row in rows)


def select(report: Report, name: str) -> tuple[LayerResult, ...]:
    """The row with path ``name``, the rows of the module with that path, or the one row whose own name
    (the last path component) is ``name``."""
    entry = report.resolve(name)
    if isinstance(entry, list):
        if entry:
            paths = ", ".join(entry[:5]) + (", …" if len(entry) > 5 else "")
            raise UsageError(
                f"{len(entry)} layers are named '{name}': {paths}", "give the full path, e.g. --layer " + entry[0]
            )
        names = [e.name for e in report.order] + [e.name.rsplit("/", 1)[-1] for e in report.order]
        raise UsageError(f"{report.name} has no layer or block '{name}'", suggest(name, names))
    if isinstance(entry, ModuleResult):
        prefix = entry.name + "/"
        return tuple(row for row in report.layers if row.name.startswith(prefix))
    return (entry,)


def _explain_row(report: Report, row: LayerResult, fields: dict[str, Field]) -> Explanation:
    before = [fields[p] for p in row.inputs]
    if row.layer is None or row.calc is None:
        base = MERGES[row.type].explain(row.input_shapes, row.output_shape)
        lines = [*base.lines, *_merge_field(before, row.receptive_field)]
    else:
        base = row.layer.explain(row.input_shape, row.calc)
        footprint = row.layer.footprint(row.input_shape, row.calc)
        lines = [*base.lines, *_axes(before[0], footprint, row.receptive_field)]
        if report.batch > 1 and row.calc.macs:
            lines.append(Line("MACs (batch)", "MACs · batch", f"{num(row.calc.macs)} · {report.batch}", row.macs))
    warnings = tuple(f"Warning: {w.message.rstrip('.')}." for w in report.warnings if w.layer == row.name)
    return Explanation(row, Derivation((*base.text, *warnings), tuple(lines)))


def _axes(before: Field, footprint: Footprint, after: Field) -> list[Line]:
    """The receptive-field recurrence of each axis."""
    per_axis = []
    for i, (b, a) in enumerate(zip(before, after, strict=False)):
        steps: tuple[Step, ...] | Literal["whole"] = (
            footprint if footprint == WHOLE else (footprint[i] if footprint else ())
        )
        per_axis.append(_field_lines(b, steps, a))
    return _collapse(per_axis)


def _collapse(per_axis: list[list[Line]]) -> list[Line]:
    """One set of lines when every axis has the same, else each line named after its axis."""
    if not per_axis or all(lines == per_axis[0] for lines in per_axis[1:]):
        return per_axis[0] if per_axis else []
    rank = len(per_axis)
    return [
        Line(f"{line.quantity} ({axis_name(rank, i)})", line.formula, line.expression, line.value)
        for i, lines in enumerate(per_axis)
        for line in lines
    ]


def _field_lines(before: AxisField, steps: tuple[Step, ...] | Literal["whole"], after: AxisField) -> list[Line]:
    """``receptive field = r + (k − 1)·S``, ``jump = S·s``, ``effective padding = P + p·S`` per step."""
    if steps == WHOLE:
        n = before.positions
        size = f"{num(before.size)} + ({n} − 1)·{num(before.jump)}"
        return [
            Line("receptive field", "r + (n − 1)·S, all n positions", size, after.size),
            Line("jump", "S·n", f"{num(before.jump)}·{n}", after.jump),
        ]
    if not steps:
        return [Line("receptive field", "unchanged", num(after.size), after.size)]
    lines: list[Line] = []
    current = before
    for step in steps:
        nxt = current.after(step)
        size = f"{num(current.size)} + ({step.span} − 1)·{num(current.jump)}"
        lines.append(Line("receptive field", "r + (k − 1)·S", size, nxt.size))
        if step.stride != 1:
            lines.append(Line("jump", "S·s", f"{num(current.jump)}·{num(step.stride)}", nxt.jump))
        if step.pad:
            padding = f"{num(current.padding)} + {step.pad}·{num(current.jump)}"
            lines.append(Line("effective padding", "P + p·S", padding, nxt.padding))
        current = nxt
    return lines


def _merge_field(before: Sequence[Field], after: Field) -> list[Line]:
    """The union of the inputs' fields: the largest of them when they nest."""
    per_axis = []
    for i, axis in enumerate(after):
        sizes = [f[i].size for f in before]
        if axis.size == max(sizes):
            line = Line(
                "receptive field", "the largest of the inputs'", f"max({', '.join(map(num, sizes))})", axis.size
            )
        else:
            spans = " ∪ ".join(f"[{num(f[i].start)}, {num(f[i].start + f[i].size - 1)}]" for f in before)
            line = Line("receptive field", "the union of the inputs' fields", spans, axis.size)
        per_axis.append([line])
    return _collapse(per_axis)
