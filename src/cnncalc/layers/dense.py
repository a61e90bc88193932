"""Fully connected layers and flattening."""

from __future__ import annotations

from ..args import Bool, Int, arg
from ..derivation import Derivation, Line, dims, num, params_lines, product
from ..receptive import Footprint
from ..record import record
from .base import Calc, Layer, Shape, numel, register


def _flatten_line(inp: Shape, n_in: int) -> list[Line]:
    """``in = 256·6·6 = 9,216`` when the input has more than one axis."""
    return [Line("in", "C·H·W (flatten)", product(inp), n_in)] if len(inp) > 1 else []


@register
@record
class Fc(Layer):
    """Flattens its input like Caffe's InnerProduct (the details show the flattened length ``in``), then
    ``weights = in · units`` (one per input–output pair), ``biases = units`` and ``MACs = in · units``."""

    kind = "fc"
    summary = "fully connected layer; flattens its input first (Caffe's InnerProduct)"
    aliases = {"linear": None, "dense": None, "innerproduct": None, "inner_product": None, "fully_connected": None}
    width = "units"

    units: int = arg(Int(), "number of outputs")
    bias: bool = arg(Bool(), "one learnable bias per output", True)

    def apply(self, inp: Shape) -> Calc:
        n_in = numel(inp)
        flat = f"flatten {dims(inp)} = {n_in}, " if len(inp) > 1 else ""
        return Calc(
            output_shape=(self.units,),
            weights=n_in * self.units,
            biases=self.units if self.bias else 0,
            macs=n_in * self.units,
            details=f"{flat}{n_in}→{self.units}" + ("" if self.bias else ", no bias"),
            other_ops=self.units if self.bias else 0,  # one bias addition per output
        )

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        n_in = calc.weights // self.units
        flat = f"flattens its {dims(inp)} input into {num(n_in)} values, then " if len(inp) > 1 else ""
        text = (
            f"Fully connected: {flat}each of the {num(self.units)} outputs is a weighted sum of all "
            f"{num(n_in)} inputs (one weight per input–output pair).",
        )
        lines = _flatten_line(inp, n_in)
        lines += params_lines(calc.weights, calc.biases, "in·out", (n_in, self.units), "out")
        lines.append(Line("MACs", "in·out", product((n_in, self.units)), calc.macs))
        return Derivation(text, tuple(lines))


@register
@record
class Flatten(Layer):
    """``[C, H, W]`` becomes ``[C·H·W]`` (channels first, as PyTorch's ``flatten(1)``); no parameters,
    no MACs. Each element keeps the receptive field of the position it came from."""

    kind = "flatten"
    summary = "reshape [C, H, W] to [C·H·W]"

    def apply(self, inp: Shape) -> Calc:
        return Calc(output_shape=(numel(inp),), details=f"{dims(inp)} = {numel(inp)}")

    def footprint(self, inp: Shape, calc: Calc) -> Footprint:
        """Each element keeps the field of the position it came from."""
        return ()

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        text = (f"Reshapes the {dims(inp)} input into one vector; no parameters.",)
        return Derivation(text, tuple(_flatten_line(inp, calc.output_shape[0])))
