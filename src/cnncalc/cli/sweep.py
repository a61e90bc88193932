"""``sweep``: one spec at several input sizes and width multipliers, side by side."""

from __future__ import annotations

import re
from enum import Enum
from fractions import Fraction
from typing import Annotated

import typer

from ..args import MAX_SIZE
from ..errors import UsageError
from ..sweep import sweep
from .common import emit, format_choices, guarded, spec_arg
from .declare import FORMAT, BatchOpt, DType, DTypeOpt, SpecArg
from .options import parse_shape

SweepFormat = Enum("SweepFormat", format_choices("sweep"), type=str)  # type: ignore[misc]


def _items(values: list[str]) -> list[str]:
    """Repeated options and comma-separated lists alike."""
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _shapes(values: list[str]) -> list[tuple[int, ...]]:
    """``3x160x160,3x224x224``: shapes are written with x, so commas separate them."""
    if any(re.search(r"\d\s*,\s*\d", v) and not re.search(r"[x×]", v) for v in values):
        raise UsageError(
            f"--input {', '.join(values)}: write each shape with x and separate shapes with commas",
            "e.g. --input 3x160x160,3x224x224",
        )
    return [parse_shape(item) for item in _items(values)]


def _widths(values: list[str]) -> list[Fraction]:
    if values and not _items(values):
        raise UsageError(f"--width {', '.join(map(repr, values))} names no multiplier", _WIDTH_HINT)
    return [_width(item) for item in _items(values)]


_WIDTH_HINT = "e.g. --width 0.5,1,2"


def _width(item: str) -> Fraction:
    exponent = re.search(r"[eE][-+]?0*(\d+)", item)
    if len(item) > 40 or (exponent is not None and len(exponent.group(1)) > 3):
        # Fraction("1e999999999") would compute the power: refuse before reading it
        raise UsageError(
            f"--width {item[:40]!r} is out of range: width multipliers are at most {MAX_SIZE:,}", _WIDTH_HINT
        )
    try:
        alpha = Fraction(item)
    except (ValueError, ZeroDivisionError):
        raise UsageError(f"--width {item!r} is not a number", _WIDTH_HINT) from None
    if alpha <= 0:
        raise UsageError(f"--width {item}: a width multiplier must be positive", _WIDTH_HINT)
    if alpha > MAX_SIZE:
        raise UsageError(f"--width {item}: a width multiplier must be at most {MAX_SIZE:,} (2³¹ − 1)", _WIDTH_HINT)
    return alpha


@guarded
def sweep_cmd(
    spec: SpecArg,
    input_: Annotated[
        list[str] | None,
        typer.Option(
            "--input", "-i", help="Input shapes, e.g. 3x160x160,3x224x224 (default: the spec's).", show_default=False
        ),
    ] = None,
    width: Annotated[
        list[str] | None,
        typer.Option("--width", "-w", help="Width multipliers, e.g. 0.5,1,2 (default: 1).", show_default=False),
    ] = None,
    divisor: Annotated[int, typer.Option("--divisor", min=1, help="Round scaled widths to multiples of this.")] = 8,
    batch: BatchOpt = 1,
    dtype: DTypeOpt = DType.float32,  # type: ignore[attr-defined]
    fmt: Annotated[SweepFormat, FORMAT] = SweepFormat.table,  # type: ignore[attr-defined]
) -> None:
    """Params, MACs and activation memory for every input size × width multiplier, with the growth factor.

    A width multiplier scales every conv, deconv and fc width except the classifier (the last one), like
    MobileNet's α; depthwise convs stay depthwise.
    """
    result = sweep(
        spec_arg(spec),
        _shapes(input_ or []),
        _widths(width or []) or [Fraction(1)],
        divisor,
        batch,
        dtype.value,
    )
    emit("sweep", fmt, result)
