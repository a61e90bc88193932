"""What ``summarize``, ``preset`` and ``presets`` do, free of typer: their typer commands (:mod:`.summarize`)
and the command lines that run without typer (:mod:`.fast`) both call these."""

from __future__ import annotations

from ..analysis import analyze
from ..errors import UsageError
from ..loader import preset, preset_names, preset_text
from ..spec import Spec
from .common import emit, emit_text, format_choices, spec_arg
from .options import Options


def summarize(ref: str, options: Options) -> None:
    """``cnncalc summarize REF``: the spec ``ref`` names (a file, ``-``, or a preset)."""
    _report("summarize", spec_arg(ref), options)


def preset_command(name: str | None, list_: bool, yaml_: bool, options: Options) -> None:
    """``cnncalc preset [NAME] [--list] [--yaml]``."""
    if list_:
        if options.fmt not in format_choices("presets"):
            hint = "choose one of " + ", ".join(format_choices("presets"))
            raise UsageError(f"the preset list has no --format {options.fmt}", hint)
        list_presets(options.fmt)
        return
    if name is None:
        raise UsageError("name a preset, or use --list", "presets: " + ", ".join(preset_names()))
    if yaml_:
        emit_text(preset_text(name))
        return
    _report("preset", preset(name), options)


def list_presets(fmt: str) -> None:
    from ..catalog import preset_rows

    emit("presets", fmt, preset_rows())


def _report(command: str, spec: Spec, options: Options) -> None:
    from ..export.lowering import with_pytorch_notes
    from ..render.columns import View, choose

    fmt = options.fmt
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
    emit(command, fmt, report, view, warnings=report.warnings, json_has_warnings=True)
