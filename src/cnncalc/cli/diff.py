"""``cnncalc diff OLD NEW``: what changed between two specs, layer by layer and in total."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from ..args import suggest
from ..diff import FIGURES, diff
from ..errors import ExitCode, UsageError
from .common import emit, format_choices, guarded, spec_arg
from .declare import FORMAT, BatchOpt, DType, DTypeOpt, SpecArg

DiffFormat = Enum("DiffFormat", format_choices("diff"), type=str)  # type: ignore[misc]


@guarded
def diff_cmd(
    old: SpecArg,
    new: SpecArg,
    fmt: Annotated[DiffFormat, FORMAT] = DiffFormat.table,  # type: ignore[attr-defined]
    fail_on_increase: Annotated[
        str | None,
        typer.Option(
            "--fail-on-increase",
            help="Exit 1 when any of these totals grew, e.g. params,macs (any of: " + ", ".join(FIGURES) + ").",
            show_default=False,
        ),
    ] = None,
    batch: BatchOpt = 1,
    dtype: DTypeOpt = DType.float32,  # type: ignore[attr-defined]
) -> None:
    """Compare two specs: added, removed and changed layers, and the totals. Exit 0 unless --fail-on-increase."""
    watched = _figures(fail_on_increase) if fail_on_increase is not None else ()
    if old == new == "-":
        raise UsageError("only one of OLD and NEW can be - (standard input)")
    result = diff(spec_arg(old), spec_arg(new), batch=batch, dtype=dtype.value)
    emit("diff", fmt, result)
    grown = result.increased(watched)
    if grown:
        from ..render.diff import change_text

        for figure in grown:
            sys.stderr.write(f"error: {figure} increased: {change_text(result.total(figure))}\n")
        raise SystemExit(ExitCode.FAILED)


def _figures(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    for name in names:
        if name not in FIGURES:
            hint = suggest(name, FIGURES) or "choose among " + ", ".join(FIGURES)
            raise UsageError(f"--fail-on-increase: unknown total {name!r}", hint)
    if not names:
        raise UsageError("--fail-on-increase needs at least one total", "e.g. --fail-on-increase params,macs")
    return names
