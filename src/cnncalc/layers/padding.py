"""Explicit zero padding."""

from __future__ import annotations

from ..args import Padding, PaddingValue, arg
from ..derivation import Derivation, Line
from ..geometry import axis_name
from ..receptive import Footprint, Step
from ..record import record
from .base import Calc, Layer, Shape, fmt_pads, register, resolve_padding, spatial_rank


@register
@record
class ZeroPad(Layer):
    """Each spatial axis grows from ``N`` to ``P_before + N + P_after``, the same for every channel; no
    parameters, no MACs. ``padding`` takes what a conv's does except ``same`` and ``valid``, which are
    defined by a window this layer does not have. In receptive fields it shifts the start by ``P_before``."""

    kind = "zeropad"
    summary = "adds zeros around each map: N → P_before + N + P_after per axis"
    aliases = {"zero_pad": None, "zeropad1d": 1, "zeropad2d": 2, "zeropad3d": 3, "zeropadding2d": 2}

    padding: PaddingValue = arg(Padding(modes=False), "zeros added to each side (see Padding)")

    def pads(self, inp: Shape) -> tuple[tuple[int, int], ...]:
        ones = (1,) * spatial_rank(inp, self.kind)
        return resolve_padding(self.padding, inp[1:], ones, ones, ones)

    def apply(self, inp: Shape) -> Calc:
        pads = self.pads(inp)
        out = (inp[0], *(n + pb + pa for n, (pb, pa) in zip(inp[1:], pads, strict=True)))
        return Calc(output_shape=out, details=fmt_pads(pads) or "no padding")

    def footprint(self, inp: Shape, calc: Calc) -> Footprint:
        return tuple((Step(1, 1, pb),) for pb, _ in self.pads(inp))

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        rank = len(inp) - 1
        lines = [
            Line(f"out {axis_name(rank, i)}", "P_b + N + P_a", f"{pb} + {n} + {pa}", out)
            for i, (n, (pb, pa), out) in enumerate(zip(inp[1:], self.pads(inp), calc.output_shape[1:], strict=True))
        ]
        return Derivation(("Adds zeros around each map, per channel; no parameters.",), tuple(lines))
