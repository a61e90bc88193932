"""The result of an analysis: immutable per-layer rows, module aggregates, totals and warnings.

``Report.to_dict()`` is the JSON contract (``schema_version`` 1); its keys are documented in docs/json.md
and only ever extended.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import field, fields
from typing import Any

from .derivation import dims
from .layers import Calc, Layer, Shape
from .receptive import Field, field_dict
from .record import record

SCHEMA_VERSION = 1
DTYPES: dict[str, int] = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}
CONVENTION = (
    "MACs = multiply-accumulates of conv, deconv and fc weights (bias additions and other layers are not "
    "counted); FLOPs = 2 × MACs"
)


@record
class Counts:
    """Parameter and cost figures shared by layer rows, module rows and totals."""

    weights: int
    biases: int
    non_trainable_params: int
    macs: int  # for the whole batch
    activations: int  # output elements for the whole batch
    param_bytes: int
    activation_bytes: int
    other_ops: int  # for the whole batch; counted only under --convention full

    @property
    def params(self) -> int:
        """Learnable parameters: weights + biases (PyTorch's ``sum(p.numel())``)."""
        return self.weights + self.biases

    @property
    def total_params(self) -> int:
        """Learnable + non-trainable (Keras's "Total params")."""
        return self.params + self.non_trainable_params

    @property
    def flops(self) -> int:
        """2 × MACs, plus the other ops where the convention counts them."""
        return 2 * self.macs + self.other_ops

    def counts(self) -> dict[str, int]:
        """The figures by field name, to build a row, module or totals from: ``Totals(**c.counts(), …)``."""
        return {name: getattr(self, name) for name in COUNT_FIELDS}

    def counts_dict(self) -> dict[str, int]:
        return {
            "params": self.params,
            "non_trainable_params": self.non_trainable_params,
            "weights": self.weights,
            "biases": self.biases,
            "macs": self.macs,
            "flops": self.flops,
            "activations": self.activations,
            "param_bytes": self.param_bytes,
            "activation_bytes": self.activation_bytes,
            "other_ops": self.other_ops,
        }


COUNT_FIELDS = tuple(f.name for f in fields(Counts))


@record
class LayerResult(Counts):
    """One row in execution order: a layer, or the merge of a parallel (``input_shapes`` > 1)."""

    name: str  # full path, e.g. inception_3a/b2/conv2
    type: str
    depth: int
    input_shapes: tuple[Shape, ...]
    output_shape: Shape
    inputs: tuple[str, ...]  # the rows that produce the inputs ("input" for the network input)
    details: str
    is_merge: bool = False
    receptive_field: Field = ()  # per spatial axis of the output; () without spatial axes
    layer: Layer | None = field(default=None, compare=False, repr=False)  # None for a merge
    calc: Calc | None = field(default=None, compare=False, repr=False)  # what the kind computed, per sample

    @property
    def input_shape(self) -> Shape:
        return self.input_shapes[0]

    @property
    def unknown_cost(self) -> bool:
        """Whether the row's MACs are unknown (an ``opaque`` row): counted as 0, so totals are lower bounds."""
        return self.calc is not None and self.calc.unknown_cost

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "depth": self.depth}
        if self.is_merge:
            out["input_shapes"] = [list(s) for s in self.input_shapes]
        else:
            out["input_shape"] = list(self.input_shape)
        out["output_shape"] = list(self.output_shape)
        out.update(self.counts_dict())
        out["inputs"] = list(self.inputs)
        out["details"] = self.details
        out["receptive_field"] = field_dict(self.receptive_field)
        out["unknown_cost"] = self.unknown_cost
        return out


@record
class ModuleResult(Counts):
    """A block instance, parallel, branch, repeat or repeat copy, with the sums of the rows inside."""

    name: str
    type: str
    depth: int
    input_shape: Shape
    output_shape: Shape
    layers: int  # rows inside
    details: str
    receptive_field: Field = ()  # of its output (its last row's)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "depth": self.depth,
            "input_shape": list(self.input_shape),
            "output_shape": list(self.output_shape),
        }
        out.update(self.counts_dict())
        out["layers"] = self.layers
        out["details"] = self.details
        out["receptive_field"] = field_dict(self.receptive_field)
        return out


@record
class Totals(Counts):
    layers: int
    peak_activations: int = 0  # the most elements alive at once in a forward pass (cnncalc.memory)
    peak_activation_bytes: int = 0
    peak_activation_layer: str = ""  # the row running at the peak
    unknown_cost_rows: int = 0  # rows whose MACs are unknown (opaque): MACs and FLOPs are then lower bounds
    convention_params: int = 0  # the parameters as the convention's tool counts them (onnx-tool: with buffers)

    @property
    def trainable_params(self) -> int:
        return self.params

    def to_dict(self) -> dict[str, int | str]:
        counts: dict[str, int | str] = dict(self.counts_dict())
        return {
            "params": counts.pop("params"),
            "trainable_params": self.trainable_params,
            "non_trainable_params": counts.pop("non_trainable_params"),
            "total_params": self.total_params,
            **counts,
            "layers": self.layers,
            "peak_activations": self.peak_activations,
            "peak_activation_bytes": self.peak_activation_bytes,
            "peak_activation_layer": self.peak_activation_layer,
            "unknown_cost_rows": self.unknown_cost_rows,
            "convention_params": self.convention_params,
        }

    @property
    def unknown_cost_note(self) -> str:
        """What every output says when rows have an unknown cost (empty when none has)."""
        n = self.unknown_cost_rows
        if not n:
            return ""
        return f"{n} row{'s have' if n != 1 else ' has'} unknown cost: MACs and FLOPs are lower bounds"


@record
class ReportWarning:
    layer: str | None
    message: str
    kind: str  # "geometry" (input a layer never reads) or "spec" (e.g. an unused block parameter)

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "message": self.message, "kind": self.kind}


@record
class Row:
    """One line of a rendered table: an entry, and whether it heads rows that follow (no figures)."""

    entry: LayerResult | ModuleResult
    header: bool


@record
class Output:
    """A network output: the main one (named after the row that produces it) or a side output."""

    name: str  # the side output's path, or the producing row's path for the main output
    shape: Shape
    layer: str  # the row that produces it ("input" when no layer does)

    def to_dict(self, main: bool) -> dict[str, Any]:
        return {"name": self.name, "shape": list(self.shape), "layer": self.layer, "main": main}


@record
class Report:
    name: str
    description: str | None
    source: str | None
    input_shape: Shape
    output_shape: Shape
    batch: int
    dtype: str
    layers: tuple[LayerResult, ...]
    modules: tuple[ModuleResult, ...]
    totals: Totals
    warnings: tuple[ReportWarning, ...]
    order: tuple[LayerResult | ModuleResult, ...]  # every entry, a module before what it contains
    outputs: tuple[Output, ...] = ()  # the main output first, then side outputs in execution order
    convention: str = "default"  # how MACs are counted (cnncalc.conventions)
    convention_text: str = CONVENTION

    @property
    def side_outputs(self) -> tuple[Output, ...]:
        return self.outputs[1:]

    def rows(self, depth: int | None = None) -> tuple[Row, ...]:
        """Rows to display: modules deeper than ``depth`` are folded into one row each.

        A module whose contents are listed is a header: the rows that are not headers add up to the
        totals (renderers show a header's own sums as a subtotal, set apart).
        """
        rows = []
        for entry in self.order:
            if depth is not None and entry.depth > depth:
                continue
            is_module = isinstance(entry, ModuleResult)
            rows.append(Row(entry, header=is_module and (depth is None or entry.depth < depth)))
        return tuple(rows)

    def mac_share(self, entry: Counts) -> float:
        """The entry's share of the total MACs, 0–1."""
        return entry.macs / self.totals.macs if self.totals.macs else 0.0

    def param_share(self, entry: Counts) -> float:
        """The entry's share of the learnable parameters, 0–1."""
        return entry.params / self.totals.params if self.totals.params else 0.0

    def find(self, name: str) -> LayerResult | ModuleResult | None:
        """A layer or module by its full path (a module's output is its last row's)."""
        for entry in self.order:
            if entry.name == name:
                return entry
        return None

    def resolve(self, name: str) -> LayerResult | ModuleResult | list[str]:
        """A row or module by full path, else by its own (last) name when that is unique; else the paths
        of every entry with that own name (none when nothing is called so)."""
        found = self.find(name)
        if found is not None:
            return found
        matches = [e for e in self.order if e.name.rsplit("/", 1)[-1] == name]
        if len(matches) == 1:
            return matches[0]
        return [e.name for e in matches]

    def __iter__(self) -> Iterator[LayerResult]:
        return iter(self.layers)

    def to_dict(self) -> dict[str, Any]:
        return {key: list(value) if isinstance(value, Iterator) else value for key, value in self.json_fields().items()}

    def json_fields(self) -> dict[str, Any]:
        """:meth:`to_dict`'s keys in order, with the lists of objects (outputs, layers, modules, warnings)
        as iterators, so that a renderer can write a 100,000-row report without holding every row's dict."""
        return {
            "schema_version": SCHEMA_VERSION,
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "input_shape": list(self.input_shape),
            "output_shape": list(self.output_shape),
            "outputs": (o.to_dict(main=i == 0) for i, o in enumerate(self.outputs)),
            "batch": self.batch,
            "dtype": self.dtype,
            "convention": self.convention,
            "convention_text": self.convention_text,
            "layers": (row.to_dict() for row in self.layers),
            "modules": (m.to_dict() for m in self.modules),
            "totals": self.totals.to_dict(),
            "warnings": (w.to_dict() for w in self.warnings),
        }

    def __repr__(self) -> str:
        t = self.totals
        return (
            f"<Report {self.name!r}: {dims(self.input_shape)} → {dims(self.output_shape)}, {len(self.layers)} layers, "
            f"params={t.params:,}, MACs={t.macs:,}, warnings={len(self.warnings)}>"
        )
