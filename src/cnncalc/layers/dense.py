"""Fully connected layers and flattening."""

from __future__ import annotations

from dataclasses import dataclass

from ..args import Bool, Int, arg
from .base import Calc, Layer, Shape, fmt_spatial, numel, register


@register
@dataclass(frozen=True, slots=True)
class Fc(Layer):
    """Flattens its input like Caffe's InnerProduct, then ``weights = in · units`` (one per
    input–output pair), ``biases = units`` and ``MACs = in · units``."""

    kind = "fc"
    summary = "fully connected layer; flattens its input first (Caffe's InnerProduct)"
    aliases = {"linear": None, "dense": None, "innerproduct": None, "inner_product": None, "fully_connected": None}

    units: int = arg(Int(), "number of outputs")
    bias: bool = arg(Bool(), "one learnable bias per output", True)

    def apply(self, inp: Shape) -> Calc:
        n_in = numel(inp)
        flat = f"flatten {fmt_spatial(inp)} = {n_in}, " if len(inp) > 1 else ""
        return Calc(
            output_shape=(self.units,),
            weights=n_in * self.units,
            biases=self.units if self.bias else 0,
            macs=n_in * self.units,
            details=f"{flat}{n_in}→{self.units}" + ("" if self.bias else ", no bias"),
            other_ops=self.units if self.bias else 0,  # one bias addition per output
        )


@register
@dataclass(frozen=True, slots=True)
class Flatten(Layer):
    kind = "flatten"
    summary = "reshape [C, H, W] to [C·H·W]"

    def apply(self, inp: Shape) -> Calc:
        return Calc(output_shape=(numel(inp),), details=f"{fmt_spatial(inp)} = {numel(inp)}")
