"""Normalisation layers."""

from __future__ import annotations

from dataclasses import dataclass

from ..args import Bool, Float, Int, arg
from ..derivation import Derivation, Line, num, plural
from .base import Calc, Layer, Shape, register


@register
@dataclass(frozen=True, slots=True)
class BatchNorm(Layer):
    """Per channel a learnable scale and shift (``2C`` parameters, PyTorch's weight and bias) and two
    running statistics, mean and variance (``2C`` non-trainable). PyTorch's ``num_batches_tracked``
    counter is not a statistic of the data and is not counted."""

    kind = "batchnorm"
    summary = "batch normalisation over the channel axis"
    aliases = {"bn": None, "batch_norm": None, "batchnorm1d": None, "batchnorm2d": 2, "batchnorm3d": 3}

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
@dataclass(frozen=True, slots=True)
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
        )

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        text = (
            f"Divides each value by (k + α/size · Σ x²)^β over the {self.size} neighbouring channels at the "
            f"same position (k = {self.k:g}, α = {self.alpha:g}, β = {self.beta:g}); the shape is kept. "
            "No parameters; not counted in MACs.",
        )
        return Derivation(text)
