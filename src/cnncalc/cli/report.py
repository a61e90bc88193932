"""``report``: the whole analysis as one self-contained HTML page."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..analysis import analyze
from ..errors import CnncalcError, UsageError
from .common import (
    FORMAT,
    BatchOpt,
    ConventionName,
    ConventionOpt,
    DType,
    DTypeOpt,
    InputOpt,
    SpecArg,
    emit,
    format_choices,
    guarded,
    parse_shape,
    spec_arg,
    write_warnings,
)

ReportFormat = Enum("ReportFormat", format_choices("report"), type=str)  # type: ignore[misc]


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
def report_cmd(
    spec: SpecArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the page to this file (default: standard output).", show_default=False
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --output file if it exists.")] = False,
    input_: InputOpt = None,
    batch: BatchOpt = 1,
    dtype: DTypeOpt = DType.float32,  # type: ignore[attr-defined]
    convention: ConventionOpt = ConventionName.default,  # type: ignore[attr-defined]
    fmt: Annotated[ReportFormat, FORMAT] = ReportFormat.html,  # type: ignore[attr-defined]
) -> None:
    """One self-contained HTML page: the graph drawn, the table, totals, warnings, charts, and per conv layer
    the picture of what it does. Nothing is fetched when it is viewed."""
    from ..render.registry import renderer

    if force and output is None:
        raise UsageError("--force applies to the file named with --output", "e.g. -o net.html --force")
    shape = parse_shape(input_) if input_ is not None else None
    report = analyze(spec_arg(spec), input_shape=shape, batch=batch, dtype=dtype.value, convention=convention.value)
    if output is None:
        emit("report", fmt, report, warnings=report.warnings)
        return
    page = renderer("report", fmt.value).load()(report)
    write_new(output, page, force)
    sys.stderr.write(f"wrote {output} ({len(page.encode()) / 1000:,.0f} KB)\n")
    write_warnings(report.warnings)
