"""Receptive fields, per spatial axis, after Araujo, Norris & Sim, "Computing Receptive Fields of
Convolutional Neural Networks", Distill 2019 (https://distill.pub/2019/computing-receptive-fields/).

Along one axis a layer is a *step*: a window of span ``k`` (with dilation, ``k = d·(k − 1) + 1``),
stride ``s`` and ``p`` positions of padding before the input. Walking forward from the input, where every
position sees itself (``r = 1``, ``S = 1``, ``u = 0``), each step gives

* size    ``r ← r + (k − 1)·S`` — input positions (padding included) one output depends on;
* start   ``u ← u − p·S`` — where the field of output 0 begins, in input coordinates (negative in the
  padding); Araujo's *effective padding* is ``P = −u``;
* jump    ``S ← S·s`` — Araujo's *effective stride*: input positions between neighbouring outputs;

and the field of output ``i`` is ``[u + i·S, u + i·S + r − 1]``, centred at ``u + (r − 1)/2 + i·S``. These
are Araujo's closed forms ``r = Σ (k_l − 1)·Π_{i<l} s_i + 1``, ``S = Π s_l``, ``P = Σ p_l·Π_{i<l} s_i``,
computed one layer at a time.

Each layer kind states its steps (:meth:`cnncalc.layers.Layer.footprint`):

* conv and pooling: one step per axis from the window arithmetic (``ceil_mode`` adds a window at the end
  and does not change any field); zero padding is ``(1, 1, p_before)``;
* transposed conv (stride ``s``): output ``o`` reads the inputs ``⌈(o + p − k + 1)/s⌉ … ⌊(o + p)/s⌋``, at
  most ``⌈k/s⌉`` of them; cnncalc uses the step ``(⌈k/s⌉, 1/s, ⌊(k − 1 − p)/s⌋)``: the largest field any
  output has, output 0's exact start, and the average jump ``S/s`` (a fraction when ``s`` does not divide
  ``S``: outputs sit between input positions). The same step with ``k = s`` describes nearest upsampling.
  A transposed conv with ``s = 1`` is exactly a conv with padding ``k − 1 − p``;
* global pooling and fc read the whole grid of ``n`` positions: the step ``(n, n, 0)``, leaving one
  position (fc after flatten uses the grid before flattening: flatten keeps each element's field);
* adaptive pooling: window ``i`` is ``[⌊i·N/out⌋, ⌈(i+1)·N/out⌉)``: the step is the longest window with the
  average stride ``N/out`` — exact when ``out`` divides ``N``;
* layers that keep the spatial size (activations, normalisation, dropout) change nothing.

A merge (concat, add) reads several fields computed from the same input: its field is their union —
the largest of them whenever they nest, which they do when the branches' grids are aligned. Grids are
aligned when every input has the same jump and its fields the same centres; otherwise the same output
position mixes features of different places of the input, and :func:`merge` says so. An input of one
position along an axis (a broadcast, e.g. a squeeze-and-excitation scale) is left out of that check and
of the union. After an up-sampling (nearest, transposed conv) a map's distinct features sit a *cell*
apart, the coarser jump they had before; centres within half of ``cell − jump`` of each other are the
same place (a U-Net's or FPN's ×2 up-sampling merged with the finer map), anything further warns.

All arithmetic is exact: integers, and :class:`fractions.Fraction` only after a transposed conv or an
adaptive pooling whose stride is not whole.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, TypeAlias

from .geometry import TransposedWindow, Window, axis_name
from .record import record

if TYPE_CHECKING:
    from fractions import Fraction

Number: TypeAlias = "int | Fraction"


@record
class Step:
    """One layer along one axis: window span (dilation applied), stride and padding before the input."""

    span: int
    stride: Number
    pad: int


def step_of(window: Window | TransposedWindow) -> Step:
    """The step of a conv or pooling window, or of a transposed conv (see the module docstring)."""
    if isinstance(window, Window):
        return Step(window.span, window.stride, window.pad_before)
    s = window.stride
    return Step(-(-window.span // s), _ratio(1, s), (window.span - 1 - window.pad_before) // s)


def resampling(size: int, out: int) -> Step:
    """Output ``o`` reads input ``⌊o·N/out⌋`` (nearest resampling): span 1, stride ``N/out``."""
    return Step(1, _ratio(size, out), 0)


WHOLE: Literal["whole"] = "whole"
"""A layer whose every output reads the whole input grid (global pooling, fc)."""

Footprint = tuple[tuple[Step, ...], ...] | Literal["whole"]
"""What a layer does to receptive fields: steps per spatial axis of its input (``()``: none on any
axis), or :data:`WHOLE`."""


def _whole(value: Number) -> Number:
    """A fraction with denominator 1 back to an int, so the common case stays in integers."""
    return value.numerator if not isinstance(value, int) and value.denominator == 1 else value


def _ratio(a: Number, b: int) -> Number:
    """``a / b`` exactly: an int when ``b`` divides ``a``, else a fraction."""
    if isinstance(a, int) and a % b == 0:
        return a // b
    from fractions import Fraction  # only when needed: it imports decimal, which costs more than cnncalc's import

    return _whole(Fraction(a) / b)


@record
class AxisField:
    """The receptive field of a layer's outputs along one spatial axis, in input positions."""

    size: Number  # r
    jump: Number  # S, the effective stride
    start: Number  # u = −P: where the field of output 0 begins
    positions: int  # the length of the output grid along this axis
    # the spacing of distinct features in input positions: the jump, or the coarser jump the features had
    # before an upsampling (nearest, transposed conv) spread them over a finer grid; None means the jump
    cell: Number | None = None

    @property
    def spacing(self) -> Number:
        return self.jump if self.cell is None else self.cell

    @property
    def padding(self) -> Number:
        """Araujo's effective padding ``P = −u``."""
        return -self.start

    @property
    def twice_centre(self) -> Number:
        """``2u + r − 1``: twice the centre, an integer whenever the field's figures are."""
        return 2 * self.start + self.size - 1

    @property
    def centre(self) -> Number:
        """Centre of output 0's field, ``u + (r − 1)/2``; output ``i``'s is ``centre + i·S``."""
        twice = self.twice_centre
        return _ratio(twice, 2)

    def after(self, step: Step) -> AxisField:
        jump = _whole(self.jump * step.stride)
        cell = max(self.spacing, jump)
        return AxisField(
            size=_whole(self.size + (step.span - 1) * self.jump),
            jump=jump,
            start=_whole(self.start - step.pad * self.jump),
            positions=self.positions,
            cell=None if cell == jump else cell,
        )

    def whole(self) -> AxisField:
        """Every output reads all ``n`` positions: the step ``(n, n, 0)``, leaving one position."""
        n = self.positions
        return AxisField(
            size=_whole(self.size + (n - 1) * self.jump), jump=_whole(self.jump * n), start=self.start, positions=1
        )


Field = tuple[AxisField, ...]


def input_field(spatial: Sequence[int]) -> Field:
    """The network input: every position sees itself."""
    return tuple(AxisField(1, 1, 0, n) for n in spatial)


def advance(field: Field, footprint: Footprint, out_spatial: Sequence[int]) -> Field:
    """The field after a layer with ``footprint`` whose output has ``out_spatial`` positions per axis.

    An output without spatial axes (flatten, fc) keeps the grid of its input, so that a later fc still
    knows how many positions it reads.
    """
    if footprint == WHOLE:
        return tuple(axis.whole() for axis in field)
    if not footprint and (len(out_spatial) != len(field) or all(map(_same, field, out_spatial))):
        return field  # shared, not copied: most layers keep their input's grid
    out: list[AxisField] = []
    for i, axis in enumerate(field):
        for step in footprint[i] if footprint else ():
            axis = axis.after(step)
        if len(out_spatial) == len(field):
            axis = AxisField(axis.size, axis.jump, axis.start, out_spatial[i], axis.cell)
        out.append(axis)
    return tuple(out)


def _same(axis: AxisField, positions: int) -> bool:
    return axis.positions == positions


def merge_fields(fields: Sequence[Field], labels: Sequence[str]) -> tuple[Field, tuple[str, ...]]:
    """The field of a merge of ``fields`` (one per input, from the same network input), and a message for
    every axis along which the inputs' grids are not aligned."""
    rank = min(len(f) for f in fields)
    merged: list[AxisField] = []
    problems: list[str] = []
    for i in range(rank):
        axes = [f[i] for f in fields]
        positions = max(a.positions for a in axes)
        grid = [a for a in axes if a.positions == positions]
        ref = grid[0]
        # an upsampled input's features sit a cell apart: centres within (cell − jump)/2 of each other are
        # the same place (a U-Net's or FPN's ×2 up-sampling merged with the finer map)
        tolerance = max(a.spacing - a.jump for a in grid)
        if positions > 1 and any(a.jump != ref.jump or _apart(a, ref, tolerance) for a in grid):
            listing = ", ".join(
                f"{label} centre {show(a.centre)} jump {show(a.jump)}"
                for label, a in zip(labels, axes, strict=False)
                if a.positions == positions
            )
            problems.append(
                f"the inputs' grids are not aligned along {axis_name(rank, i)} ({listing}, in input positions): "
                "the same output position combines features of different places of the input"
            )
        # a broadcast input (one position, a squeeze-and-excitation gate) scales every position alike: it is
        # left out of the union, as it is of the alignment check
        start = min(a.start for a in grid)
        end = max(a.start + a.size for a in grid)
        # when the fields nest, the union is the largest input's own field: share it
        union = next((a for a in grid if a.start == start and a.start + a.size == end), None)
        merged.append(union or AxisField(_whole(end - start), ref.jump, start, positions, ref.cell))
    same = next((f for f in fields if len(f) == rank and all(map(operator.is_, f, merged))), None)
    return (tuple(merged) if same is None else same), tuple(problems)


def _apart(a: AxisField, b: AxisField, tolerance: Number) -> bool:
    """Whether the centres of two grids differ by more than ``tolerance / 2`` (compared doubled)."""
    diff = a.twice_centre - b.twice_centre
    return diff > tolerance or -diff > tolerance


def show(value: Number) -> str:
    """``163``, ``2.5`` or ``0.333``: a field figure for text."""
    return str(value) if isinstance(value, int) else f"{float(value):.4g}"


def to_json(value: Number) -> int | float:
    """Integers stay exact; fractional figures (after a transposed conv) become floats."""
    return value if isinstance(value, int) else float(value)


def field_dict(field: Field) -> dict[str, list[int | float]] | None:
    """The JSON form: per-axis lists of size, jump, padding and centre; None without spatial axes."""
    if not field:
        return None
    size, jump, padding, centre = [], [], [], []
    whole = True
    for a in field:
        c = a.centre
        size.append(a.size)
        jump.append(a.jump)
        padding.append(-a.start)
        centre.append(c)
        whole = whole and type(a.size) is int and type(a.jump) is int and type(a.start) is int and type(c) is int
    figures = {"size": size, "jump": jump, "padding": padding, "centre": centre}
    if whole:  # the common case, written as is
        return figures  # type: ignore[return-value]  # all ints: Number narrowed to int
    return {key: [to_json(v) for v in values] for key, values in figures.items()}
