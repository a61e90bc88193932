"""typer's declarations of the options commands share, made from the typer-free table in :mod:`.options`."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

import typer

from ..render.registry import formats
from .common import format_choices
from .options import FORMAT_FLAGS, FORMAT_HELP, PRESET_OPTIONS, SHARED, Options, OptionSpec

DType = Enum("DType", {name: name for name in SHARED["dtype"].choices}, type=str)  # type: ignore[misc]
ConventionName = Enum("ConventionName", {n: n for n in SHARED["convention"].choices}, type=str)  # type: ignore[misc]
_ENUMS: dict[str, type[Enum]] = {"dtype": DType, "convention": ConventionName}


def declared(spec: OptionSpec, enum: type[Enum] | None = None) -> tuple[Any, Any]:
    """The annotation (its type, and typer's option) and the default of an option of :mod:`.options`; ``enum``:
    the choices of a choice option as typer takes them."""
    value_type: Any = enum or spec.kind
    if spec.default is None:
        value_type = value_type | None
    option = typer.Option(
        *spec.flags, help=spec.help, min=spec.minimum, max=spec.maximum, show_default=spec.show_default
    )
    return Annotated[value_type, option], (enum(spec.default) if enum else spec.default)


def _declared(name: str) -> tuple[Any, Any]:
    return declared(SHARED[name], _ENUMS.get(name))


InputOpt = _declared("input_")[0]
BatchOpt = _declared("batch")[0]
DTypeOpt = _declared("dtype")[0]
ListOpt = declared(PRESET_OPTIONS["list_"])[0]
YamlOpt = declared(PRESET_OPTIONS["yaml_"])[0]
FORMAT = typer.Option(*FORMAT_FLAGS, help=FORMAT_HELP)

SpecArg = Annotated[
    str,
    typer.Argument(
        help="A spec file (YAML), a preset's name (or preset:NAME), or - for standard input.", show_default=False
    ),
]


def with_options(command: str, *names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command ``--format`` (its formats from the renderer registry) and the shared options
    ``names``; the decorated function receives them as one ``options: Options`` argument."""
    fmt_type = Enum(f"{command.title()}Format", format_choices(command), type=str)  # type: ignore[misc]
    first = fmt_type[formats(command)[0]]  # the registry lists the default format first
    declared = {**{name: _declared(name) for name in names}, "fmt": (Annotated[fmt_type, FORMAT], first)}

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        own = [p for p in inspect.signature(fn, eval_str=True).parameters.values() if p.name != "options"]
        shared = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
            for name, (annotation, default) in declared.items()
        ]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            values = {name: kwargs.pop(name) for name in declared}
            values = {name: getattr(value, "value", value) for name, value in values.items()}  # enums: their names
            fn(*args, options=Options(**values), **kwargs)

        params = [*own, *shared]
        wrapper.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        return wrapper

    return decorate
