"""Normalisation layers."""

from __future__ import annotations

from ..args import Bool, Choice, Float, Int, arg
from ..derivation import Derivation, Line, num, plural
from ..errors import ShapeError
from ..record import record
from .base import Calc, Layer, Shape, numel, register

# Group and layer normalisation compute their statistics at inference too: per element a share of the
# mean, of the variance (subtract, square, add) and the normalisation, plus scale and shift when affine —
# fvcore's count (5 operations per element with affine parameters, 4 without).
_NORM_OPS = 4


@register
@record
class BatchNorm(Layer):
    """Per channel a learnable scale and shift (``2C`` parameters, PyTorch's weight and bias) and two
    running statistics, mean and variance (``2C`` non-trainable). PyTorch's ``num_batches_tracked``
    counter is not a statistic of the data and is not counted."""

    kind = "batchnorm"
    summary = "batch normalisation over the channel axis"
    aliases = {"bn": None, "batch_norm": None, "batchnorm1d": (0, 1), "batchnorm2d": 2, "batchnorm3d": 3}

    eps: float = arg(Float(0.0, exclusive_minimum=True), "added to the variance", 1e-5)
    affine: bool = arg(Bool(), "learn a scale and shift per channel", True)

    def apply(self, inp: Shape) -> Calc:
        channels = inp[0]
        learnable = channels if self.affine else 0
        return Calc(
            output_shape=inp,
            weights=learnable,
            biases=learnable,
            buffers=2 * channels,
            details=f"{channels} channels" + ("" if self.affine else ", not affine"),
            other_ops=2 * numel(inp),  # at inference the statistics fold into one scale and one shift
        )

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        c = inp[0]
        learn = ", then scales and shifts it by a learned γ and β" if self.affine else ""
        text = (
            f"Normalises each of the {plural(c, 'channel')} with its mean and variance{learn}; it keeps "
            "a running mean and variance per channel for inference (non-trainable).",
        )
        lines = []
        if self.affine:
            lines += [
                Line("weights", "C (scale γ)", num(c), calc.weights),
                Line("biases", "C (shift β)", num(c), calc.biases),
            ]
        lines.append(Line("non-trainable", "2·C (running mean and variance)", f"2·{num(c)}", calc.buffers))
        return Derivation(text, tuple(lines))


@register
@record
class Lrn(Layer):
    """Local response normalisation across ``size`` neighbouring channels (AlexNet, GoogLeNet).

    Defaults are PyTorch's ``LocalResponseNorm`` (alpha, beta, k) and Caffe's ``local_size`` 5.
    """

    kind = "lrn"
    summary = "local response normalisation across neighbouring channels"
    aliases = {"local_response_norm": None}

    size: int = arg(Int(), "number of neighbouring channels", 5)
    alpha: float = arg(Float(), "scale", 1e-4)
    beta: float = arg(Float(), "exponent", 0.75)
    k: float = arg(Float(), "additive constant", 1.0)

    def apply(self, inp: Shape) -> Calc:
        return Calc(
            output_shape=inp,
            details=f"size {self.size}, α={self.alpha:g}, β={self.beta:g}, k={self.k:g}",
            # per element: a square, size − 1 additions over the window, scale and offset, power, division
            other_ops=(self.size + 4) * numel(inp),
        )

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        text = (
            f"Divides each value by (k + α/size · Σ x²)^β over the {self.size} neighbouring channels at the "
            f"same position (k = {self.k:g}, α = {self.alpha:g}, β = {self.beta:g}); the shape is kept. "
            "No parameters; not counted in MACs.",
        )
        return Derivation(text)


@register
@record
class GroupNorm(Layer):
    """Normalises each of ``groups`` groups of channels over the group's channels and all positions
    (Wu & He, 2018); ``groups`` must divide the channels. As PyTorch's ``GroupNorm``, a learnable scale
    and shift per channel (``2C`` parameters) and no running statistics."""

    kind = "groupnorm"
    summary = "group normalisation: statistics per sample over groups of channels"
    aliases = {"group_norm": None}

    groups: int = arg(Int(), "number of channel groups (1 = layer norm over C, H, W; C = instance norm)")
    eps: float = arg(Float(0.0, exclusive_minimum=True), "added to the variance", 1e-5)
    affine: bool = arg(Bool(), "learn a scale and shift per channel", True)

    def apply(self, inp: Shape) -> Calc:
        channels = inp[0]
        if channels % self.groups:
            raise ShapeError(
                f"groups = {self.groups} must divide the {channels} channels",
                f"choose groups among the divisors of {channels} (32 is the usual choice)",
                arg="groups",
            )
        learnable = channels if self.affine else 0
        return Calc(
            output_shape=inp,
            weights=learnable,
            biases=learnable,
            details=f"{self.groups} groups of {channels // self.groups} channels"
            + ("" if self.affine else ", not affine"),
            other_ops=(_NORM_OPS + self.affine) * numel(inp),
        )


@register
@record
class LayerNorm(Layer):
    """Normalises each sample. ``over: all`` (the default) is PyTorch's ``LayerNorm`` over the whole
    ``[C, H, W]`` sample, with a learnable scale and shift per element (``2·C·H·W`` parameters);
    ``over: channels`` normalises the channels at every position (ConvNeXt's ``LayerNorm2d``), with
    ``2C`` parameters. On a flat ``[N]`` input both are ``LayerNorm(N)``."""

    kind = "layernorm"
    summary = "layer normalisation: statistics per sample (over everything, or over channels per position)"
    aliases = {"layer_norm": None}

    over: str = arg(Choice(("all", "channels")), "what the statistics span: the whole sample, or channels", "all")
    eps: float = arg(Float(0.0, exclusive_minimum=True), "added to the variance", 1e-5)
    affine: bool = arg(Bool(), "learn a scale and shift per normalised element", True)

    def apply(self, inp: Shape) -> Calc:
        normalised = inp[:1] if self.over == "channels" else inp
        learnable = numel(normalised) if self.affine else 0
        span = "channels at each position" if self.over == "channels" and len(inp) > 1 else "×".join(map(str, inp))
        return Calc(
            output_shape=inp,
            weights=learnable,
            biases=learnable,
            details=f"over {span}" + ("" if self.affine else ", not affine"),
            other_ops=(_NORM_OPS + self.affine) * numel(inp),
        )
