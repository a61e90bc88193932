"""Pooling: windows slide over each channel separately, so pooling never mixes channels and has no
parameters; the channel count passes through unchanged."""

from __future__ import annotations

import math
from typing import ClassVar

from ..args import Bool, Padding, PaddingValue, PerAxis, arg
from ..derivation import Derivation, Line, dims, num, plural, window_lines
from ..geometry import Window, adaptive_span
from ..receptive import WHOLE, Footprint, Step, resampling
from ..record import record
from .base import (
    Calc,
    Layer,
    Shape,
    Sliding,
    fmt_axes,
    fmt_window,
    numel,
    per_axis,
    register,
    resolve_padding,
    slide,
    spatial_rank,
    unread_warning,
)


def _sliding(
    layer: Layer,
    inp: Shape,
    kernel_arg: int | tuple[int, ...],
    stride_arg: int | tuple[int, ...] | None,
    padding: PaddingValue,
    dilation_arg: int | tuple[int, ...],
    ceil_mode: bool,
) -> Sliding:
    rank = spatial_rank(inp, layer.kind)
    kernel = per_axis(kernel_arg, rank, "kernel")
    stride = kernel if stride_arg is None else per_axis(stride_arg, rank, "stride")
    dilation = per_axis(dilation_arg, rank, "dilation")
    pads = resolve_padding(padding, inp[1:], kernel, stride, dilation)
    return Sliding(kernel, stride, dilation, pads, ceil_mode=ceil_mode)


def _pool(geo: Sliding, kind: str, inp: Shape, ops_per_window: int) -> Calc:
    windows = slide(kind, inp[1:], geo.kernel, geo.stride, geo.pads, geo.dilation, geo.ceil_mode)
    out = (inp[0], *(w.out for w in windows))
    details = fmt_window(geo.kernel, geo.stride, geo.pads, geo.dilation)
    return Calc(
        output_shape=out,
        details=details + (", ceil mode" if geo.ceil_mode else "") + ", per channel",
        warnings=unread_warning(windows),
        geometry=windows,
        other_ops=ops_per_window * numel(out),
    )


def _per_channel(inp: Shape, what: str) -> str:
    """Pooling in one sentence: each channel alone, no parameters."""
    return (
        f"Per channel, no parameters: {what} each of the {plural(inp[0], 'channel')} on its own, "
        f"so the {num(inp[0])} maps in give {num(inp[0])} maps out and channels are never mixed."
    )


def _explain_pool(inp: Shape, calc: Calc, reduce: str) -> Derivation:
    windows = [w for w in calc.geometry if isinstance(w, Window)]
    window = dims(tuple(w.kernel for w in windows))
    text = [_per_channel(inp, f"takes the {reduce} of every {window} window of")]
    if any(w.ceil_dropped for w in windows):
        text.append("Ceil mode would add a last window starting in the padding; it is dropped (PyTorch's rule).")
    return Derivation(tuple(text), tuple(window_lines(windows)))


@register
@record
class MaxPool(Layer):
    """The maximum of every ``kernel`` window of each channel on its own: channels unchanged, no
    parameters, no MACs. Output length per axis ``floor((N + P_before + P_after − d·(k − 1) − 1) / S) + 1``,
    the conv's window formula; with ``ceil_mode`` the division rounds up and a last window that would start
    in the right padding is dropped (PyTorch's rule). ``--convention full`` counts ``k − 1`` comparisons per
    window of ``k`` elements."""

    kind = "maxpool"
    summary = "max pooling per channel"
    aliases = {"max_pool": None, "maxpool1d": 1, "maxpool2d": 2, "maxpool3d": 3}

    kernel: int | tuple[int, ...] = arg(PerAxis(), "window size")
    stride: int | tuple[int, ...] | None = arg(PerAxis(), "step between windows", None, "= kernel")
    padding: PaddingValue = arg(Padding(), "padding added to each side (see Padding)", 0)
    dilation: int | tuple[int, ...] = arg(PerAxis(), "spacing between window taps", 1)
    ceil_mode: bool = arg(Bool(), "round the output length up (Caffe's pooling, PyTorch's ceil_mode)", False)

    def _resolve(self, inp: Shape) -> Sliding:
        return _sliding(self, inp, self.kernel, self.stride, self.padding, self.dilation, self.ceil_mode)

    def apply(self, inp: Shape) -> Calc:
        geo = self._resolve(inp)
        return _pool(geo, self.kind, inp, math.prod(geo.kernel) - 1)  # comparisons per window

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        return _explain_pool(inp, calc, "maximum")


@register
@record
class AvgPool(Layer):
    """The average of every ``kernel`` window of each channel on its own: channels unchanged, no
    parameters, no MACs. Output length per axis ``floor((N + P_before + P_after − k) / S) + 1``, the conv's
    window formula; with ``ceil_mode`` the division rounds up and a last window that would start in the
    right padding is dropped (PyTorch's rule). ``--convention full`` counts ``k`` operations per window of
    ``k`` elements (``k − 1`` additions and a division)."""

    kind = "avgpool"
    summary = "average pooling per channel"
    aliases = {"avg_pool": None, "avgpool1d": 1, "avgpool2d": 2, "avgpool3d": 3}

    kernel: int | tuple[int, ...] = arg(PerAxis(), "window size")
    stride: int | tuple[int, ...] | None = arg(PerAxis(), "step between windows", None, "= kernel")
    padding: PaddingValue = arg(Padding(), "padding added to each side (see Padding)", 0)
    ceil_mode: bool = arg(Bool(), "round the output length up (Caffe's pooling, PyTorch's ceil_mode)", False)

    def _resolve(self, inp: Shape) -> Sliding:
        return _sliding(self, inp, self.kernel, self.stride, self.padding, 1, self.ceil_mode)

    def apply(self, inp: Shape) -> Calc:
        geo = self._resolve(inp)
        return _pool(geo, self.kind, inp, math.prod(geo.kernel))  # k − 1 additions and a division per window

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        return _explain_pool(inp, calc, "average")


def _global(layer: Layer, inp: Shape, ops: int) -> Calc:
    rank = spatial_rank(inp, layer.kind)
    return Calc(output_shape=(inp[0], *([1] * rank)), details="whole map, per channel", other_ops=ops)


class _GlobalPool(Layer):
    """Reduces each whole map to one value: every output reads every input position."""

    __slots__ = ()
    reduce: ClassVar[str]

    def footprint(self, inp: Shape, calc: Calc) -> Footprint:
        return WHOLE

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        text = _per_channel(inp, f"takes the {self.reduce} of the whole {dims(inp[1:])} map of")
        return Derivation((text,), (Line("out", "1 per axis", "1", 1),))


@register
@record
class GlobalAvgPool(_GlobalPool):
    """The average of each whole map: ``[C, H, W]`` becomes ``[C, 1, 1]`` (the rank is kept, as PyTorch's
    ``AdaptiveAvgPool2d(1)``); no parameters, no MACs. Every output reads every input position.
    ``--convention full`` counts one operation per element read (additions and a division per channel)."""

    kind = "global_avgpool"
    summary = "average of each whole channel; output [C, 1, 1] (PyTorch's AdaptiveAvgPool to 1)"
    aliases = {"global_avg_pool": None, "gap": None}
    reduce = "average"

    def apply(self, inp: Shape) -> Calc:
        return _global(self, inp, numel(inp))  # S − 1 additions and one division per channel


@register
@record
class GlobalMaxPool(_GlobalPool):
    """The maximum of each whole map: ``[C, H, W]`` becomes ``[C, 1, 1]``; no parameters, no MACs. Every
    output reads every input position. ``--convention full`` counts ``S − 1`` comparisons per channel of
    ``S`` positions."""

    kind = "global_maxpool"
    summary = "maximum of each whole channel; output [C, 1, 1]"
    aliases = {"global_max_pool": None}
    reduce = "maximum"

    def apply(self, inp: Shape) -> Calc:
        return _global(self, inp, numel(inp) - inp[0])  # S − 1 comparisons per channel


def adaptive_windows(size: int, out: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive pooling windows along one axis: ``[⌊i·N/out⌋, ⌈(i+1)·N/out⌉)``."""
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]


def _adaptive(layer: Layer, inp: Shape, output_size: int | tuple[int, ...], compare: bool) -> Calc:
    """Other ops: an average reads every element of its window (additions and one division), a maximum
    makes one comparison fewer; the windows along each axis are independent, so the sum over output
    positions of the window sizes is the product over axes of the per-axis sums."""
    rank = spatial_rank(inp, layer.kind)
    size = per_axis(output_size, rank, "output_size")
    reads = math.prod(sum(b - a for a, b in adaptive_windows(n, o)) for n, o in zip(inp[1:], size, strict=True))
    ops = inp[0] * (reads - (math.prod(size) if compare else 0))
    return Calc(output_shape=(inp[0], *size), details=f"to {fmt_axes(size)}, per channel", other_ops=ops)


class _AdaptivePool(Layer):
    """Window ``i`` of an axis of length ``N`` pooled to ``out`` spans ``[⌊i·N/out⌋, ⌈(i+1)·N/out⌉)``."""

    __slots__ = ()
    reduce: ClassVar[str]

    def footprint(self, inp: Shape, calc: Calc) -> Footprint:
        """The longest window at the average stride ``N/out`` (exact when ``out`` divides ``N``)."""
        return tuple(
            (Step(adaptive_span(n, m), resampling(n, m).stride, 0),)
            for n, m in zip(inp[1:], calc.output_shape[1:], strict=True)
        )

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        out = calc.output_shape[1:]
        text = (
            _per_channel(inp, f"takes the {self.reduce} of {dims(out)} windows of"),
            f"Along an axis of length N pooled to out, window i spans [floor(i·N/out), ceil((i+1)·N/out)): "
            f"the {dims(inp[1:])} input is cut into {dims(out)} windows, which overlap when out does not divide N.",
        )
        return Derivation(text, (Line("out", "output_size", str(out[0]), out[0]),) if len(set(out)) == 1 else ())


@register
@record
class AdaptiveAvgPool(_AdaptivePool):
    """PyTorch's adaptive average pooling: the output is ``[C, *output_size]``, and window ``i`` of an
    axis of length ``N`` spans ``[⌊i·N/out⌋, ⌈(i+1)·N/out⌉)``; no parameters, no MACs. ``--convention
    full`` counts one operation per element of each window (additions and a division)."""

    kind = "adaptive_avgpool"
    summary = "average pooling to a fixed output size per channel (PyTorch's AdaptiveAvgPool)"
    aliases = {"adaptive_avg_pool": None}
    reduce = "average"

    output_size: int | tuple[int, ...] = arg(PerAxis(), "output length, one value or one per spatial axis")

    def apply(self, inp: Shape) -> Calc:
        return _adaptive(self, inp, self.output_size, compare=False)


@register
@record
class AdaptiveMaxPool(_AdaptivePool):
    """PyTorch's adaptive max pooling: the output is ``[C, *output_size]``, and window ``i`` of an axis of
    length ``N`` spans ``[⌊i·N/out⌋, ⌈(i+1)·N/out⌉)``; no parameters, no MACs. ``--convention full``
    counts one comparison fewer than the elements of each window."""

    kind = "adaptive_maxpool"
    summary = "max pooling to a fixed output size per channel (PyTorch's AdaptiveMaxPool)"
    aliases = {"adaptive_max_pool": None}
    reduce = "maximum"

    output_size: int | tuple[int, ...] = arg(PerAxis(), "output length, one value or one per spatial axis")

    def apply(self, inp: Shape) -> Calc:
        return _adaptive(self, inp, self.output_size, compare=True)
