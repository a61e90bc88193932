"""``summarize``, ``preset`` and ``presets``: typer's declarations; what they do is in :mod:`.summary`."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from . import summary
from .common import format_choices, guarded
from .declare import FORMAT, ListOpt, SpecArg, YamlOpt, with_options
from .options import EVERY_OPTION, Options

PresetsFormat = Enum("PresetsFormat", format_choices("presets"), type=str)  # type: ignore[misc]


@guarded
@with_options("summarize", *EVERY_OPTION)
def summarize(spec: SpecArg, *, options: Options) -> None:
    """Every layer's output shape, parameters, MACs and memory for a spec file."""
    summary.summarize(spec, options)


@guarded
@with_options("preset", *EVERY_OPTION)
def preset_cmd(
    name: Annotated[str | None, typer.Argument(help="A preset name (see --list).", show_default=False)] = None,
    list_: ListOpt = False,
    yaml_: YamlOpt = False,
    *,
    options: Options,
) -> None:
    """Summarize a built-in network (alexnet, googlenet, …)."""
    summary.preset_command(name, list_, yaml_, options)


@guarded
def presets_cmd(fmt: Annotated[PresetsFormat, FORMAT] = PresetsFormat.table) -> None:  # type: ignore[attr-defined]
    """List the built-in networks with their descriptions and sources."""
    summary.list_presets(fmt.value)
