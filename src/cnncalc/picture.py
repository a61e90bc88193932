"""What a conv or pooling layer does to its input, as the figures of a picture.

The picture the question behind cnncalc asks for ("does the second conv run each filter over each map
separately?"): the input volume ``C_in × H × W``, one filter ``k × k × (C_in / groups)`` spanning the
full depth of its group, and the output as ``C_out`` maps — or, for pooling, a ``k × k × 1`` window
acting on each map alone. The figures come from what the analysis computed (the layer's windows and
output shape); the HTML renderer only draws them.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from .geometry import Window
from .layers import Shape
from .layers.conv import Conv
from .layers.pool import AvgPool, GlobalAvgPool, GlobalMaxPool, MaxPool
from .record import record
from .report import LayerResult


class Mode(str, Enum):
    """How the drawn window meets the input channels."""

    conv = "conv"  # one filter spans all C_in / groups channels of its group
    pointwise = "pointwise"  # a 1×…×1 conv: mixes channels at one position
    depthwise = "depthwise"  # groups = C_in: each filter reads one channel
    pool = "pool"  # each map alone, no weights


@record
class Picture:
    """The figures of one layer's picture."""

    mode: Mode
    input_shape: Shape  # C_in, *spatial
    output_shape: Shape  # C_out, *spatial
    window: Shape  # the filter's (or pooling window's) size per spatial axis
    depth: int  # channels one filter spans: C_in / groups; 1 for pooling
    groups: int
    stride: Shape
    macs_per_output: int  # k·…·k · C_in/groups for a conv; 0 for pooling
    reduce: str = ""  # "maximum" or "average" for pooling

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode.value,
            "input_shape": list(self.input_shape),
            "output_shape": list(self.output_shape),
            "window": list(self.window),
            "depth": self.depth,
            "groups": self.groups,
            "stride": list(self.stride),
            "macs_per_output": self.macs_per_output,
            "reduce": self.reduce,
        }


_REDUCE: dict[type, str] = {MaxPool: "maximum", AvgPool: "average", GlobalMaxPool: "maximum", GlobalAvgPool: "average"}


def picture(row: LayerResult) -> Picture | None:
    """The picture of a conv or pooling row over a spatial input; None for any other row."""
    layer, calc = row.layer, row.calc
    if layer is None or calc is None or len(row.input_shape) < 2:
        return None
    inp, out = row.input_shape, row.output_shape
    windows = [w for w in calc.geometry if isinstance(w, Window)]
    if isinstance(layer, Conv) and windows:
        window = tuple(w.kernel for w in windows)
        depth = inp[0] // layer.groups
        if layer.groups > 1 and layer.groups == inp[0]:
            mode = Mode.depthwise
        elif all(k == 1 for k in window):
            mode = Mode.pointwise
        else:
            mode = Mode.conv
        stride = tuple(w.stride for w in windows)
        return Picture(mode, inp, out, window, depth, layer.groups, stride, calc.weights // layer.filters)
    reduce = _REDUCE.get(type(layer))
    if reduce is None:
        return None
    if windows:
        window, stride = tuple(w.kernel for w in windows), tuple(w.stride for w in windows)
    else:  # a global pool: one window over the whole map
        window, stride = inp[1:], inp[1:]
    return Picture(Mode.pool, inp, out, window, 1, inp[0], stride, 0, reduce)
