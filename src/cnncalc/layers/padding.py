"""Explicit zero padding."""

from __future__ import annotations

from dataclasses import dataclass

from ..args import Padding, PaddingValue, arg
from .base import Calc, Layer, Shape, fmt_pads, register, resolve_padding, spatial_rank


@register
@dataclass(frozen=True, slots=True)
class ZeroPad(Layer):
    kind = "zeropad"
    summary = "adds zeros around each map: N → P_before + N + P_after per axis"
    aliases = {"zero_pad": None, "zeropad1d": 1, "zeropad2d": 2, "zeropad3d": 3, "zeropadding2d": 2}

    padding: PaddingValue = arg(Padding(modes=False), "zeros added to each side (see Padding)")

    def apply(self, inp: Shape) -> Calc:
        rank = spatial_rank(inp, self.kind)
        spatial = inp[1:]
        ones = (1,) * rank
        pads = resolve_padding(self.padding, spatial, ones, ones, ones)
        out = (inp[0], *(n + pb + pa for n, (pb, pa) in zip(spatial, pads, strict=True)))
        return Calc(output_shape=out, details=fmt_pads(pads) or "no padding")
