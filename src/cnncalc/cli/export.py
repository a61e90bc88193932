"""``export``: write a spec in another framework's terms (PyTorch) on standard output."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from ..errors import UsageError
from ..loader import preset
from .common import emit_text, guarded, spec_arg
from .declare import InputOpt
from .options import parse_shape


class Target(str, Enum):
    pytorch = "pytorch"


@guarded
def export(
    spec: Annotated[
        str | None,
        typer.Argument(
            help="A spec file (YAML), a preset's name (or preset:NAME), or - for standard input.", show_default=False
        ),
    ] = None,
    to: Annotated[Target, typer.Option("--to", "-t", help="The framework to write for.")] = Target.pytorch,
    preset_name: Annotated[
        str | None, typer.Option("--preset", "-p", help="Export a built-in network instead of a file.")
    ] = None,
    input_: InputOpt = None,
) -> None:
    """Print a self-contained Python module implementing the spec as a PyTorch nn.Module.

    Module names follow cnncalc's layer paths, with '/' read as '.'.

    A layer PyTorch rejects as written (e.g. pooling padding above half the kernel) becomes an explicit equivalent.
    """
    from ..export.pytorch import to_pytorch

    if (spec is None) == (preset_name is None):
        raise UsageError("give a spec file or --preset NAME (one of them)", "e.g. cnncalc export net.yaml --to pytorch")
    loaded = preset(preset_name) if preset_name is not None else spec_arg(spec or "-")
    source = loaded.file or ""
    origin = f"preset {source.removeprefix('preset:')}" if source.startswith("preset:") else source
    origin = "standard input" if source == "<stdin>" else origin
    shape = parse_shape(input_) if input_ is not None else None
    emit_text(to_pytorch(loaded, input_shape=shape, origin=origin).text)
