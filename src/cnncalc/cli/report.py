"""``report``: the whole analysis as one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..analysis import analyze
from ..errors import CnncalcError, UsageError
from ..render.columns import View
from .common import emit, emit_text, guarded, spec_arg, write_warnings
from .declare import SpecArg, with_options
from .options import Options


def write_new(path: Path, text: str, force: bool) -> None:
    """Write ``text`` to ``path``; an existing file only with ``force``."""
    if path.is_dir():
        raise UsageError(f"{path} is a directory", "name the file to write, e.g. -o net.html")
    if path.exists() and not force:
        raise UsageError(f"{path} already exists", "add --force to overwrite it, or choose another name with -o")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CnncalcError(f"cannot write {path}: {exc.strerror or exc}") from None


@guarded
@with_options("report", "input_", "batch", "dtype", "depth", "convention")
def report_cmd(
    spec: SpecArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the page to this file (default: standard output).", show_default=False
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --output file if it exists.")] = False,
    *,
    options: Options,
) -> None:
    """One self-contained HTML page: the graph drawn, the table, totals, warnings, charts, and per conv layer
    the picture of what it does. Nothing is fetched when it is viewed. --depth N opens the blocks nested
    less deep than N (by default blocks and repeats start folded)."""
    from ..render.registry import renderer

    if force and output is None:
        raise UsageError("--force applies to the file named with --output", "e.g. -o net.html --force")
    report = analyze(
        spec_arg(spec),
        input_shape=options.input_shape,
        batch=options.batch,
        dtype=options.dtype,
        convention=options.convention,
    )
    view = View(depth=options.depth)
    if output is None:
        emit("report", options.fmt, report, view, warnings=report.warnings)
        return
    page = renderer("report", options.fmt).load()(report, view)
    write_new(output, page, force)
    emit_text(f"wrote {output} ({len(page.encode()) / 1000:,.0f} KB)\n")  # stdout holds no page here
    write_warnings(report.warnings)
