"""A learnable per-channel multiplier (ConvNeXt's layer scale, Caffe's Scale layer)."""

from __future__ import annotations

from ..args import Bool, arg
from ..record import record
from .base import Calc, Layer, Shape, numel, register


@register
@record
class Scale(Layer):
    """Multiplies each channel by a learned factor: ``C`` weights, plus ``C`` biases with ``bias: true``.
    Element-wise like batchnorm's affine, so 0 MACs; ``--convention full`` counts one multiplication (and
    one addition with a bias) per value."""

    kind = "scale"
    summary = "learnable per-channel scale (layer scale)"
    aliases = {"layer_scale": None}

    bias: bool = arg(Bool(), "also learn a per-channel shift", False)

    def apply(self, inp: Shape) -> Calc:
        c = inp[0]
        return Calc(
            output_shape=inp,
            weights=c,
            biases=c if self.bias else 0,
            details=f"{c} channels" + (", with bias" if self.bias else ""),
            other_ops=(2 if self.bias else 1) * numel(inp),
        )
