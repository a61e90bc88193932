"""Layers that keep the shape: activations, dropout, identity. No parameters, no MACs."""

from __future__ import annotations

from dataclasses import dataclass

from ..args import Float, arg
from ..derivation import Derivation, dims, num
from .base import Calc, Layer, Shape, numel, register


class ShapePreserving(Layer):
    """Output shape = input shape; subclasses only describe themselves."""

    __slots__ = ()

    def details(self) -> str:
        return ""

    def apply(self, inp: Shape) -> Calc:
        return Calc(output_shape=inp, details=self.details())

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        return Derivation(
            (
                f"{self.kind}: {self.summary}; applied to each of the {num(numel(inp))} values of the "
                f"{dims(inp)} input, which keeps its shape. No parameters; not counted in MACs.",
            )
        )


def _simple(kind: str, summary: str, aliases: dict[str, int | None] | None = None) -> type[Layer]:
    """A registered argument-free shape-preserving kind (relu, sigmoid, …)."""
    namespace = {"kind": kind, "summary": summary, "aliases": aliases or {}, "__module__": __name__}
    cls = type(kind.title().replace("_", ""), (ShapePreserving,), namespace)
    return register(dataclass(frozen=True, slots=True)(cls))


Relu = _simple("relu", "max(0, x), element-wise")
Relu6 = _simple("relu6", "min(max(0, x), 6), element-wise")
Sigmoid = _simple("sigmoid", "logistic sigmoid, element-wise")
Tanh = _simple("tanh", "hyperbolic tangent, element-wise")
Gelu = _simple("gelu", "Gaussian error linear unit, element-wise")
Silu = _simple("silu", "x · sigmoid(x), element-wise", {"swish": None})
Hardswish = _simple("hardswish", "piecewise-linear swish (MobileNetV3), element-wise", {"hard_swish": None})
Hardsigmoid = _simple("hardsigmoid", "piecewise-linear sigmoid, element-wise", {"hard_sigmoid": None})
Softmax = _simple("softmax", "normalised exponential over the channels")
Identity = _simple("identity", "passes its input through unchanged")


@register
@dataclass(frozen=True, slots=True)
class LeakyRelu(ShapePreserving):
    kind = "leaky_relu"
    summary = "x for x > 0, negative_slope · x otherwise"
    aliases = {"leakyrelu": None}

    negative_slope: float = arg(Float(), "slope for negative inputs", 0.01)

    def details(self) -> str:
        return f"slope {self.negative_slope:g}"


@register
@dataclass(frozen=True, slots=True)
class Elu(ShapePreserving):
    kind = "elu"
    summary = "x for x > 0, alpha · (exp(x) − 1) otherwise"

    alpha: float = arg(Float(), "saturation value for negative inputs", 1.0)

    def details(self) -> str:
        return f"alpha {self.alpha:g}"


@register
@dataclass(frozen=True, slots=True)
class Dropout(ShapePreserving):
    kind = "dropout"
    summary = "zeroes a fraction of activations while training; no effect on shapes or counts"
    aliases = {"dropout1d": 1, "dropout2d": 2, "dropout3d": 3}

    rate: float = arg(Float(0.0, 1.0, exclusive_maximum=True), "fraction dropped", 0.5)

    def details(self) -> str:
        return f"p={self.rate:g}"
