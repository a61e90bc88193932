"""Layers that keep the shape: activations, dropout, identity. No parameters, no MACs.

For ``--convention full`` an activation counts one operation per element (softmax three: an exponent,
a share of the sum and a division); dropout and identity do nothing at inference.
"""

from __future__ import annotations

from typing import ClassVar

from ..args import Bool, Float, arg
from ..derivation import Derivation, dims, num
from ..record import record
from .base import Calc, Layer, Rank, Shape, numel, register


class ShapePreserving(Layer):
    """Output shape = input shape; subclasses only describe themselves."""

    __slots__ = ()
    ops_per_element: ClassVar[int] = 1

    def details(self) -> str:
        return ""

    def apply(self, inp: Shape) -> Calc:
        return Calc(output_shape=inp, details=self.details(), other_ops=self.ops_per_element * numel(inp))

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        return Derivation(
            (
                f"{self.kind}: {self.summary}; applied to each of the {num(numel(inp))} values of the "
                f"{dims(inp)} input, which keeps its shape. No parameters; not counted in MACs.",
            )
        )


_ARITHMETIC = "Output shape = input shape; no parameters, no MACs."


def _ops(ops: int) -> str:
    """What ``--convention full`` counts for a shape-preserving kind (see the module docstring)."""
    if ops == 0:
        return "No other operations either (``--convention full``)."
    return f"``--convention full`` counts {ops} operation{'s' if ops > 1 else ''} per element."


def _simple(kind: str, summary: str, aliases: dict[str, Rank] | None = None, ops: int = 1) -> type[Layer]:
    """A registered argument-free shape-preserving kind (relu, sigmoid, …)."""
    namespace = {
        "kind": kind,
        "summary": summary,
        "aliases": aliases or {},
        "ops_per_element": ops,
        "__module__": __name__,
    }
    namespace["__doc__"] = f"{summary[0].upper()}{summary[1:]}. {_ARITHMETIC} {_ops(ops)}"
    cls = type(kind.title().replace("_", ""), (ShapePreserving,), namespace)
    return register(record(cls))


Relu = _simple("relu", "max(0, x), element-wise")
Relu6 = _simple("relu6", "min(max(0, x), 6), element-wise")
Sigmoid = _simple("sigmoid", "logistic sigmoid, element-wise")
Tanh = _simple("tanh", "hyperbolic tangent, element-wise")
Gelu = _simple("gelu", "Gaussian error linear unit, element-wise")
Silu = _simple("silu", "x · sigmoid(x), element-wise", {"swish": None})
Hardswish = _simple("hardswish", "piecewise-linear swish (MobileNetV3), element-wise", {"hard_swish": None})
Hardsigmoid = _simple("hardsigmoid", "piecewise-linear sigmoid, element-wise", {"hard_sigmoid": None})
Softmax = _simple("softmax", "normalised exponential over the channels", ops=3)
Identity = _simple("identity", "passes its input through unchanged", ops=0)


@register
@record
class LeakyRelu(ShapePreserving):
    """Output shape = input shape; no parameters, no MACs. ``--convention full`` counts 1 operation per
    element."""

    kind = "leaky_relu"
    summary = "x for x > 0, negative_slope · x otherwise"
    aliases = {"leakyrelu": None}

    negative_slope: float = arg(Float(), "slope for negative inputs", 0.01)

    def details(self) -> str:
        return f"slope {self.negative_slope:g}"


@register
@record
class Prelu(ShapePreserving):
    """``x`` for ``x > 0``, ``a · x`` otherwise, with a learned slope ``a`` per channel: ``C`` weights, or
    1 with ``shared: true`` (Caffe's ``channel_shared``, PyTorch's ``nn.PReLU()`` default of
    ``num_parameters=1``). Output shape = input shape; no MACs (element-wise, as batchnorm's affine);
    ``--convention full`` counts 1 operation per element. Source: He et al., "Delving Deep into
    Rectifiers", ICCV 2015, eq. 1."""

    kind = "prelu"
    summary = "x for x > 0, a learned slope · x otherwise"

    shared: bool = arg(Bool(), "one slope for all channels instead of one per channel", False)

    def apply(self, inp: Shape) -> Calc:
        slopes = 1 if self.shared else inp[0]
        return Calc(
            output_shape=inp,
            weights=slopes,
            details="one shared slope" if self.shared else f"{slopes} slopes",
            other_ops=numel(inp),
        )

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        return Layer.explain(self, inp, calc)


@register
@record
class Elu(ShapePreserving):
    """Output shape = input shape; no parameters, no MACs. ``--convention full`` counts 1 operation per
    element."""

    kind = "elu"
    summary = "x for x > 0, alpha · (exp(x) − 1) otherwise"

    alpha: float = arg(Float(), "saturation value for negative inputs", 1.0)

    def details(self) -> str:
        return f"alpha {self.alpha:g}"


@register
@record
class Dropout(ShapePreserving):
    """Zeroes a fraction ``rate`` of the activations while training and scales the others by
    ``1 / (1 − rate)``; at inference it does nothing. Output shape = input shape; no parameters, no MACs,
    no other operations (``--convention full``)."""

    kind = "dropout"
    summary = "zeroes a fraction of activations while training; no effect on shapes or counts"
    aliases = {"dropout1d": 1, "dropout2d": 2, "dropout3d": 3}
    ops_per_element = 0

    rate: float = arg(Float(0.0, 1.0, exclusive_maximum=True), "fraction dropped", 0.5)

    def details(self) -> str:
        return f"p={self.rate:g}"
