"""``summarize``, ``preset`` and ``presets``: analyse a spec and print the result."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from ..analysis import analyze
from ..errors import UsageError
from ..loader import preset, preset_names, preset_text
from ..spec import Spec
from .common import (
    FORMAT,
    BatchOpt,
    ChartOpt,
    ColumnsOpt,
    ConventionName,
    ConventionOpt,
    DepthOpt,
    DType,
    DTypeOpt,
    ExactOpt,
    InputOpt,
    SpecArg,
    emit,
    emit_text,
    format_choices,
    guarded,
    parse_shape,
    spec_arg,
)

ReportFormat = Enum("ReportFormat", format_choices("summarize"), type=str)  # type: ignore[misc]
PresetsFormat = Enum("PresetsFormat", format_choices("presets"), type=str)  # type: ignore[misc]
ReportFormatOpt = Annotated[ReportFormat, FORMAT]


def _report(
    command: str,
    spec: Spec,
    input_: str | None,
    batch: int,
    dtype: DType,
    fmt: Enum,
    depth: int | None,
    exact: bool,
    columns: str | None,
    chart: bool,
    convention: ConventionName,
) -> None:
    from ..export.lowering import with_pytorch_notes
    from ..render.columns import View, choose

    if columns is not None and fmt.value not in ("table", "markdown"):
        raise UsageError(f"--columns applies to the table and Markdown, not --format {fmt.value}")
    if chart and fmt.value != "table":
        raise UsageError(f"--chart draws in the terminal, after the table; not with --format {fmt.value}")
    view = View(depth, exact, choose(columns), chart)
    shape = parse_shape(input_) if input_ is not None else None
    report = analyze(spec, input_shape=shape, batch=batch, dtype=dtype.value, convention=convention.value)
    report = with_pytorch_notes(report)
    emit(command, fmt, report, view, warnings=report.warnings)


@guarded
def summarize(
    spec: SpecArg,
    input_: InputOpt = None,
    batch: BatchOpt = 1,
    dtype: DTypeOpt = DType.float32,  # type: ignore[attr-defined]
    fmt: ReportFormatOpt = ReportFormat.table,  # type: ignore[attr-defined]
    depth: DepthOpt = None,
    exact: ExactOpt = False,
    columns: ColumnsOpt = None,
    chart: ChartOpt = False,
    convention: ConventionOpt = ConventionName.default,  # type: ignore[attr-defined]
) -> None:
    """Every layer's output shape, parameters, MACs and memory for a spec file."""
    _report("summarize", spec_arg(spec), input_, batch, dtype, fmt, depth, exact, columns, chart, convention)


@guarded
def preset_cmd(
    name: Annotated[str | None, typer.Argument(help="A preset name (see --list).", show_default=False)] = None,
    list_: Annotated[bool, typer.Option("--list", "-l", help="List the presets.")] = False,
    yaml_: Annotated[bool, typer.Option("--yaml", help="Print the preset's spec, to copy and edit.")] = False,
    input_: InputOpt = None,
    batch: BatchOpt = 1,
    dtype: DTypeOpt = DType.float32,  # type: ignore[attr-defined]
    fmt: ReportFormatOpt = ReportFormat.table,  # type: ignore[attr-defined]
    depth: DepthOpt = None,
    exact: ExactOpt = False,
    columns: ColumnsOpt = None,
    chart: ChartOpt = False,
    convention: ConventionOpt = ConventionName.default,  # type: ignore[attr-defined]
) -> None:
    """Summarize a built-in network (alexnet, googlenet, …)."""
    if list_:
        if fmt.value not in format_choices("presets"):
            raise UsageError(
                f"the preset list has no --format {fmt.value}", "choose one of " + ", ".join(format_choices("presets"))
            )
        _list(PresetsFormat(fmt.value))
        return
    if name is None:
        raise UsageError("name a preset, or use --list", "presets: " + ", ".join(preset_names()))
    if yaml_:
        emit_text(preset_text(name))
        return
    _report("preset", preset(name), input_, batch, dtype, fmt, depth, exact, columns, chart, convention)


@guarded
def presets_cmd(fmt: Annotated[PresetsFormat, FORMAT] = PresetsFormat.table) -> None:  # type: ignore[attr-defined]
    """List the built-in networks with their descriptions and sources."""
    _list(fmt)


def _list(fmt: Enum) -> None:
    from ..catalog import preset_rows

    emit("presets", fmt, preset_rows())
