"""Walk an expanded spec, apply every layer kind to its input shape, and total the results."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from .args import MAX_SIZE
from .conventions import CONVENTIONS, Convention
from .errors import ShapeError, SpecError, Unexportable, UsageError
from .layers import MERGES, Calc, Layer, Shape
from .layers.base import fmt_shape, numel
from .memory import INPUT, peak_activations
from .receptive import Field, Footprint, advance, input_field, merge_fields
from .report import DTYPES, Counts, LayerResult, ModuleResult, Output, Report, ReportWarning, Totals
from .spec import GroupNode, LayerNode, MergeNode, Node, ParallelNode, Spec

Rewrite = Callable[[LayerNode, Shape], Layer]
"""Replaces a layer given its actual input shape (e.g. :class:`cnncalc.sweep.WidthRule`)."""


def analyze(
    spec: Spec,
    *,
    input_shape: Sequence[int] | None = None,
    batch: int = 1,
    dtype: str = "float32",
    convention: str = "default",
    rewrite: Rewrite | None = None,
) -> Report:
    """Compute every layer's output shape, parameters, MACs, receptive field and memory for ``spec``.

    ``input_shape`` overrides the spec's input (same rank, batch dimension excluded); ``batch``
    multiplies MACs and activations; ``dtype`` sets the bytes per value for the memory figures;
    ``convention`` says how MACs are counted (see :mod:`cnncalc.conventions`); ``rewrite`` replaces each
    layer before it is applied, given its input shape.
    """
    if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= MAX_SIZE:
        raise UsageError(f"batch must be an integer from 1 to {MAX_SIZE:,}, got {batch!r}")
    if dtype not in DTYPES:
        raise UsageError(f"unknown dtype {dtype!r}", f"choose one of {', '.join(DTYPES)}")
    if convention not in CONVENTIONS:
        raise UsageError(f"unknown convention {convention!r}", f"choose one of {', '.join(CONVENTIONS)}")
    shape = spec.input_shape if input_shape is None else _check_input(spec, input_shape)
    walker = _Walker(spec, shape, batch, DTYPES[dtype], CONVENTIONS[convention], rewrite)
    walker.sequence(spec.layers, shape, INPUT, 0)
    outputs = walker.outputs()
    walker.walked()
    layers = tuple(walker.layers)
    total = walker.sums()
    peak = peak_activations(numel(shape) * batch, layers)
    warnings = [ReportWarning(None, f"{at}: {message}", "spec") for at, message in spec.warnings]
    warnings.extend(walker.warnings)
    warnings.extend(_unused(layers, outputs))
    return Report(
        name=spec.name,
        description=spec.description,
        source=spec.source,
        input_shape=shape,
        output_shape=outputs[0].shape,
        batch=batch,
        dtype=dtype,
        layers=layers,
        modules=tuple(e for e in walker.order if isinstance(e, ModuleResult)),
        totals=Totals(
            **total.counts(),
            layers=len(layers),
            peak_activations=peak.elements,
            peak_activation_bytes=peak.elements * DTYPES[dtype],
            peak_activation_layer=peak.layer,
            unknown_cost_rows=sum(1 for row in layers if row.unknown_cost),
            convention_params=CONVENTIONS[convention].params(total),
        ),
        warnings=tuple(warnings),
        order=tuple(e for e in walker.order if e is not None),
        outputs=outputs,
        convention=convention,
        convention_text=CONVENTIONS[convention].text,
    )


def _check_input(spec: Spec, shape: Sequence[int]) -> Shape:
    dims = tuple(shape)
    if len(dims) != len(spec.input_shape):
        raise UsageError(
            f"the input shape {fmt_shape(dims)} has {len(dims)} dimensions but {spec.name} takes "
            f"{len(spec.input_shape)} ({fmt_shape(spec.input_shape)})",
            "keep the spec's rank; only the sizes can change",
        )
    if any(isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= MAX_SIZE for d in dims):
        raise UsageError(f"every input dimension must be an integer from 1 to {MAX_SIZE:,}, got {fmt_shape(dims)}")
    return dims


def _unused(rows: Sequence[LayerResult], outputs: Sequence[Output]) -> list[ReportWarning]:
    """A row whose output no later row reads and that is no output is computed for nothing."""
    read = {producer for row in rows for producer in row.inputs}
    read.update(o.layer for o in outputs)  # not `|`: a second set of every name, at the analysis's peak of memory
    return [
        ReportWarning(row.name, f"the output of {row.name} is never used", "graph")
        for row in rows
        if row.name not in read
    ]


def within_limit(output_shape: Shape) -> None:
    """Every size a layer computes is checked where it is computed: past 2³¹ − 1 no framework can index
    the tensor, and sizes that keep growing (repeated upsampling) would make every later figure huge."""
    if any(d > MAX_SIZE for d in output_shape):
        raise ShapeError(
            f"the output {fmt_shape(output_shape)} has a size past {MAX_SIZE:,} (2³¹ − 1)",
            "a size this large cannot be indexed by any framework: check the strides, scales and padding",
        )


def _computed(layer: Layer, shape: Shape) -> tuple[Calc, Footprint]:
    """What ``layer`` computes on ``shape`` and its footprint, its output size checked (once per distinct layer
    and shape: rows that share them share the result)."""
    calc = layer.apply(shape)
    footprint = layer.footprint(shape, calc)
    within_limit(calc.output_shape)
    return calc, footprint


class _Walker:
    def __init__(
        self, spec: Spec, shape: Shape, batch: int, dtype_bytes: int, convention: Convention, rewrite: Rewrite | None
    ) -> None:
        self.spec = spec
        self.batch = batch
        self.dtype_bytes = dtype_bytes
        self.convention = convention
        self.rewrite = rewrite
        # a layer's figures depend only on its arguments and its input shape: blocks and repeats apply the same
        # layer to the same shape again and again, and their rows share one Calc and one footprint
        self.applied: dict[tuple[Layer, Shape], tuple[Calc, Footprint]] = {}
        self.applied_to: dict[tuple[int, Shape], tuple[Layer, tuple[Calc, Footprint]]] = {}  # by the layer's id
        self.tool_counted: dict[tuple[str, Layer | None, tuple[Shape, ...]], int] = {}  # see tool_macs
        self.inputs: dict[Shape, tuple[Shape]] = {}
        self.figures: dict[int, int] = {}
        # by the Calc's id (held, so that the id is not reused): its figures for the batch and dtype (see scale)
        self.scaled: dict[int, tuple[Calc, int, int, int, int, int]] = {}
        self.input_field = input_field(shape[1:])
        # every row by name: its output shape and receptive field, for the rows that read it
        self.rows: dict[str, LayerResult] = {}
        self.layers: list[LayerResult] = []
        self.order: list[LayerResult | ModuleResult | None] = []
        self.warnings: list[ReportWarning] = []
        self.sides: list[Output] = []
        self.last: tuple[Shape, str] = (shape, INPUT)  # the main path's output so far
        # what each node path that is not a row stands for (a block instance, parallel, branch, repeat, side):
        # its output shape and the row that produces it; a row stands for itself (see output_of)
        self.produced: dict[str, tuple[Shape, str]] = {INPUT: (shape, INPUT)}
        # running totals of weights, biases, buffers, MACs, activations and other ops, and their values before
        # each row where a module begins, so that a module's sums are one subtraction however deeply modules
        # nest (keeping them for every row cost a fifth of the analysis's memory)
        self.running: tuple[int, int, int, int, int, int] = (0, 0, 0, 0, 0, 0)
        self.before: dict[int, tuple[int, int, int, int, int, int]] = {0: self.running}

    def walked(self) -> None:
        """Let go of what only the walk looks up (about 160 bytes per row): the report is assembled next, at
        the analysis's peak of memory."""
        self.applied.clear()
        self.applied_to.clear()
        self.tool_counted.clear()
        self.inputs.clear()
        self.figures.clear()
        self.scaled.clear()
        self.rows.clear()
        self.produced.clear()

    def output_of(self, path: str) -> tuple[Shape, str]:
        """The output shape of the node at ``path`` and the row that produces it."""
        found = self.produced.get(path)
        if found is not None:
            return found
        row = self.rows[path]
        return row.output_shape, row.name

    def field_of(self, name: str) -> Field:
        """The receptive field of the output of row ``name`` (or of the network input)."""
        return self.input_field if name == INPUT else self.rows[name].receptive_field

    def begin(self) -> int:
        """The index of the next row, where a module begins."""
        first = len(self.layers)
        self.before.setdefault(first, self.running)
        return first

    def sums(self, first: int = 0) -> Counts:
        """Sums over the rows from index ``first`` (a module's :meth:`begin`) to the last one so far."""
        return Counts(**self.summed(first))

    def summed(self, first: int) -> dict[str, int]:
        """:meth:`sums` as the keyword arguments of :class:`Counts` (what a module's row is built from)."""
        end, start = self.running, self.before[first]
        weights, biases, buffers = end[0] - start[0], end[1] - start[1], end[2] - start[2]
        activations = end[4] - start[4]
        return {
            "weights": weights,
            "biases": biases,
            "non_trainable_params": buffers,
            "macs": end[3] - start[3],
            "activations": activations,
            "param_bytes": (weights + biases + buffers) * self.dtype_bytes,
            "activation_bytes": activations * self.dtype_bytes,
            "other_ops": end[5] - start[5],
        }

    def row(
        self,
        calc: Calc,
        name: str,
        type_: str,
        depth: int,
        inputs: tuple[Shape, ...],
        producers: tuple[str, ...],
        field: Field,
        layer: Layer | None = None,
    ) -> None:
        found = self.scaled.get(id(calc))
        if found is None or found[0] is not calc:
            found = self.scaled[id(calc)] = (calc, *self.scale(calc))
        _, activations, macs, other_ops, param_bytes, activation_bytes = found
        row = LayerResult(
            weights=calc.weights,
            biases=calc.biases,
            non_trainable_params=calc.buffers,
            macs=macs,
            other_ops=other_ops,
            activations=activations,
            param_bytes=param_bytes,
            activation_bytes=activation_bytes,
            name=name,
            type=type_,
            depth=depth,
            input_shapes=inputs,
            output_shape=calc.output_shape,
            inputs=producers,
            details=calc.details,
            is_merge=layer is None,
            receptive_field=field,
            layer=layer,
            calc=calc,
        )
        if self.convention.tool is not None:
            row = replace(row, macs=self.tool_macs(row))
        self.layers.append(row)
        self.rows[name] = row
        weights, biases, buffers, macs, acts, other = self.running
        self.running = (
            weights + row.weights,
            biases + row.biases,
            buffers + row.non_trainable_params,
            macs + row.macs,
            acts + activations,
            other + row.other_ops,
        )
        self.order.append(row)
        if calc.warnings:
            self.warnings.extend(ReportWarning(name, w, "geometry") for w in calc.warnings)

    def scale(self, calc: Calc) -> tuple[int, int, int, int, int]:
        """A row's activations, MACs, other ops, parameter and activation bytes: ``calc`` (per sample) for the
        batch and the dtype. Rows that share a Calc share these (see :attr:`scaled`)."""
        # one int object per distinct figure: rows repeat a few values, and a fresh int is 32 bytes, five per row
        same = self.figures.setdefault
        activations = numel(calc.output_shape) * self.batch
        macs = calc.macs * self.batch
        other_ops = calc.other_ops * self.batch if self.convention.other_ops else 0
        param_bytes = (calc.weights + calc.biases + calc.buffers) * self.dtype_bytes
        activation_bytes = activations * self.dtype_bytes
        return (
            same(activations, activations),
            same(macs, macs),
            same(other_ops, other_ops),
            same(param_bytes, param_bytes),
            same(activation_bytes, activation_bytes),
        )

    def module(
        self,
        slot: int,
        first_layer: int,
        name: str,
        type_: str,
        depth: int,
        inp: Shape,
        out: Shape,
        details: str,
        last: str,
    ) -> None:
        self.order[slot] = ModuleResult(
            **self.summed(first_layer),
            name=name,
            type=type_,
            depth=depth,
            input_shape=inp,
            output_shape=out,
            layers=len(self.layers) - first_layer,
            details=details,
            receptive_field=self.field_of(last),
        )

    def outputs(self) -> tuple[Output, ...]:
        """The outputs `outputs:` names (else the last row), then the side outputs not among them."""
        if not self.spec.outputs:
            shape, last = self.last
            return (Output(last, shape, last), *self.sides)
        named = tuple(Output(path, *self.output_of(path)) for path in self.spec.outputs)
        return (*named, *(o for o in self.sides if o.name not in self.spec.outputs))

    def sequence(self, nodes: Sequence[Node], shape: Shape, producer: str, depth: int) -> tuple[Shape, str]:
        for node in nodes:
            if isinstance(node, MergeNode):
                out = self.merge_node(node, depth)
            else:
                inp, src = (shape, producer) if node.source is None else self.output_of(node.source)
                if isinstance(node, LayerNode):
                    out = self.layer(node, inp, src, depth)
                elif isinstance(node, ParallelNode):
                    out = self.parallel(node, inp, src, depth)
                else:
                    out = self.group(node, inp, src, depth)
            if not isinstance(node, (LayerNode, MergeNode)):  # a row stands for itself (output_of)
                self.produced[node.path] = out
            if not (isinstance(node, GroupNode) and node.is_side):  # the main path goes on from the side's input
                shape, producer = out
        self.last = (shape, producer)
        return shape, producer

    def layer(self, node: LayerNode, shape: Shape, producer: str, depth: int) -> tuple[Shape, str]:
        ranks = (node.rank,) if isinstance(node.rank, int) else node.rank
        if ranks is not None and len(shape) - 1 not in ranks:
            expected = " or ".join(map(str, ranks))
            raise SpecError(
                [
                    self.spec.diagnostic(
                        f"{node.written_as} expects {expected} spatial {'axis' if ranks == (1,) else 'axes'}, "
                        f"but its input {fmt_shape(shape)} has {len(shape) - 1}",
                        node.origin,
                        hint=f"write {node.type} (any rank) instead of {node.written_as}",
                        layer=node.path,
                        key=True,
                        context=node.context,
                    )
                ]
            )
        try:
            layer = node.layer if self.rewrite is None else self.rewrite(node, shape)
            if node.refs:
                layer = layer.bind({key: self.output_of(path)[0] for key, path in node.refs})
            layer = layer.concrete(shape)
            calc, footprint = self.apply(layer, shape)
        except ShapeError as exc:
            at = node.arg_origins.get(exc.arg, node.origin) if exc.arg else node.origin
            raise SpecError(
                [
                    self.spec.diagnostic(
                        f"{exc.message} (input {fmt_shape(shape)})" if "input" not in exc.message else exc.message,
                        at,
                        hint=exc.hint,
                        layer=node.path,
                        context=node.context,
                    )
                ]
            ) from None
        field = advance(self.field_of(producer), footprint, calc.output_shape[1:])
        inputs = self.inputs.setdefault(shape, (shape,))  # one tuple per shape, shared by the rows reading it
        self.row(calc, node.path, node.type, depth, inputs, (producer,), field, layer)
        return calc.output_shape, node.path

    def tool_macs(self, row: LayerResult) -> int:
        """The row's MACs as a PyTorch tool counts the modules ``cnncalc export`` writes for it: lowered once per
        distinct type, layer and input shapes (the rows of blocks and repeats share them)."""
        key = (row.type, row.layer, row.input_shapes)
        try:
            return self.tool_counted[key]
        except KeyError:
            macs = self.tool_counted[key] = self.lowered_macs(row)
        except TypeError:  # an argument value that cannot be hashed: counted every time
            macs = self.lowered_macs(row)
        return macs

    def lowered_macs(self, row: LayerResult) -> int:
        try:
            return self.convention.count(row, self.batch)
        except Unexportable as exc:
            raise UsageError(
                f"{row.name}: the {self.convention.name} convention counts the PyTorch modules "
                f"`cnncalc export` writes, and it cannot write this layer: {exc.message}",
                exc.hint,
            ) from None

    def apply(self, layer: Layer, shape: Shape) -> tuple[Calc, Footprint]:
        # rows share their layer objects (cnncalc.spec builds one per distinct arguments): looked up by identity
        # first, which spares hashing every argument
        same = self.applied_to.get((id(layer), shape))
        if same is not None and same[0] is layer:
            return same[1]
        found = self.apply_equal(layer, shape)
        self.applied_to[id(layer), shape] = layer, found
        return found

    def apply_equal(self, layer: Layer, shape: Shape) -> tuple[Calc, Footprint]:
        key = (layer, shape)
        try:
            return self.applied[key]
        except KeyError:
            pass
        except TypeError:  # an argument value that cannot be hashed: nothing to share
            return _computed(layer, shape)
        found = self.applied[key] = _computed(layer, shape)
        return found

    def group(self, node: GroupNode, shape: Shape, producer: str, depth: int) -> tuple[Shape, str]:
        slot, first = len(self.order), self.begin()
        self.order.append(None)
        out, last = self.sequence(node.children, shape, producer, depth + 1)
        self.module(slot, first, node.path, node.type, depth, shape, out, node.details, last)
        if node.is_side:
            self.sides.append(Output(node.path, out, last))
        return out, last

    def parallel(self, node: ParallelNode, shape: Shape, producer: str, depth: int) -> tuple[Shape, str]:
        slot, first = len(self.order), self.begin()
        self.order.append(None)
        outputs: list[Shape] = []
        producers: list[str] = []
        for branch in node.branches:
            bslot, bfirst = len(self.order), self.begin()
            self.order.append(None)
            out, last = self.sequence(branch.children, shape, producer, depth + 2)
            details = "identity" if not branch.children else ""
            self.module(bslot, bfirst, branch.path, "branch", depth + 1, shape, out, details, last)
            self.produced[branch.path] = (out, last)
            outputs.append(out)
            producers.append(last)
        labels = [b.name for b in node.branches]
        merged = self.merge_row(node.merge, node.merge_path, outputs, producers, labels, node, depth + 1)
        self.module(
            slot,
            first,
            node.path,
            node.type,
            depth,
            shape,
            merged,
            f"{len(outputs)} branches, {node.merge}",
            node.merge_path,
        )
        return merged, node.merge_path

    def merge_node(self, node: MergeNode, depth: int) -> tuple[Shape, str]:
        shapes, producers = zip(*(self.output_of(source) for source in node.sources), strict=True)
        merged = self.merge_row(node.merge, node.path, shapes, producers, node.sources, node, depth)
        return merged, node.path

    def merge_row(
        self,
        kind: str,
        path: str,
        shapes: Sequence[Shape],
        producers: Sequence[str],
        labels: Sequence[str],
        node: ParallelNode | MergeNode,
        depth: int,
    ) -> Shape:
        """One merge row (a parallel's, or a standalone concat/add/mul) combining ``shapes``."""
        merge = MERGES[kind]
        try:
            merged = merge(shapes, labels)
            within_limit(merged)
        except ShapeError as exc:
            at = node.merge_origin if isinstance(node, ParallelNode) else node.origin
            raise SpecError(
                [self.spec.diagnostic(exc.message, at, hint=exc.hint, layer=path, context=node.context)]
            ) from None
        field, misaligned = merge_fields([self.field_of(p) for p in producers], labels)
        self.warnings.extend(ReportWarning(path, message, "geometry") for message in misaligned)
        self.row(
            Calc(merged, details=merge.details(shapes, merged), other_ops=merge.other_ops(shapes, merged)),
            path,
            kind,
            depth,
            tuple(shapes),
            tuple(producers),
            field,
        )
        return merged
