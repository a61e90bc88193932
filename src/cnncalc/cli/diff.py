"""``cnncalc diff OLD NEW``: what changed between two specs, layer by layer and in total."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from ..args import suggest
from ..diff import FIGURES, diff
from ..errors import UsageError
from .common import BatchOpt, DType, DTypeOpt, SpecArg, emit_text, guarded, print_rich, spec_arg


class DiffFormat(str, Enum):
    table = "table"
    markdown = "markdown"
    json = "json"


@guarded
def diff_cmd(
    old: SpecArg,
    new: SpecArg,
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")] = DiffFormat.table,
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
    if fmt is DiffFormat.json:
        from ..render.diff import diff_json

        emit_text(diff_json(result))
    elif fmt is DiffFormat.markdown:
        from ..render.diff import diff_markdown

        emit_text(diff_markdown(result))
    else:
        from ..render.diff import render_diff

        print_rich(render_diff(result))
    grown = result.increased(watched)
    if grown:
        from ..render.diff import change_text

        for figure in grown:
            sys.stderr.write(f"error: {figure} increased: {change_text(result.total(figure))}\n")
        raise typer.Exit(1)


def _figures(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    for name in names:
        if name not in FIGURES:
            hint = suggest(name, FIGURES) or "choose among " + ", ".join(FIGURES)
            raise UsageError(f"--fail-on-increase: unknown total {name!r}", hint)
    if not names:
        raise UsageError("--fail-on-increase needs at least one total", "e.g. --fail-on-increase params,macs")
    return names
