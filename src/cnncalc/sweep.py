"""Scaling sweeps: one spec analysed at several input sizes and width multipliers.

A width multiplier ``α`` (MobileNet's, Howard et al. 2017, section 3.3) scales the output channels of
every layer kind with a width (``conv``, ``deconv``, ``fc``: :attr:`cnncalc.layers.Layer.width`) except
the last ones before each network output — the classifier, whose width is the number of classes, and
likewise every side head's or listed output's (GoogLeNet's auxiliary classifiers keep their 1000 classes).
A scaled width is rounded as MobileNet's reference code does (``_make_divisible`` in tensorflow/models'
research/slim/nets/mobilenet and in torchvision): to the nearest multiple of the divisor, at least the
divisor, and never more than 10% below ``α · width``. Grouped convolutions keep their groups valid:
a depthwise conv (groups = input channels) stays depthwise with its channel multiplier; other groupings
keep their number of groups and round the filters to a multiple of ``lcm(divisor, groups)``.
``α = 1`` leaves the spec exactly as written.

Doubling the width of a chain of convs doubles both ``C_in`` and ``C_out`` of each inner layer, so its
weights and MACs (``k·k·C_in·C_out`` per position) grow about 4×; MACs also grow with the number of
output positions, ``H·W``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from fractions import Fraction

from .analysis import analyze
from .args import MAX_SIZE
from .errors import ShapeError, SpecError, UsageError
from .layers import Layer, Shape
from .record import record
from .report import Report
from .spec import MAX_LAYERS, LayerNode, Spec


def make_divisible(value: Fraction, divisor: int) -> int:
    """The nearest multiple of ``divisor`` to ``value``, at least ``divisor``, at least 90% of ``value``."""
    rounded = max(divisor, int(value + Fraction(divisor, 2)) // divisor * divisor)
    return rounded + divisor if rounded < Fraction(9, 10) * value else rounded


@record
class WidthRule:
    """Rewrites each layer of a spec for the width multiplier ``alpha`` (see the module docstring)."""

    alpha: Fraction
    divisor: int
    keep: frozenset[str]  # the paths of the layers whose width stays: the last with a width before each output
    original_channels: Mapping[str, int]  # each layer's input channels before scaling

    def channels(self, count: int, multiple_of: int) -> int:
        if self.alpha == 1:
            return count
        scaled = make_divisible(count * self.alpha, math.lcm(self.divisor, multiple_of))
        if scaled > MAX_SIZE:
            raise ShapeError(
                f"{count} channels scaled by {float(self.alpha):g} are {scaled:,}, past {MAX_SIZE:,} (2³¹ − 1)",
                "choose a smaller width multiplier",
            )
        return scaled

    def __call__(self, node: LayerNode, shape: Shape) -> Layer:
        widths = _unchanged if node.path in self.keep else self.channels
        return node.layer.widen(widths, shape[0], self.original_channels[node.path])


def _unchanged(count: int, multiple_of: int) -> int:
    return count


def width_rule(report: Report, alpha: Fraction, divisor: int) -> WidthRule:
    """The rule for ``alpha`` from the unscaled network's report (its channels and its classifier)."""
    rows = {row.name: row for row in report.layers}
    keep: set[str] = set()
    stack = [o.layer for o in report.outputs]
    seen: set[str] = set()
    while stack:  # back from each output, through rows without a width, to the first rows with one
        name = stack.pop()
        row = rows.get(name)
        if row is None or name in seen:
            continue
        seen.add(name)
        if row.layer is not None and row.layer.width is not None:
            keep.add(name)
        else:
            stack.extend(row.inputs)
    channels = {row.name: row.input_shape[0] for row in report.layers if not row.is_merge}
    return WidthRule(alpha, divisor, frozenset(keep), channels)


@record
class Setting:
    input_shape: Shape
    width: Fraction
    report: Report


@record
class Sweep:
    name: str
    divisor: int
    settings: tuple[Setting, ...]

    def growth(self, setting: Setting, figure: str) -> float:
        """``figure`` (a :class:`~cnncalc.report.Totals` attribute) relative to the first setting's."""
        first = getattr(self.settings[0].report.totals, figure)
        return getattr(setting.report.totals, figure) / first if first else 0.0


def sweep(
    spec: Spec,
    inputs: Sequence[Shape] = (),
    widths: Sequence[Fraction] = (Fraction(1),),
    divisor: int = 8,
    batch: int = 1,
    dtype: str = "float32",
) -> Sweep:
    """Every combination of an input shape (default: the spec's) and a width multiplier, in that order.

    The work is bounded like a spec's: the settings times the rows of one report (at least 100 a setting)
    may not pass ``MAX_SWEEP_ROWS``.
    """
    settings: list[Setting] = []
    shapes = inputs or (spec.input_shape,)
    for shape in shapes:
        base = analyze(spec, input_shape=shape, batch=batch, dtype=dtype)
        if not settings:
            _bounded(len(shapes) * len(widths), len(base.layers) + len(base.modules))
        for alpha in widths:
            report = base
            if alpha != 1:
                try:
                    report = analyze(
                        spec, input_shape=shape, batch=batch, dtype=dtype, rewrite=width_rule(base, alpha, divisor)
                    )
                except SpecError as exc:
                    raise _at(exc, f"with --width {float(alpha):g} and --divisor {divisor}") from None
            settings.append(Setting(tuple(shape), alpha, report))
    return Sweep(spec.name, divisor, tuple(settings))


# ten reports of the largest spec: about 20 s of CPU and 700 MB on two cores (benchmarks/RESULTS.md)
MAX_SWEEP_ROWS = 10 * MAX_LAYERS


def _bounded(count: int, rows: int) -> None:
    work = count * max(rows, 100)
    if work > MAX_SWEEP_ROWS:
        raise UsageError(
            f"{count:,} settings of a {rows:,}-row network are {work:,} rows to analyse; a sweep analyses at most "
            f"{MAX_SWEEP_ROWS:,}",
            "give fewer --input or --width values (every input is combined with every width)",
        )


def _at(exc: SpecError, setting: str) -> SpecError:
    return SpecError([replace(d, notes=(*d.notes, setting)) for d in exc.diagnostics])
