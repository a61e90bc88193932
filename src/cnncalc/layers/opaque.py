"""An operation cnncalc cannot compute: its output shape and parameter count are declared, its cost is
unknown. ``cnncalc import --allow-unknown`` writes one for each operation it does not support, so the rest
of the network is still analysed; every such row carries a warning, so every output says how many rows
have an unknown cost."""

from __future__ import annotations

from ..args import Dims, Int, Text, arg
from ..record import record
from .base import Calc, Layer, Shape, register


@register
@record
class Opaque(Layer):
    """The output shape is ``output_shape`` as declared, whatever the input; the parameters are ``params``
    (all counted as weights); the MACs are unknown and counted as 0, and the row carries a warning saying
    so. ``cnncalc import --allow-unknown`` fills both from the ONNX file: the shape from ONNX's shape
    inference, the parameters from the node's initializers. Receptive fields follow the default of a kind
    without windows: unchanged where the spatial size is kept, nearest resampling where it changes, the
    whole input where the number of axes changes."""

    kind = "opaque"
    summary = "an operation of declared output shape and parameters whose cost is unknown"

    op: str = arg(Text(), "the source's operation type (e.g. the ONNX op)")
    output_shape: tuple[int, ...] = arg(Dims(), "the output shape, channels first, without the batch")
    params: int = arg(Int(0), "learnable parameters", 0)

    def apply(self, inp: Shape) -> Calc:
        return Calc(
            output_shape=tuple(self.output_shape),
            weights=self.params,
            details=f"{self.op}: cost unknown",
            unknown_cost=True,
            warnings=(f"cost unknown: {self.op} is an opaque row (its MACs are not counted)",),
        )
