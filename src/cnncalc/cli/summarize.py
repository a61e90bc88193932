"""``summarize``, ``preset`` and ``presets``: analyse a spec and print the result."""

from __future__ import annotations

from typing import Annotated

import typer

from ..analysis import analyze
from ..errors import UsageError
from ..loader import preset, preset_names, preset_text
from ..spec import Spec
from .common import (
    BatchOpt,
    ChartOpt,
    ColumnsOpt,
    ConventionName,
    ConventionOpt,
    DepthOpt,
    DType,
    DTypeOpt,
    ExactOpt,
    Format,
    FormatOpt,
    InputOpt,
    SpecArg,
    emit_report,
    emit_text,
    guarded,
    parse_shape,
    print_rich,
    spec_arg,
)


def _report(
    spec: Spec,
    input_: str | None,
    batch: int,
    dtype: DType,
    fmt: Format,
    depth: int | None,
    exact: bool,
    columns: str | None,
    chart: bool,
    convention: ConventionName,
) -> None:
    shape = parse_shape(input_) if input_ is not None else None
    from ..export.lowering import with_pytorch_notes

    report = analyze(spec, input_shape=shape, batch=batch, dtype=dtype.value, convention=convention.value)
    report = with_pytorch_notes(report)
    emit_report(report, fmt, depth, exact, columns, chart)


@guarded
def summarize(
    spec: SpecArg,
    input_: InputOpt = None,
    batch: BatchOpt = 1,
    dtype: DTypeOpt = DType.float32,  # type: ignore[attr-defined]
    fmt: FormatOpt = Format.table,
    depth: DepthOpt = None,
    exact: ExactOpt = False,
    columns: ColumnsOpt = None,
    chart: ChartOpt = False,
    convention: ConventionOpt = ConventionName.default,  # type: ignore[attr-defined]
) -> None:
    """Every layer's output shape, parameters, MACs and memory for a spec file."""
    _report(spec_arg(spec), input_, batch, dtype, fmt, depth, exact, columns, chart, convention)


@guarded
def preset_cmd(
    name: Annotated[str | None, typer.Argument(help="A preset name (see --list).", show_default=False)] = None,
    list_: Annotated[bool, typer.Option("--list", "-l", help="List the presets.")] = False,
    yaml_: Annotated[bool, typer.Option("--yaml", help="Print the preset's spec, to copy and edit.")] = False,
    input_: InputOpt = None,
    batch: BatchOpt = 1,
    dtype: DTypeOpt = DType.float32,  # type: ignore[attr-defined]
    fmt: FormatOpt = Format.table,
    depth: DepthOpt = None,
    exact: ExactOpt = False,
    columns: ColumnsOpt = None,
    chart: ChartOpt = False,
    convention: ConventionOpt = ConventionName.default,  # type: ignore[attr-defined]
) -> None:
    """Summarize a built-in network (alexnet, googlenet, …)."""
    if list_:
        _list(fmt)
        return
    if name is None:
        raise UsageError("name a preset, or use --list", "presets: " + ", ".join(preset_names()))
    if yaml_:
        emit_text(preset_text(name))
        return
    _report(preset(name), input_, batch, dtype, fmt, depth, exact, columns, chart, convention)


@guarded
def presets_cmd(fmt: FormatOpt = Format.table) -> None:
    """List the built-in networks with their descriptions and sources."""
    _list(fmt)


def _list(fmt: Format) -> None:
    from ..render.presets import preset_rows, render_preset_list

    if fmt in (Format.dot, Format.mermaid):
        raise UsageError(f"the preset list has no --format {fmt.value}", "choose table, json, csv or markdown")

    rows = preset_rows()
    if fmt is Format.table:
        print_rich(render_preset_list(rows))
    else:
        from ..render.presets import presets_text

        emit_text(presets_text(rows, fmt.value))
