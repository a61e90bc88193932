"""The layer-kind contract and registry, plus the per-axis helpers the kinds share.

A layer kind is a frozen dataclass whose fields are its spec arguments (declared with
:func:`cnncalc.args.arg`) and whose :meth:`Layer.apply` computes, from the input shape, everything
cnncalc reports about it: output shape, weights, biases, non-trainable buffers, MACs and geometry
warnings. Registering it under its YAML name makes it usable in specs; nothing else needs to change.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import MISSING, fields
from typing import Any, ClassVar, TypeVar

from ..args import ArgInfo, ArgProblem, PaddingValue, show
from ..derivation import Derivation, Line, dims, num
from ..errors import ShapeError
from ..geometry import TransposedWindow, Window, axis_name, axis_unit, same_padding, window
from ..receptive import WHOLE, Footprint, resampling, step_of
from ..record import record

Shape = tuple[int, ...]
# The spatial rank an alias demands: one (conv2d: 2), several (batchnorm1d: [C] or [C, L], as PyTorch's
# BatchNorm1d), or None for any.
Rank = int | tuple[int, ...] | None
Widths = Callable[[int, int], int]
"""A width rule: ``(channels, multiple_of) → scaled channels``, a multiple of ``multiple_of``."""


@record
class Calc:
    """What one layer does to one sample; the analysis scales MACs and activations by the batch."""

    output_shape: Shape
    weights: int = 0
    biases: int = 0
    buffers: int = 0  # non-trainable parameters (BatchNorm running statistics)
    macs: int = 0
    details: str = ""
    warnings: tuple[str, ...] = ()
    geometry: tuple[Window | TransposedWindow, ...] = ()  # per spatial axis, for sliding-window kinds
    other_ops: int = 0  # arithmetic besides the MACs (bias additions, comparisons, …) for --convention full
    unknown_cost: bool = False  # the MACs are not known (an opaque row): every total of MACs is a lower bound


@record
class Sliding:
    """A sliding-window layer's arguments resolved for one input: one value per spatial axis, padding
    as ``(before, after)`` pairs (``same``/``valid`` already applied)."""

    kernel: Shape
    stride: Shape
    dilation: Shape
    pads: tuple[tuple[int, int], ...]
    output_padding: Shape = ()  # transposed convolutions only
    ceil_mode: bool = False


def sliding(calc: Calc) -> Sliding:
    """The resolved window arguments of a conv, deconv or pool, read from the windows its ``apply``
    computed (``calc.geometry``), so that what is exported is exactly what was counted."""
    g = calc.geometry
    return Sliding(
        kernel=tuple(w.kernel for w in g),
        stride=tuple(w.stride for w in g),
        dilation=tuple(w.dilation for w in g),
        pads=tuple((w.pad_before, w.pad_after) for w in g),
        output_padding=tuple(w.output_padding for w in g if isinstance(w, TransposedWindow)),
        ceil_mode=any(isinstance(w, Window) and w.ceil_mode for w in g),
    )


class Layer:
    """Base of every layer kind. Subclasses are ``@register``-ed frozen dataclasses."""

    __slots__ = ()
    kind: ClassVar[str]
    summary: ClassVar[str]
    aliases: ClassVar[Mapping[str, Rank]] = {}  # alias → required spatial rank(s) (None: any)
    width: ClassVar[str | None] = None  # the argument that sets the output channels (scaled by sweeps)
    references: ClassVar[tuple[str, ...]] = ()  # arguments that name an earlier row (crop's like)

    def apply(self, inp: Shape) -> Calc:
        raise NotImplementedError

    def check(self) -> None:
        """Cross-argument rules that need no input shape; raise :class:`ArgProblem` with ``arg``."""

    def concrete(self, inp: Shape) -> Layer:
        """This layer with the arguments that depend on the input resolved for ``inp`` (conv's
        ``group_width`` becomes ``groups``); what is analysed, explained and exported."""
        return self

    def bind(self, shapes: Mapping[str, Shape]) -> Layer:
        """This layer with each :attr:`references` argument replaced by what it needs of the named row's
        output shape (``shapes``: argument → shape)."""
        return self

    def footprint(self, inp: Shape, calc: Calc) -> Footprint:
        """How the layer changes receptive fields (see :mod:`cnncalc.receptive`).

        By default: the steps of the windows ``apply`` computed; none when the spatial size is kept;
        every position when the output has no spatial axes; otherwise nearest resampling per axis.
        """
        if calc.geometry:
            return tuple((step_of(w),) for w in calc.geometry)
        spatial, out = inp[1:], calc.output_shape[1:]
        if out == spatial:
            return ()
        if len(out) != len(spatial):
            return WHOLE
        return tuple((resampling(n, m),) for n, m in zip(spatial, out, strict=True))

    def explain(self, inp: Shape, calc: Calc) -> Derivation:
        """The derivation of ``calc`` (what :meth:`apply` returned for ``inp``), with its numbers.

        Kinds override this; the default states the shapes and any parameters.
        """
        text = f"{self.summary}: {dims(inp)} → {dims(calc.output_shape)}"
        lines = [Line(name, "", num(value), value) for name, value in self._counts(calc) if value]
        return Derivation((text + ("" if lines else "; no parameters") + ".",), tuple(lines))

    @staticmethod
    def _counts(calc: Calc) -> tuple[tuple[str, int], ...]:
        return (("weights", calc.weights), ("biases", calc.biases), ("non-trainable", calc.buffers))

    def widen(self, widths: Widths, c_in: int, original_c_in: int) -> Layer:
        """This layer in a network whose channel widths follow ``widths``; ``c_in`` is its new input
        channel count, ``original_c_in`` the one before scaling. By default the :attr:`width` argument
        is scaled; kinds without one return themselves."""
        if self.width is None:
            return self
        return type(self)(**{**self.arguments(), self.width: widths(getattr(self, self.width), 1)})

    @classmethod
    def arg_infos(cls) -> Iterator[tuple[str, ArgInfo, Any]]:
        """``(name, info, default)`` for each argument, in declaration order."""
        for f in fields(cls):  # type: ignore[arg-type]
            info = f.metadata.get("arg")
            if info is not None:
                yield f.name, info, (None if f.default is MISSING else f.default)

    def arguments(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name, _, _ in self.arg_infos()}


REGISTRY: dict[str, type[Layer]] = {}
ALIASES: dict[str, tuple[type[Layer], Rank]] = {}

L = TypeVar("L", bound=type[Layer])


def register(cls: L) -> L:
    """Make a layer kind usable in specs under its ``kind`` name and its aliases."""
    for name, rank in [(cls.kind, None), *cls.aliases.items()]:
        if name in ALIASES:
            raise RuntimeError(f"layer kind name {name!r} is registered twice")
        ALIASES[name] = (cls, rank)
    REGISTRY[cls.kind] = cls
    return cls


def lookup(name: str) -> tuple[type[Layer], Rank] | None:
    return ALIASES.get(name)


# ---------------------------------------------------------------------------------------------- helpers


def spatial_rank(inp: Shape, kind: str) -> int:
    """The number of spatial axes; layers that slide over them need at least one."""
    rank = len(inp) - 1
    if rank < 1:
        raise ShapeError(
            f"{kind} needs an input with spatial axes ([C, L], [C, H, W] or [C, D, H, W]), got {fmt_shape(inp)}",
            "a flat vector has no spatial axes: place this layer before flatten/fc",
        )
    return rank


def per_axis(value: int | tuple[int, ...], rank: int, name: str) -> tuple[int, ...]:
    """Broadcast an int to every spatial axis, or check a list has one value per axis."""
    if isinstance(value, int):
        return (value,) * rank
    if len(value) != rank:
        axes = ", ".join(axis_name(rank, i) for i in range(rank))
        raise ShapeError(
            f"{name} has {len(value)} values {show(list(value))} but the input has {rank} spatial "
            f"{'axes' if rank != 1 else 'axis'} ({axes})",
            "give one value for every axis, or a single integer for all of them",
            arg=name,
        )
    return value


def resolve_padding(
    padding: PaddingValue, spatial: Shape, kernel: Shape, stride: Shape, dilation: Shape
) -> tuple[tuple[int, int], ...]:
    """``(before, after)`` padding per spatial axis; ``same``/``valid`` as TensorFlow defines them."""
    rank = len(spatial)
    if padding == "valid":
        return ((0, 0),) * rank
    if padding == "same":
        return tuple(same_padding(n, k, s, d) for n, k, s, d in zip(spatial, kernel, stride, dilation, strict=True))
    if isinstance(padding, int):
        return ((padding, padding),) * rank
    assert not isinstance(padding, str)
    if len(padding) != rank:
        raise ShapeError(
            f"padding has {len(padding)} entries {show(list(padding))} but the input has {rank} spatial "
            f"{'axes' if rank != 1 else 'axis'}",
            "give one entry (an integer or a [before, after] pair) per spatial axis",
            arg="padding",
        )
    return tuple(p if isinstance(p, tuple) else (p, p) for p in padding)


def slide(
    kind: str,
    spatial: Shape,
    kernel: Shape,
    stride: Shape,
    pads: tuple[tuple[int, int], ...],
    dilation: Shape,
    ceil_mode: bool = False,
) -> tuple[Window, ...]:
    """The window geometry of every spatial axis; an output length ≤ 0 is an error naming the axis."""
    rank = len(spatial)
    windows = []
    for axis, (n, k, s, (pb, pa), d) in enumerate(zip(spatial, kernel, stride, pads, dilation, strict=True)):
        w = window(n, k, s, d, pb, pa, ceil_mode)
        if w.out <= 0:
            span = f"{k}" if d == 1 else f"{d}·({k} − 1) + 1 = {w.span}"
            raise ShapeError(
                f"output {axis_name(rank, axis)} would be {w.out}: the {kind} window ({span}) is larger "
                f"than the padded input {n} + {pb} + {pa} = {w.padded} along that axis "
                f"(input {dims(spatial)})",
                "use a smaller kernel or dilation, add padding, or remove a downsampling layer before it",
                arg="kernel",
            )
        windows.append(w)
    return tuple(windows)


def unread_warning(windows: tuple[Window, ...]) -> tuple[str, ...]:
    """A warning naming how many input rows/columns no window reads, or nothing."""
    rank = len(windows)
    parts: list[str] = []
    causes: list[str] = []
    for i, w in enumerate(windows):
        if w.unread == 0:
            continue
        unit = axis_unit(rank, i)
        if w.unread == w.trailing_unread:
            parts.append(f"the last {unit[:-1]}" if w.unread == 1 else f"the last {w.unread} {unit}")
            cause = (
                f"{w.size} + {w.pad_before + w.pad_after} − {w.span} = {w.padded - w.span} "
                f"is not a multiple of the stride {w.stride}"
            )
        else:
            parts.append(f"{w.unread} of the {w.size} {unit}")
            dil = f", dilation {w.dilation}" if w.dilation > 1 else ""
            cause = f"windows of {w.kernel}{dil} at stride {w.stride} skip positions between them"
        if cause not in causes:
            causes.append(cause)
    size = dims(tuple(w.size for w in windows))
    found = (f"no window reads {' and '.join(parts)} of its {size} input: {'; '.join(causes)}",) if parts else ()
    return found + padding_only_warning(windows)


def padding_only_windows(w: Window) -> int:
    """How many windows along one axis lie wholly in the padding: window ``i`` spans the padded positions
    ``i·S … i·S + span − 1`` and the input is ``P_b … P_b + N − 1``."""
    if w.out <= 0:
        return 0
    leading = min(w.out, max(0, -(-(w.pad_before - w.span + 1) // w.stride)))
    trailing = max(0, w.out - max(leading, (w.pad_before + w.size - 1) // w.stride + 1))
    return leading + trailing


def padding_only_warning(windows: tuple[Window, ...]) -> tuple[str, ...]:
    """A warning naming the windows that read only padding (their outputs ignore the input), or nothing."""
    rank = len(windows)
    parts = []
    for i, w in enumerate(windows):
        n = padding_only_windows(w)
        if n:
            pads = f"{w.pad_before}, {w.pad_after}" if w.pad_before != w.pad_after else str(w.pad_before)
            parts.append(
                f"{n} of the {w.out} windows along {axis_name(rank, i)} read only padding "
                f"(padding {pads} with a window of {w.span})"
            )
    if not parts:
        return ()
    return ("; ".join(parts) + ": their outputs do not depend on the input — reduce the padding",)


def numel(shape: Shape) -> int:
    return math.prod(shape)


def fmt_shape(shape: Sequence[int]) -> str:
    """``[3, 224, 224]``, as a spec writes a shape (in messages and generated code)."""
    return "[" + ", ".join(str(d) for d in shape) + "]"


def fmt_axes(values: Shape) -> str:
    """``3`` when every axis agrees, ``3×5`` otherwise (for details columns)."""
    return str(values[0]) if len(set(values)) == 1 else "×".join(str(v) for v in values)


def fmt_pads(pads: tuple[tuple[int, int], ...]) -> str:
    """``pad 1``, ``pad 1×2`` or ``pad (0,1)×(0,1)``; empty when there is no padding."""
    if not any(pb or pa for pb, pa in pads):
        return ""
    if all(pb == pa for pb, pa in pads):
        return "pad " + fmt_axes(tuple(pb for pb, _ in pads))
    return "pad " + "×".join(f"({pb},{pa})" for pb, pa in pads)


def fmt_window(kernel: Shape, stride: Shape, pads: tuple[tuple[int, int], ...], dilation: Shape) -> str:
    """``3×3, stride 2, pad 1, dilation 2`` — leaving out stride 1, no padding and dilation 1."""
    parts = ["×".join(str(k) for k in kernel)]
    if any(s != 1 for s in stride):
        parts.append("stride " + fmt_axes(stride))
    parts.append(fmt_pads(pads))
    if any(d != 1 for d in dilation):
        parts.append("dilation " + fmt_axes(dilation))
    return ", ".join(p for p in parts if p)


def divisible(count: int, groups: int, what: str) -> None:
    if count % groups:
        raise ShapeError(
            f"groups = {groups} must divide the {count} {what}",
            f"choose groups among the divisors of {count}"
            + (f" (e.g. {count} for depthwise)" if what == "input channels" else ""),
            arg="groups",
        )


def check_arg(name: str, ok: bool, message: str, hint: str | None = None) -> None:
    if not ok:
        raise ArgProblem(message, hint, arg=name)
