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
    EVERY_OPTION,
    FORMAT,
    Options,
    SpecArg,
    emit,
    emit_text,
    format_choices,
    guarded,
    spec_arg,
    with_options,
)

PresetsFormat = Enum("PresetsFormat", format_choices("presets"), type=str)  # type: ignore[misc]


def _report(command: str, spec: Spec, options: Options) -> None:
    from ..export.lowering import with_pytorch_notes
    from ..render.columns import View, choose

    fmt = options.fmt.value
    if options.columns is not None and fmt not in ("table", "markdown"):
        raise UsageError(f"--columns applies to the table and Markdown, not --format {fmt}")
    if options.chart and fmt != "table":
        raise UsageError(f"--chart draws in the terminal, after the table; not with --format {fmt}")
    view = View(options.depth, options.exact, choose(options.columns), options.chart)
    report = analyze(
        spec,
        input_shape=options.input_shape,
        batch=options.batch,
        dtype=options.dtype,
        convention=options.convention,
    )
    report = with_pytorch_notes(report)
    emit(command, options.fmt, report, view, warnings=report.warnings)


@guarded
@with_options("summarize", *EVERY_OPTION)
def summarize(spec: SpecArg, *, options: Options) -> None:
    """Every layer's output shape, parameters, MACs and memory for a spec file."""
    _report("summarize", spec_arg(spec), options)


@guarded
@with_options("preset", *EVERY_OPTION)
def preset_cmd(
    name: Annotated[str | None, typer.Argument(help="A preset name (see --list).", show_default=False)] = None,
    list_: Annotated[bool, typer.Option("--list", "-l", help="List the presets.")] = False,
    yaml_: Annotated[bool, typer.Option("--yaml", help="Print the preset's spec, to copy and edit.")] = False,
    *,
    options: Options,
) -> None:
    """Summarize a built-in network (alexnet, googlenet, …)."""
    if list_:
        fmt = options.fmt.value
        if fmt not in format_choices("presets"):
            hint = "choose one of " + ", ".join(format_choices("presets"))
            raise UsageError(f"the preset list has no --format {fmt}", hint)
        _list(PresetsFormat(fmt))
        return
    if name is None:
        raise UsageError("name a preset, or use --list", "presets: " + ", ".join(preset_names()))
    if yaml_:
        emit_text(preset_text(name))
        return
    _report("preset", preset(name), options)


@guarded
def presets_cmd(fmt: Annotated[PresetsFormat, FORMAT] = PresetsFormat.table) -> None:  # type: ignore[attr-defined]
    """List the built-in networks with their descriptions and sources."""
    _list(fmt)


def _list(fmt: Enum) -> None:
    from ..catalog import preset_rows

    emit("presets", fmt, preset_rows())
