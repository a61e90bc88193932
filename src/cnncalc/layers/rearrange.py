"""Kinds that only move values: a channel slice, a channel shuffle, pixel (un)shuffle and a centre crop.

None has parameters or MACs; each changes the shape by a rule stated in its docstring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import ClassVar

from ..args import ArgProblem, Int, Ints, PerAxis, Text, arg
from ..derivation import dims
from ..errors import ShapeError
from ..receptive import Footprint, Step
from ..record import record
from .base import Calc, Layer, Shape, divisible, fmt_axes, fmt_shape, per_axis, register, spatial_rank


@register
@record
class Slice(Layer):
    """Channels ``start … stop − 1`` of the input, by Python's slice rules: a negative bound counts from
    the end, bounds past either end are clipped. An empty slice is an error. (ShuffleNetV2's channel split
    is two slices.)"""

    kind = "slice"
    summary = "a range of channels (Python slice rules)"
    aliases = {"channel_slice": None}

    channels: tuple[int, ...] = arg(Ints(2), "[start, stop]: channels start … stop−1; negative counts from the end")

    def apply(self, inp: Shape) -> Calc:
        start, stop, _ = slice(*self.channels).indices(inp[0])
        if stop <= start:
            raise ShapeError(
                f"slice [{self.channels[0]}, {self.channels[1]}] of {inp[0]} channels is empty",
                f"choose start < stop within the {inp[0]} channels",
                arg="channels",
            )
        return Calc(output_shape=(stop - start, *inp[1:]), details=f"channels {start}…{stop - 1} of {inp[0]}")


@register
@record
class ChannelShuffle(Layer):
    """Reorders the channels as ``[G, C/G] → [C/G, G]`` (ShuffleNet); the shape is unchanged."""

    kind = "channel_shuffle"
    summary = "channel shuffle across G groups"

    groups: int = arg(Int(), "number of groups; the channels must divide by it")

    def apply(self, inp: Shape) -> Calc:
        divisible(inp[0], self.groups, "channels")
        return Calc(output_shape=inp, details=f"{self.groups} groups of {inp[0] // self.groups}")


@register
@record
class PixelShuffle(Layer):
    """``C·r^d × N… → C × rN…`` for ``d`` spatial axes (PyTorch's ``PixelShuffle``, sub-pixel conv)."""

    kind = "pixel_shuffle"
    summary = "depth-to-space: channels to spatial positions"

    factor: int = arg(Int(), "upscale factor r per spatial axis")

    def apply(self, inp: Shape) -> Calc:
        rank = spatial_rank(inp, self.kind)
        block = self.factor**rank
        if inp[0] % block:
            raise ShapeError(
                f"pixel_shuffle by {self.factor} needs channels divisible by {self.factor}^{rank} = {block}, "
                f"got {inp[0]}",
                "choose a factor whose power divides the channels",
                arg="factor",
            )
        out = (inp[0] // block, *(n * self.factor for n in inp[1:]))
        return Calc(output_shape=out, details=f"×{self.factor}, {inp[0]} → {out[0]} channels")


@register
@record
class PixelUnshuffle(Layer):
    """``C × rN… → C·r^d × N…`` (PyTorch's ``PixelUnshuffle``; space-to-depth, YOLOv5's focus)."""

    kind = "pixel_unshuffle"
    summary = "space-to-depth: spatial blocks to channels"
    aliases = {"space_to_depth": None}

    factor: int = arg(Int(), "downscale factor r per spatial axis; every spatial size must divide by it")

    def apply(self, inp: Shape) -> Calc:
        rank = spatial_rank(inp, self.kind)
        bad = [n for n in inp[1:] if n % self.factor]
        if bad:
            raise ShapeError(
                f"pixel_unshuffle by {self.factor} needs spatial sizes divisible by {self.factor}, got "
                f"{fmt_shape(inp)}",
                "choose a factor that divides every spatial size",
                arg="factor",
            )
        out = (inp[0] * self.factor**rank, *(n // self.factor for n in inp[1:]))
        return Calc(output_shape=out, details=f"÷{self.factor}, {inp[0]} → {out[0]} channels")

    def footprint(self, inp: Shape, calc: Calc) -> Footprint:
        """Output ``i`` holds the inputs ``r·i … r·i + r − 1``: a window of ``r``, stride ``r``."""
        return tuple((Step(self.factor, self.factor, 0),) for _ in inp[1:])


@register
@record
class Crop(Layer):
    """A centre crop to ``size`` (or to the spatial size of the row ``like`` names): on each axis of length
    ``N`` cropped to ``n`` the kept window starts at ``(N − n) // 2`` (the U-Net's cropped skips, Caffe's
    Crop). Cropping to a larger size is an error."""

    kind = "crop"
    summary = "centre crop to a size or to another row's spatial size"
    references: ClassVar[tuple[str, ...]] = ("like",)

    size: int | tuple[int, ...] | None = arg(PerAxis(), "output size per spatial axis (or like)", None, "—")
    like: str | None = arg(Text(), "an earlier row whose spatial size to crop to (or size)", None, "—")

    def check(self) -> None:
        if (self.size is None) == (self.like is None):
            raise ArgProblem(
                "crop takes exactly one of size and like",
                "write `crop: {size: [56, 56]}` or `crop: {like: up4}`",
                arg="like" if self.like is not None else None,
            )

    def bind(self, shapes: Mapping[str, Shape]) -> Layer:
        return self if self.like is None else replace(self, like=None, size=shapes["like"][1:])

    def offsets(self, inp: Shape) -> tuple[tuple[int, int], ...]:
        """Per spatial axis, the positions dropped before and after."""
        if self.size is None:
            raise ShapeError(f"crop like {self.like}: the row's shape is not known here")
        rank = spatial_rank(inp, self.kind)
        size = per_axis(self.size, rank, "size")
        if any(n > m for n, m in zip(size, inp[1:], strict=True)):
            raise ShapeError(
                f"crop to {dims(size)} is larger than the input {fmt_shape(inp)}",
                "a crop only shrinks: choose a size no larger than the input",
                arg="size",
            )
        return tuple(((m - n) // 2, m - n - (m - n) // 2) for n, m in zip(size, inp[1:], strict=True))

    def apply(self, inp: Shape) -> Calc:
        pads = self.offsets(inp)
        out = (inp[0], *(m - b - a for m, (b, a) in zip(inp[1:], pads, strict=True)))
        start = fmt_axes(tuple(b for b, _ in pads))
        return Calc(output_shape=out, details=f"centre {dims(out[1:])} from {start}")

    def footprint(self, inp: Shape, calc: Calc) -> Footprint:
        """Output ``i`` is input ``i + start``: a window of 1 whose grid starts ``start`` positions in."""
        return tuple((Step(1, 1, -before),) for before, _ in self.offsets(inp))
