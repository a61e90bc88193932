"""Every layer kind as the PyTorch modules that compute it — plain data, no torch import.

:func:`lower` turns one layer (with its input shape and result) into a :class:`Lowering`: usually the one
``torch.nn`` module PyTorch has for it; where PyTorch rejects what cnncalc accepts, an equivalent short
sequence (an explicit pad before the layer, a crop after it) and a note saying why:

* pooling padding above half the kernel, or unequal before/after: ``nn.ConstantPad`` (``-inf`` for max
  pooling, zeros for average pooling, which PyTorch counts in the average just as its own padding) and
  the pool without padding; a crop drops the window ceil mode would add there but cnncalc (and PyTorch's
  own padding) drops because it starts in the right padding;
* unequal conv padding (``same`` with an even kernel or at stride > 1): ``nn.ZeroPad`` before the conv;
* transposed convs with unequal padding or ``output_padding`` not below ``max(stride, dilation)``: a
  transposed conv PyTorch accepts, then a crop (``nn.ZeroPad`` with negative widths).

Lowering is an optional capability of a layer kind, outside the analysis: the exporter writes these
modules, ``summarize`` shows the notes (:func:`with_pytorch_notes`), and the counting conventions that
reproduce PyTorch tools (torchinfo, thop, ptflops, fvcore) count these modules as those tools do. A kind
without a lowering analyses as any other; only exporting it or counting it as a PyTorch tool fails.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from ..derivation import dims
from ..errors import Unexportable
from ..geometry import window
from ..layers import Calc, Layer, Shape
from ..layers.base import Sliding, fmt_axes, fmt_pads, resolve_padding, sliding
from ..layers.conv import Conv, Deconv
from ..layers.dense import Fc, Flatten
from ..layers.elementwise import (
    Dropout,
    Elu,
    Gelu,
    Hardsigmoid,
    Hardswish,
    Identity,
    LeakyRelu,
    Prelu,
    Relu,
    Relu6,
    Sigmoid,
    Silu,
    Softmax,
    Tanh,
)
from ..layers.norm import BatchNorm, GroupNorm, LayerNorm, Lrn
from ..layers.opaque import Opaque
from ..layers.padding import ZeroPad
from ..layers.pool import AdaptiveAvgPool, AdaptiveMaxPool, AvgPool, GlobalAvgPool, GlobalMaxPool, MaxPool
from ..layers.rearrange import ChannelShuffle, Crop, PixelShuffle, PixelUnshuffle, Slice
from ..layers.scale import Scale
from ..layers.upsample import Upsample
from ..record import record
from ..report import LayerResult, Report, ReportWarning

# classes the exported file defines itself; every other class is torch.nn's
HELPERS = ("Concat", "Add", "Mul", "ChannelLayerNorm", "ChannelSlice", "ChannelShuffle", "Scale")


@record
class TorchModule:
    """One PyTorch module of the exported network, with the shapes it sees (batch dimension excluded)."""

    cls: str  # a torch.nn class name ("Conv2d") or one of HELPERS
    args: tuple[tuple[str, object], ...]  # constructor arguments in order; PyTorch's defaults left out
    positional: int  # how many leading arguments are written without their name
    input_shape: Shape
    output_shape: Shape
    weights: int = 0
    biases: int = 0
    role: str = ""  # its name inside a rewritten layer ("pad", "pool", "crop"); "" when it is the layer

    def arg(self, name: str, default: object = None) -> object:
        return dict(self.args).get(name, default)


@record
class Lowering:
    modules: tuple[TorchModule, ...]
    note: str | None = None  # why the layer is not PyTorch's module alone


Lowerer = Callable[[Any, Shape, Calc], Lowering]
_LOWERERS: dict[type[Layer], Lowerer] = {}
L = TypeVar("L", bound=Layer)


def lowers(*classes: type[L]) -> Callable[[Callable[[L, Shape, Calc], Lowering]], Callable[[L, Shape, Calc], Lowering]]:
    def register(fn: Callable[[L, Shape, Calc], Lowering]) -> Callable[[L, Shape, Calc], Lowering]:
        for cls in classes:
            _LOWERERS[cls] = fn
        return fn

    return register


def lower(layer: Layer, inp: Shape, calc: Calc) -> Lowering:
    """The PyTorch modules computing ``layer`` on an input of shape ``inp``.

    Raises :class:`Unexportable` for a layer PyTorch cannot express, and for a kind with no lowering:
    lowering is an optional capability of a kind, which only the exporter and the tool conventions need.
    """
    lowerer = _LOWERERS.get(type(layer))
    if lowerer is None:
        raise Unexportable(
            f"the {layer.kind} layer kind has no PyTorch lowering, so it is not exportable",
            "a kind gains one with the cnncalc.export.lowering.lowers decorator",
        )
    return lowerer(layer, inp, calc)


def lower_row(row: LayerResult) -> Lowering:
    """The modules of an analysed row: the layer the analysis applied (after any sweep rewrite) with the
    input and result it computed, or the merge of a parallel."""
    if row.layer is None or row.calc is None:
        return Lowering((merge_module(row.type, row.input_shapes, row.output_shape),))
    return lower(row.layer, row.input_shape, row.calc)


def pytorch_notes(report: Report) -> tuple[ReportWarning, ...]:
    """A note for every row PyTorch rejects as written (``cnncalc export`` writes an equivalent) or cannot
    express at all, in execution order."""
    notes = []
    # a row's lowering depends on its type, layer and input shapes alone: the rows of blocks and repeats,
    # and equal layers on equal shapes, are lowered once (every row took 40 ms of a 10,000-row summarize)
    seen: dict[object, str | None] = {}
    for row in report.layers:
        note = _note(row, seen)
        if note is not None:
            notes.append(ReportWarning(row.name, note, "pytorch"))
    return tuple(notes)


def _note(row: LayerResult, seen: dict[object, str | None]) -> str | None:
    key = (row.type, row.layer, row.input_shapes)
    try:
        return seen[key]
    except KeyError:
        note = seen[key] = _lowering_note(row)
    except TypeError:  # an argument value that cannot be hashed: lowered every time
        note = _lowering_note(row)
    return note


def _lowering_note(row: LayerResult) -> str | None:
    try:
        return lower_row(row).note
    except Unexportable as exc:
        return f"`cnncalc export` cannot write this layer for PyTorch: {exc.message}"


def with_pytorch_notes(report: Report) -> Report:
    """``report`` with :func:`pytorch_notes` added to its warnings (what ``summarize`` shows)."""
    return replace(report, warnings=(*report.warnings, *pytorch_notes(report)))


def lowered_kinds() -> set[str]:
    return {cls.kind for cls in _LOWERERS}


def merge_module(merge: str, inputs: Sequence[Shape], out: Shape) -> TorchModule:
    """The module of a parallel's merge: ``Concat`` (``torch.cat`` on channels), ``Add`` or ``Mul``."""
    return TorchModule(merge.capitalize(), (), 0, inputs[0], out)


# ------------------------------------------------------------------------------------------- helpers


def _nd(inp: Shape) -> str:
    return f"{len(inp) - 1}d"


def _axes(values: Shape) -> int | Shape:
    """One integer when every axis agrees (PyTorch broadcasts it), else the tuple."""
    return values[0] if len(set(values)) == 1 else values


def _module(
    cls: str, inp: Shape, calc: Calc, *args: tuple[str, object], positional: int = 0, role: str = ""
) -> TorchModule:
    return TorchModule(cls, tuple(args), positional, inp, calc.output_shape, calc.weights, calc.biases, role)


def _plain(cls: str, inp: Shape, calc: Calc, *args: tuple[str, object], positional: int = 0) -> Lowering:
    return Lowering((_module(cls, inp, calc, *args, positional=positional),))


def torch_pads(pads: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    """``F.pad`` order: the last axis first, ``(before, after)`` each."""
    return tuple(p for pair in reversed(pads) for p in pair)


def _pad_module(role: str, cls: str, pads: Sequence[tuple[int, int]], inp: Shape, value: float | None) -> TorchModule:
    out = (inp[0], *(n + pb + pa for n, (pb, pa) in zip(inp[1:], pads, strict=True)))
    args: list[tuple[str, object]] = [("padding", torch_pads(pads))]
    if value is not None:
        args.append(("value", value))
    return TorchModule(f"{cls}{_nd(inp)}", tuple(args), len(args), inp, out, role=role)


def _crop(after: Shape, inp: Shape) -> TorchModule:
    """Drop ``after[i]`` trailing positions on axis ``i`` (a zero pad of negative width)."""
    return _pad_module("crop", "ZeroPad", [(0, -n) for n in after], inp, None)


def _symmetric(pads: Sequence[tuple[int, int]]) -> bool:
    return all(pb == pa for pb, pa in pads)


def _window_args(geo: Sliding, padding: Shape) -> list[tuple[str, object]]:
    """A pool's kernel, stride (PyTorch's default is the kernel) and padding."""
    args: list[tuple[str, object]] = [("kernel_size", _axes(geo.kernel))]
    if any(s != k for s, k in zip(geo.stride, geo.kernel, strict=True)):
        args.append(("stride", _axes(geo.stride)))
    if any(padding):
        args.append(("padding", _axes(padding)))
    return args


# -------------------------------------------------------------------------------------- convolutions


def _conv_args(
    inp: Shape, layer: Conv | Deconv, geo: Sliding, padding: Shape, extra: Shape
) -> list[tuple[str, object]]:
    """``nn.ConvNd`` / ``nn.ConvTransposeNd`` arguments, PyTorch's defaults left out."""
    args: list[tuple[str, object]] = [
        ("in_channels", inp[0]),
        ("out_channels", layer.filters),
        ("kernel_size", _axes(geo.kernel)),
    ]
    optional: list[tuple[str, object, object]] = [
        ("stride", _axes(geo.stride), 1),
        ("padding", _axes(padding), 0),
        ("output_padding", _axes(extra) if extra else 0, 0),
        ("dilation", _axes(geo.dilation), 1),
        ("groups", layer.groups, 1),
        ("bias", layer.bias, True),
    ]
    args.extend((name, value) for name, value, default in optional if value != default)
    return args


@lowers(Opaque)
def _opaque(layer: Opaque, inp: Shape, calc: Calc) -> Lowering:
    raise Unexportable(
        f"the opaque row of {layer.op} declares a shape, not a computation",
        "replace it with a layer kind cnncalc knows",
    )


@lowers(Conv)
def _conv(layer: Conv, inp: Shape, calc: Calc) -> Lowering:
    geo = sliding(calc)
    cls = f"Conv{_nd(inp)}"
    reasons = []
    symmetric = _symmetric(geo.pads)
    if layer.padding == "same" and any(s > 1 for s in geo.stride):
        here = f" (it is {fmt_pads(geo.pads)[4:] or 0} here)" if symmetric else ""
        reasons.append(f"rejects padding='same' with stride > 1{here}")
    # at stride 1, PyTorch's padding='same' is TensorFlow's (the odd pixel after) and PyTorch accepts it;
    # it is still written as an explicit pad, which every counting tool sees (fvcore skips 'same' convs)
    accepted = layer.padding == "same" and all(s == 1 for s in geo.stride)
    if not symmetric and not accepted:
        reasons.append("pads both sides of an axis equally")
    padding = tuple(pb for pb, _ in geo.pads) if symmetric else (0,) * len(geo.pads)
    args = _conv_args(inp, layer, geo, padding, ())
    if symmetric:
        note = f"PyTorch's {cls} {reasons[0]}; `cnncalc export` writes that padding as integers" if reasons else None
        return Lowering((_module(cls, inp, calc, *args, positional=3),), note)
    pad = _pad_module("pad", "ZeroPad", geo.pads, inp, None)
    conv = _module(cls, pad.output_shape, calc, *args, positional=3, role="conv")
    note = (
        f"PyTorch's {cls} {' and '.join(reasons)}; `cnncalc export` writes nn.ZeroPad{_nd(inp)}"
        f"({torch_pads(geo.pads)}) before it for the padding {fmt_pads(geo.pads)[4:]}"
    )
    return Lowering((pad, conv), note if reasons else None)


@lowers(Deconv)
def _deconv(layer: Deconv, inp: Shape, calc: Calc) -> Lowering:
    """PyTorch's ``ConvTranspose`` crops ``P`` from both ends and needs ``output_padding < max(S, d)``.

    Otherwise: a transposed conv whose padding ``p ≤ P_before`` and output_padding ``op' < max(S, d)``
    make an output at least as long as wanted at both ends, then a crop of the surplus. Positions more
    than ``max(S, d) − 1`` beyond the last one any input reaches (only the bias reaches them) have no
    PyTorch equivalent.
    """
    geo = sliding(calc)
    cls = f"ConvTranspose{_nd(inp)}"
    limits = tuple(max(s, d) for s, d in zip(geo.stride, geo.dilation, strict=True))
    direct = _symmetric(geo.pads) and all(op < lim for op, lim in zip(geo.output_padding, limits, strict=True))
    padding: list[int] = []
    extra: list[int] = []
    crop_before: list[int] = []
    for (pb, pa), op, lim in zip(geo.pads, geo.output_padding, limits, strict=True):
        if direct:
            padding.append(pb)
            extra.append(op)
            crop_before.append(0)
            continue
        beyond = op - pa  # output positions wanted past the uncropped end
        if beyond >= lim:
            raise Unexportable(
                f"the output reaches {beyond} positions past the last one any input reaches, and PyTorch's "
                f"{cls} adds at most max(stride, dilation) − 1 = {lim - 1} (output_padding must be smaller "
                "than stride or dilation)",
                "lower output_padding, or raise the padding after",
            )
        p = max(0, min(pb, -beyond))
        padding.append(p)
        extra.append(max(0, beyond))
        crop_before.append(pb - p)
    args = _conv_args(inp, layer, geo, tuple(padding), tuple(extra))
    if direct:
        return _plain(cls, inp, calc, *args, positional=3)
    full = tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + op + 1
        for n, s, p, d, k, op in zip(inp[1:], geo.stride, padding, geo.dilation, geo.kernel, extra, strict=True)
    )
    deconv = TorchModule(cls, tuple(args), 3, inp, (layer.filters, *full), calc.weights, calc.biases, "deconv")
    crops = [(b, f - o - b) for b, f, o in zip(crop_before, full, calc.output_shape[1:], strict=True)]
    crop = _pad_module("crop", "ZeroPad", [(-b, -a) for b, a in crops], deconv.output_shape, None)
    why = []
    if not _symmetric(geo.pads):
        why.append("crops both sides of an axis equally")
    if any(op >= lim for op, lim in zip(geo.output_padding, limits, strict=True)):
        why.append("needs output_padding smaller than stride or dilation")
    note = (
        f"PyTorch's {cls} {' and '.join(why)}; `cnncalc export` writes it with padding {_axes(tuple(padding))} "
        f"and output_padding {_axes(tuple(extra))}, then crops the output with nn.ZeroPad{_nd(inp)}"
    )
    return Lowering((deconv, crop), note)


# ------------------------------------------------------------------------------------------ pooling


def _pool(cls: str, inp: Shape, calc: Calc, geo: Sliding, pad_value: float, dilated: bool) -> Lowering:
    """PyTorch's pools take equal padding on both sides, at most half the (undilated) kernel."""
    tail: list[tuple[str, object]] = []
    if dilated and any(d != 1 for d in geo.dilation):
        tail.append(("dilation", _axes(geo.dilation)))
    if geo.ceil_mode:
        tail.append(("ceil_mode", True))
    limits = tuple(k // 2 for k in geo.kernel)
    # AvgPool3d alone also wants every input side at least as long as the kernel, padding aside
    short = cls == "AvgPool3d" and any(n < k for n, k in zip(inp[1:], geo.kernel, strict=True))
    fits = all(pb <= lim for (pb, _), lim in zip(geo.pads, limits, strict=True))
    if _symmetric(geo.pads) and fits and not short:
        padding = tuple(pb for pb, _ in geo.pads)
        return _plain(cls, inp, calc, *_window_args(geo, padding), *tail, positional=1)
    pad = _pad_module("pad", "ConstantPad", geo.pads, inp, pad_value)
    # the same pool on the explicitly padded input; ceil mode may now keep a last window that starts in
    # what was the right padding, which PyTorch's own padding (and cnncalc) drops
    kept = tuple(
        window(n, k, s, d, 0, 0, geo.ceil_mode).out
        for n, k, s, d in zip(pad.output_shape[1:], geo.kernel, geo.stride, geo.dilation, strict=True)
    )
    pooled = (inp[0], *kept)
    pool = TorchModule(cls, (*_window_args(geo, (0,) * len(kept)), *tail), 1, pad.output_shape, pooled, role="pool")
    modules = [pad, pool]
    surplus = tuple(k - o for k, o in zip(kept, calc.output_shape[1:], strict=True))
    if any(surplus):
        modules.append(_crop(surplus, pooled))
    reasons = []
    if not _symmetric(geo.pads):
        reasons.append("pads both sides of an axis equally")
    if any(max(p) > lim for p, lim in zip(geo.pads, limits, strict=True)):
        reasons.append(f"allows padding up to half the kernel, here {fmt_axes(limits)}")
    if short:
        reasons.append("rejects an input side shorter than the kernel, even when padding makes up for it")
    value = "-inf" if pad_value else "0"
    note = (
        f"PyTorch's {cls} {' and '.join(reasons)}; `cnncalc export` pads explicitly with "
        f"nn.ConstantPad{_nd(inp)}(…, {value}) before it"
    )
    return Lowering(tuple(modules), note)


@lowers(MaxPool)
def _maxpool(layer: MaxPool, inp: Shape, calc: Calc) -> Lowering:
    return _pool(f"MaxPool{_nd(inp)}", inp, calc, sliding(calc), -math.inf, dilated=True)


@lowers(AvgPool)
def _avgpool(layer: AvgPool, inp: Shape, calc: Calc) -> Lowering:
    lowering = _pool(f"AvgPool{_nd(inp)}", inp, calc, sliding(calc), 0.0, dilated=False)
    for module in lowering.modules:
        if module.cls != "AvgPool3d":
            continue
        kernel = module.arg("kernel_size")
        sizes = kernel if isinstance(kernel, tuple) else (kernel,) * 3
        spatial = module.input_shape[1:]
        if any(n < k for n, k in zip(spatial, sizes, strict=True)):
            # ATen's avg_pool3d checks the unpadded input against the kernel (its 1-D and 2-D forms do not)
            raise Unexportable(
                f"PyTorch's AvgPool3d refuses an input of {dims(spatial)} smaller than its kernel "
                f"{'×'.join(map(str, sizes))}, padding or not",
                "use a kernel no larger than the input",
            )
    return lowering


@lowers(GlobalAvgPool, GlobalMaxPool, AdaptiveAvgPool, AdaptiveMaxPool)
def _adaptive(layer: Layer, inp: Shape, calc: Calc) -> Lowering:
    kind = "Max" if isinstance(layer, (GlobalMaxPool, AdaptiveMaxPool)) else "Avg"
    return _plain(
        f"Adaptive{kind}Pool{_nd(inp)}", inp, calc, ("output_size", _axes(calc.output_shape[1:])), positional=1
    )


# ------------------------------------------------------------------------------------ other layers


@lowers(Fc)
def _fc(layer: Fc, inp: Shape, calc: Calc) -> Lowering:
    """``nn.Linear``; the exported containers flatten its input first, as cnncalc's fc does."""
    args: list[tuple[str, object]] = [("in_features", math.prod(inp)), ("out_features", layer.units)]
    if not layer.bias:
        args.append(("bias", False))
    return _plain("Linear", inp, calc, *args, positional=2)


@lowers(Flatten)
def _flatten(layer: Flatten, inp: Shape, calc: Calc) -> Lowering:
    return _plain("Flatten", inp, calc)


_ACTIVATIONS: dict[type[Layer], str] = {
    Relu: "ReLU",
    Relu6: "ReLU6",
    Sigmoid: "Sigmoid",
    Tanh: "Tanh",
    Gelu: "GELU",
    Silu: "SiLU",
    Hardswish: "Hardswish",
    Hardsigmoid: "Hardsigmoid",
    Identity: "Identity",
}


@lowers(*_ACTIVATIONS)
def _activation(layer: Layer, inp: Shape, calc: Calc) -> Lowering:
    return _plain(_ACTIVATIONS[type(layer)], inp, calc)


@lowers(Softmax)
def _softmax(layer: Layer, inp: Shape, calc: Calc) -> Lowering:
    return _plain("Softmax", inp, calc, ("dim", 1))


@lowers(LeakyRelu)
def _leaky_relu(layer: LeakyRelu, inp: Shape, calc: Calc) -> Lowering:
    return _plain("LeakyReLU", inp, calc, ("negative_slope", layer.negative_slope))


@lowers(Prelu)
def _prelu(layer: Prelu, inp: Shape, calc: Calc) -> Lowering:
    return _plain("PReLU", inp, calc, ("num_parameters", 1 if layer.shared else inp[0]))


@lowers(Elu)
def _elu(layer: Elu, inp: Shape, calc: Calc) -> Lowering:
    return _plain("ELU", inp, calc, ("alpha", layer.alpha))


@lowers(Dropout)
def _dropout(layer: Dropout, inp: Shape, calc: Calc) -> Lowering:
    return _plain("Dropout", inp, calc, ("p", layer.rate))


def _norm_options(eps: float, affine: bool, affine_name: str = "affine") -> list[tuple[str, object]]:
    args: list[tuple[str, object]] = []
    if eps != 1e-5:
        args.append(("eps", eps))
    if not affine:
        args.append((affine_name, False))
    return args


@lowers(BatchNorm)
def _batchnorm(layer: BatchNorm, inp: Shape, calc: Calc) -> Lowering:
    nd = "1d" if len(inp) <= 2 else _nd(inp)  # BatchNorm1d takes [N, C] and [N, C, L]
    return _plain(
        f"BatchNorm{nd}", inp, calc, ("num_features", inp[0]), *_norm_options(layer.eps, layer.affine), positional=1
    )


@lowers(GroupNorm)
def _groupnorm(layer: GroupNorm, inp: Shape, calc: Calc) -> Lowering:
    args = [("num_groups", layer.groups), ("num_channels", inp[0]), *_norm_options(layer.eps, layer.affine)]
    return _plain("GroupNorm", inp, calc, *args, positional=2)


@lowers(LayerNorm)
def _layernorm(layer: LayerNorm, inp: Shape, calc: Calc) -> Lowering:
    options = _norm_options(layer.eps, layer.affine, "elementwise_affine")
    if layer.over == "channels" and len(inp) > 1:
        return _plain("ChannelLayerNorm", inp, calc, ("num_channels", inp[0]), *options, positional=1)
    shape: object = inp[0] if len(inp) == 1 else list(inp)
    return _plain("LayerNorm", inp, calc, ("normalized_shape", shape), *options, positional=1)


@lowers(Lrn)
def _lrn(layer: Lrn, inp: Shape, calc: Calc) -> Lowering:
    if len(inp) < 2:
        raise Unexportable(
            "PyTorch's LocalResponseNorm needs spatial axes ([N, C, L] or more); this input is a flat vector",
            "place lrn before the layer that flattens",
        )
    args = [("size", layer.size), ("alpha", layer.alpha), ("beta", layer.beta), ("k", layer.k)]
    return _plain("LocalResponseNorm", inp, calc, *args, positional=1)


@lowers(ZeroPad)
def _zeropad(layer: ZeroPad, inp: Shape, calc: Calc) -> Lowering:
    ones = (1,) * (len(inp) - 1)
    return Lowering((_pad_module("", "ZeroPad", resolve_padding(layer.padding, inp[1:], ones, ones, ones), inp, None),))


@lowers(Upsample)
def _upsample(layer: Upsample, inp: Shape, calc: Calc) -> Lowering:
    args: list[tuple[str, object]] = []
    if layer.size is not None:
        args.append(("size", _axes(calc.output_shape[1:])))
    else:
        factors = tuple(o // n for o, n in zip(calc.output_shape[1:], inp[1:], strict=True))
        args.append(("scale_factor", _axes(factors)))
    if layer.mode != "nearest":
        args.append(("mode", layer.mode))
        args.append(("align_corners", layer.align_corners))
    return _plain("Upsample", inp, calc, *args)


@lowers(Slice)
def _slice(layer: Slice, inp: Shape, calc: Calc) -> Lowering:
    start, stop, _ = slice(*layer.channels).indices(inp[0])
    return _plain("ChannelSlice", inp, calc, ("start", start), ("stop", stop), positional=2)


@lowers(ChannelShuffle)
def _channel_shuffle(layer: ChannelShuffle, inp: Shape, calc: Calc) -> Lowering:
    """torchvision's view-transpose-view rather than ``nn.ChannelShuffle``, which ``torch.onnx.export``
    refuses (no ONNX form of ``aten::channel_shuffle``)."""
    return _plain("ChannelShuffle", inp, calc, ("groups", layer.groups), positional=1)


def _shuffle(cls: str, factor: int, inp: Shape, calc: Calc) -> Lowering:
    if len(inp) != 3:
        raise Unexportable(f"PyTorch's {cls} takes 2 spatial axes; this input has {len(inp) - 1}")
    return _plain(cls, inp, calc, ("factor", factor), positional=1)


@lowers(PixelShuffle)
def _pixel_shuffle(layer: PixelShuffle, inp: Shape, calc: Calc) -> Lowering:
    return _shuffle("PixelShuffle", layer.factor, inp, calc)


@lowers(PixelUnshuffle)
def _pixel_unshuffle(layer: PixelUnshuffle, inp: Shape, calc: Calc) -> Lowering:
    return _shuffle("PixelUnshuffle", layer.factor, inp, calc)


@lowers(Scale)
def _scale(layer: Scale, inp: Shape, calc: Calc) -> Lowering:
    return _plain("Scale", inp, calc, ("channels", inp[0]), ("bias", layer.bias), positional=1)


@lowers(Crop)
def _crop_layer(layer: Crop, inp: Shape, calc: Calc) -> Lowering:
    """A centre crop is a zero pad of negative widths."""
    return Lowering((_pad_module("", "ZeroPad", [(-b, -a) for b, a in layer.offsets(inp)], inp, None),))
