"""Upsampling by interpolation: no parameters, no MACs."""

from __future__ import annotations

from ..args import ArgProblem, Bool, Choice, PerAxis, arg
from ..errors import ShapeError
from ..receptive import Footprint, Step, resampling
from ..record import record
from .base import Calc, Layer, Shape, fmt_axes, numel, per_axis, register, spatial_rank

# the interpolating modes PyTorch's Upsample accepts, with the spatial rank each one requires
MODE_RANKS: dict[str, int | None] = {"nearest": None, "linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


@register
@record
class Upsample(Layer):
    """Each spatial axis grows to ``N · scale_factor`` or to a given ``size`` (PyTorch's ``Upsample``).

    Exactly one of ``scale_factor`` and ``size``; integer scale factors only, so the output length is exact.
    ``nearest`` works in any rank; ``linear`` needs a 1-D input, ``bilinear`` and ``bicubic`` a 2-D one,
    ``trilinear`` a 3-D one. No parameters, no MACs. Other ops (``--convention full``): none for
    ``nearest``; an interpolating mode blends ``2^d`` inputs per output element (``d`` spatial axes; 4 for
    bilinear): ``2^d`` multiplications and ``2^d − 1`` additions.
    """

    kind = "upsample"
    summary = "upsampling by nearest-neighbour or (bi/tri)linear interpolation"
    aliases = {"upsampling": None, "interpolate": None, "upsample2d": 2, "upsampling2d": 2}

    scale_factor: int | tuple[int, ...] | None = arg(PerAxis(), "integer factor per spatial axis", None, "—")
    size: int | tuple[int, ...] | None = arg(PerAxis(), "output size per spatial axis (or scale_factor)", None, "—")
    mode: str = arg(Choice(tuple(MODE_RANKS)), "interpolation", "nearest")
    align_corners: bool = arg(Bool(), "align the corner pixels (interpolating modes only, as PyTorch)", False)

    def check(self) -> None:
        if (self.scale_factor is None) == (self.size is None):
            raise ArgProblem(
                "upsample takes exactly one of scale_factor and size",
                "write `upsample: {scale_factor: 2}` or `upsample: {size: [56, 56]}`",
                arg="size" if self.size is not None else None,
            )
        if self.align_corners and self.mode == "nearest":
            raise ArgProblem(
                "align_corners only applies to interpolating modes, not nearest",
                "remove align_corners, or choose mode bilinear (linear, bicubic, trilinear)",
                arg="align_corners",
            )

    def apply(self, inp: Shape) -> Calc:
        rank = spatial_rank(inp, self.kind)
        needed = MODE_RANKS[self.mode]
        if needed is not None and needed != rank:
            fitting = [m for m, r in MODE_RANKS.items() if r == rank] or ["nearest"]
            raise ShapeError(
                f"mode {self.mode} interpolates {needed} spatial {'axes' if needed != 1 else 'axis'}, but the "
                f"input has {rank}",
                f"use mode {' or '.join(fitting)} for this input",
                arg="mode",
            )
        if self.size is not None:
            out = per_axis(self.size, rank, "size")
            how = f"to {fmt_axes(out)}"
        else:
            assert self.scale_factor is not None
            factor = per_axis(self.scale_factor, rank, "scale_factor")
            out = tuple(n * f for n, f in zip(inp[1:], factor, strict=True))
            how = f"×{fmt_axes(factor)}"
        output_shape = (inp[0], *out)
        ops = 0 if self.mode == "nearest" else (2 ** (rank + 1) - 1) * numel(output_shape)
        return Calc(output_shape=output_shape, details=f"{how}, {self.mode}", other_ops=ops)

    def footprint(self, inp: Shape, calc: Calc) -> Footprint:
        """Nearest reads one input per output; (bi/tri)linear blends the 2 neighbours ``⌊x⌋, ⌊x⌋ + 1`` of the
        source coordinate ``x`` on each axis, bicubic the 4 ``⌊x⌋ − 1 … ⌊x⌋ + 2`` (PyTorch's
        ``upsample_bicubic2d``): a window of 2 (or 4, starting one before) at the resampling stride."""
        nearest = Layer.footprint(self, inp, calc)
        if self.mode == "nearest" or nearest == ():
            return nearest
        span, before = (4, 1) if self.mode == "bicubic" else (2, 0)
        return tuple(
            (Step(span, resampling(n, m).stride, before),) for n, m in zip(inp[1:], calc.output_shape[1:], strict=True)
        )
