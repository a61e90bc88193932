"""typer's declarations of the options commands share, made from the typer-free table in :mod:`.options`."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

import typer

from .options import FORMAT_FLAGS, FORMAT_HELP, PRESET_OPTIONS, SHARED, Options, OptionSpec, format_option

DType = Enum("DType", {name: name for name in SHARED["dtype"].choices}, type=str)  # type: ignore[misc]
ConventionName = Enum("ConventionName", {n: n for n in SHARED["convention"].choices}, type=str)  # type: ignore[misc]
_ENUMS: dict[str, type[Enum]] = {"dtype": DType, "convention": ConventionName}


def declared(spec: OptionSpec, enum: type[Enum] | None = None) -> tuple[Any, Any]:
    """The annotation (its type, and typer's option) and the default of an option of :mod:`.options`; ``enum``:
    the choices of a choice option as typer takes them."""
    value_type: Any = enum or spec.kind
    if spec.multiple:
        value_type = list[value_type]
    if spec.default is None:
        value_type = value_type | None
    option = typer.Option(
        *spec.flags, help=spec.help, min=spec.minimum, max=spec.maximum, show_default=spec.show_default
    )
    return Annotated[value_type, option], (enum(spec.default) if enum and spec.default is not None else spec.default)


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


def _choices(name: str, choices: tuple[str, ...]) -> type[Enum]:
    made: type[Enum] = Enum(name, {choice: choice for choice in choices}, type=str)  # type: ignore[misc]
    return made


def with_table(command: str, table: dict[str, OptionSpec]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the options of ``table``, after its own parameters and in the table's order; the decorated
    function receives their values (a choice as its name) as one ``values`` dict."""
    declared_here: dict[str, tuple[Any, Any]] = {}
    for name, spec in table.items():
        choices = _ENUMS.get(name)
        if spec.choices and choices is None:  # --format: the command's own choices
            choices = _choices(f"{command.title()}{name.title().replace('_', '')}", spec.choices)
        declared_here[name] = declared(spec, choices)

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        own = [p for p in inspect.signature(fn, eval_str=True).parameters.values() if p.name != "values"]
        added = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
            for name, (annotation, default) in declared_here.items()
        ]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            values = {name: kwargs.pop(name) for name in declared_here}
            fn(*args, values={name: getattr(v, "value", v) for name, v in values.items()}, **kwargs)

        params = [*own, *added]
        wrapper.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        return wrapper

    return decorate


def with_options(command: str, *names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the shared options ``names`` and ``--format`` (its formats from the renderer registry);
    the decorated function receives them as one ``options: Options`` argument."""
    table = {**{name: SHARED[name] for name in names}, "fmt": format_option(command)}

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(fn)
        def with_values(*args: Any, values: dict[str, Any], **kwargs: Any) -> None:
            fn(*args, options=Options(**values), **kwargs)

        own = [p for p in inspect.signature(fn, eval_str=True).parameters.values() if p.name != "options"]
        with_values.__signature__ = inspect.Signature(own)  # type: ignore[attr-defined]
        return with_table(command, table)(with_values)

    return decorate
