"""Convolution and transposed convolution in any number of spatial axes."""

from __future__ import annotations

import math
from dataclasses import replace

from ..args import ArgProblem, Bool, Int, Padding, PaddingValue, PerAxis, arg
from ..derivation import Derivation, Line, dims, num, params_lines, plural, product, transposed_lines, window_lines
from ..errors import ShapeError
from ..geometry import TransposedWindow, Window, effective_kernel, keras_transposed_padding, transposed_window
from ..record import record
from .base import (
    Calc,
    Layer,
    Shape,
    Sliding,
    Widths,
    divisible,
    fmt_window,
    numel,
    per_axis,
    register,
    resolve_padding,
    slide,
    spatial_rank,
    unread_warning,
)


def _filters(filters: int, kernel: Shape, c_in: int, groups: int) -> str:
    """``96 filters of 11×11×3``: each filter spans all C_in / groups input channels of its group."""
    text = f"{filters} filters of " + "×".join(str(k) for k in kernel) + f"×{c_in // groups}"
    if groups == c_in and groups > 1:
        return text + " (depthwise)"
    return text + (f" ({groups} groups)" if groups > 1 else "")


def _details(
    filters: int,
    kernel: Shape,
    c_in: int,
    groups: int,
    stride: Shape,
    pads: tuple[tuple[int, int], ...],
    dilation: Shape,
    bias: bool,
) -> str:
    window = fmt_window(kernel, stride, pads, dilation).partition(", ")[2]
    parts = [_filters(filters, kernel, c_in, groups), window, "" if bias else "no bias"]
    return ", ".join(p for p in parts if p)


_KERNEL_SYMBOLS = {1: "k", 2: "k_h·k_w", 3: "k_d·k_h·k_w"}


def _kernel_symbol(rank: int) -> str:
    return _KERNEL_SYMBOLS.get(rank, "k_1·…·k_d")


def _grouping(filters: int, kernel: Shape, c_in: int, groups: int) -> str:
    """The model in one sentence: every filter spans all ``C_in / groups`` channels of its group."""
    shape = dims((*kernel, c_in // groups))
    maps = f"one output map, so the output has {plural(filters, 'map')}"
    if groups == 1:
        spans = f"all {num(c_in)} input channels" if c_in > 1 else "the one input channel"
        return f"Each of the {num(filters)} filters is {shape}: it spans {spans} and yields {maps}."
    if groups == c_in:
        per = filters // groups
        return (
            f"Depthwise (groups = input channels = {num(groups)}): each of the {num(filters)} filters is {shape}: "
            f"it spans only the input channel of its group ({plural(per, 'filter')} per channel) and yields {maps}."
        )
    return (
        f"{num(groups)} groups: {num(c_in // groups)} → {num(filters // groups)} each. The {num(c_in)} input "
        f"channels are split into {num(groups)} groups of {num(c_in // groups)}; each of the {num(filters)} "
        f"filters is {shape}: it spans all {num(c_in // groups)} input channels of its group and yields {maps}."
    )


def _padding_note(padding: PaddingValue, pads: tuple[tuple[int, int], ...]) -> tuple[str, ...]:
    if not isinstance(padding, str):
        return ()
    resolved = ", ".join(f"({pb}, {pa})" for pb, pa in pads)
    return (f"Padding '{padding}' resolves to (before, after) = {resolved} per spatial axis.",)


def _widen(layer: Conv | Deconv, widths: Widths, c_in: int, original_c_in: int) -> Conv | Deconv:
    """Depthwise stays depthwise (with its channel multiplier); other groupings keep their groups and
    round the filters to a multiple of them."""
    if layer.groups > 1 and layer.groups == original_c_in:
        return replace(layer, groups=c_in, filters=layer.filters // layer.groups * c_in)
    return replace(layer, filters=widths(layer.filters, layer.groups))


@register
@record
class Conv(Layer):
    """Every one of the ``filters`` filters spans all ``C_in / groups`` input channels of its group and
    yields one output map, so ``weights = k_1·…·k_d · (C_in / groups) · filters`` and each output
    element costs ``k_1·…·k_d · C_in / groups`` MACs: ``MACs = weights · output positions``.
    """

    kind = "conv"
    summary = "convolution (any rank); depthwise when groups equals the input channels"
    aliases = {"conv1d": 1, "conv2d": 2, "conv3d": 3, "convolution": None}
    width = "filters"

    filters: int = arg(Int(), "number of filters = output channels")
    kernel: int | tuple[int, ...] = arg(PerAxis(), "kernel size, one value or one per spatial axis")
    stride: int | tuple[int, ...] = arg(PerAxis(), "step between windows", 1)
    padding: PaddingValue = arg(Padding(), "zero padding added to each side (see Padding)", 0)
    dilation: int | tuple[int, ...] = arg(PerAxis(), "spacing between kernel taps", 1)
    groups: int = arg(Int(), "split channels into independent groups; = input channels for depthwise", 1)
    bias: bool = arg(Bool(), "one learnable bias per filter", True)
    group_width: int | None = arg(
        Int(), "channels per group instead of groups: groups = C_in / group_width (ResNeXt, RegNet)", None, "—"
    )

    def check(self) -> None:
        if self.group_width is not None and self.groups != 1:
            raise ArgProblem(
                "conv takes groups or group_width, not both",
                "group_width gives groups = input channels / group_width; keep one of them",
                arg="group_width",
            )

    def concrete(self, inp: Shape) -> Layer:
        """With ``group_width``: the conv with ``groups = C_in / group_width`` for this input."""
        if self.group_width is None:
            return self
        if inp[0] % self.group_width:
            raise ShapeError(
                f"group_width = {self.group_width} must divide the {inp[0]} input channels",
                f"choose a group width among the divisors of {inp[0]}",
                arg="group_width",
            )
        return replace(self, groups=inp[0] // self.group_width, group_width=None)

    def _resolve(self, inp: Shape) -> Sliding:
        rank = spatial_rank(inp, self.kind)
        kernel = per_axis(self.kernel, rank, "kernel")
        stride = per_axis(self.stride, rank, "stride")
        dilation = per_axis(self.dilation, rank, "dilation")
        return Sliding(kernel, stride, dilation, resolve_padding(self.padding, inp[1:], kernel, stride, dilation))

    def apply(self, inp: Shape) -> Calc:
        geo = self._resolve(inp)
        c_in, spatial = inp[0], inp[1:]
        divisible(c_in, self.groups, "input channels")
        divisible(self.filters, self.groups, "filters")
        kernel, stride, dilation, pads = geo.kernel, geo.stride, geo.dilation, geo.pads
        windows = slide(self.kind, spatial, kernel, stride, pads, dilation)
        out = (self.filters, *(w.out for w in windows))
        weights = math.prod(kernel) * (c_in // self.groups) * self.filters
        return Calc(
            output_shape=out,
            weights=weights,
            biases=self.filters if self.bias else 0,
            macs=weights * numel(out[1:]),
            details=_details(self.filters, kernel, c_in, self.groups, stride, pads, dilation, self.bias),
            warnings=unread_warning(windows),
            geometry=windows,
            other_ops=numel(out) if self.bias else 0,  # one bias addition per output element
        )

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        windows = [w for w in calc.geometry if isinstance(w, Window)]
        kernel = tuple(w.kernel for w in windows)
        c_in, per_group = inp[0], inp[0] // self.groups
        text = [_grouping(self.filters, kernel, c_in, self.groups)]
        if all(k == 1 for k in kernel):
            text.append(
                f"A {dims(kernel)} conv mixes channels: each output value is a weighted sum of the "
                f"{plural(per_group, 'input channel')} at the same position."
            )
        text.append(
            f"Each output value costs {product((*kernel, per_group))} = {num(calc.weights // self.filters)} MACs."
        )
        text.extend(_padding_note(self.padding, tuple((w.pad_before, w.pad_after) for w in windows)))
        c_sym = "(C_in/groups)" if self.groups > 1 else "C_in"
        lines = window_lines(windows)
        lines += params_lines(
            calc.weights,
            calc.biases,
            f"{_kernel_symbol(len(kernel))}·{c_sym}·C_out",
            (*kernel, per_group, self.filters),
            "C_out",
        )
        positions = calc.output_shape[1:]
        lines.append(
            Line("MACs", "weights · output positions", f"{num(calc.weights)} · {product(positions)}", calc.macs)
        )
        return Derivation(tuple(text), tuple(lines))

    def widen(self, widths: Widths, c_in: int, original_c_in: int) -> Layer:
        if self.group_width is not None:  # the group width stays; the filters fill whole groups
            return replace(self, filters=widths(self.filters, self.group_width))
        return _widen(self, widths, c_in, original_c_in)


@register
@record
class Deconv(Layer):
    """Transposed convolution: each input position scatters a ``k_1·…·k_d`` window into every output
    channel of its group, so ``weights = k_1·…·k_d · C_in · filters / groups`` and
    ``MACs = weights · input positions``. Output length per axis:
    ``(N − 1)·S − P_before − P_after + d·(k − 1) + output_padding + 1``.

    ``same``/``valid`` padding without ``output_padding`` follow Keras's ``deconv_output_length``:
    ``valid`` → ``N·S + max(k_eff − S, 0)``, ``same`` → ``N·S``.
    """

    kind = "deconv"
    summary = "transposed convolution (a.k.a. fractionally-strided convolution)"
    aliases = {
        "conv_transpose": None,
        "convtranspose": None,
        "deconvolution": None,
        "conv1d_transpose": 1,
        "conv2d_transpose": 2,
        "conv3d_transpose": 3,
    }
    width = "filters"

    filters: int = arg(Int(), "number of filters = output channels")
    kernel: int | tuple[int, ...] = arg(PerAxis(), "kernel size, one value or one per spatial axis")
    stride: int | tuple[int, ...] = arg(PerAxis(), "upsampling factor", 1)
    padding: PaddingValue = arg(Padding(), "removed from each side of the output (see Padding)", 0)
    output_padding: int | tuple[int, ...] | None = arg(
        PerAxis(minimum=0), "extra length added after the last output position", None, "0"
    )
    dilation: int | tuple[int, ...] = arg(PerAxis(), "spacing between kernel taps", 1)
    groups: int = arg(Int(), "split channels into independent groups", 1)
    bias: bool = arg(Bool(), "one learnable bias per filter", True)

    def _resolve(self, inp: Shape) -> Sliding:
        """Per-axis geometry with Keras's ``same``/``valid`` turned into padding and output_padding."""
        rank = spatial_rank(inp, self.kind)
        spatial = inp[1:]
        kernel = per_axis(self.kernel, rank, "kernel")
        stride = per_axis(self.stride, rank, "stride")
        dilation = per_axis(self.dilation, rank, "dilation")
        extra = per_axis(self.output_padding if self.output_padding is not None else 0, rank, "output_padding")
        if isinstance(self.padding, str) and self.output_padding is None:
            triples = [
                keras_transposed_padding(self.padding, n, k, s, d)
                for n, k, s, d in zip(spatial, kernel, stride, dilation, strict=True)
            ]
            pads = tuple((pb, pa) for pb, pa, _ in triples)
            extra = tuple(op for _, _, op in triples)
        elif self.padding == "same":
            # Keras with an explicit output_padding: pad = k_eff // 2 on both sides
            pads = tuple((effective_kernel(k, d) // 2,) * 2 for k, d in zip(kernel, dilation, strict=True))
        else:
            pads = resolve_padding(self.padding, spatial, kernel, stride, dilation)
        return Sliding(kernel, stride, dilation, pads, extra)

    def apply(self, inp: Shape) -> Calc:
        geo = self._resolve(inp)
        c_in, spatial = inp[0], inp[1:]
        divisible(c_in, self.groups, "input channels")
        divisible(self.filters, self.groups, "filters")
        kernel, stride, dilation, pads, extra = geo.kernel, geo.stride, geo.dilation, geo.pads, geo.output_padding
        windows = tuple(
            transposed_window(n, k, s, d, pb, pa, op)
            for n, k, s, d, (pb, pa), op in zip(spatial, kernel, stride, dilation, pads, extra, strict=True)
        )
        for axis, w in enumerate(windows):
            if w.out <= 0:
                raise ShapeError(
                    f"output length along axis {axis + 1} would be {w.out}: the padding removes more "
                    "than the transposed convolution produces",
                    "reduce padding",
                    arg="padding",
                )
        out = (self.filters, *(w.out for w in windows))
        weights = math.prod(kernel) * c_in * (self.filters // self.groups)
        details = _details(self.filters, kernel, c_in, self.groups, stride, pads, dilation, self.bias)
        if any(extra):
            details += ", output_padding " + "×".join(str(e) for e in extra)
        return Calc(
            output_shape=out,
            weights=weights,
            biases=self.filters if self.bias else 0,
            macs=weights * numel(spatial),
            details=details,
            geometry=windows,
            other_ops=numel(out) if self.bias else 0,  # one bias addition per output element
        )

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        windows = [w for w in calc.geometry if isinstance(w, TransposedWindow)]
        kernel = tuple(w.kernel for w in windows)
        c_in, per_group = inp[0], self.filters // self.groups
        group = f" of its group ({num(per_group)} per group)" if self.groups > 1 else ""
        text = [
            f"Transposed convolution: every input position of each of the {plural(c_in, 'input channel')} "
            f"scatters a {dims(kernel)} window of weights into every one of the {plural(self.filters, 'output map')}"
            f"{group}; overlapping contributions add up.",
            f"Each input value costs {product((*kernel, per_group))} = {num(calc.weights // c_in)} MACs.",
        ]
        text.extend(_padding_note(self.padding, tuple((w.pad_before, w.pad_after) for w in windows)))
        c_sym = "(C_out/groups)" if self.groups > 1 else "C_out"
        lines = transposed_lines(windows)
        lines += params_lines(
            calc.weights,
            calc.biases,
            f"{_kernel_symbol(len(kernel))}·C_in·{c_sym}",
            (*kernel, c_in, per_group),
            "C_out",
        )
        positions = inp[1:]
        lines.append(
            Line("MACs", "weights · input positions", f"{num(calc.weights)} · {product(positions)}", calc.macs)
        )
        return Derivation(tuple(text), tuple(lines))

    def widen(self, widths: Widths, c_in: int, original_c_in: int) -> Layer:
        return _widen(self, widths, c_in, original_c_in)
