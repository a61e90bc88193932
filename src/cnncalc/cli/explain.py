"""``explain`` (derivations of a spec's figures) and ``layer`` (one layer, no file needed)."""

from __future__ import annotations

import json
import re
from enum import Enum
from typing import Annotated, Any

import typer

from ..analysis import analyze
from ..args import ArgProblem, Bool, suggest
from ..errors import SpecError, UsageError
from ..explain import Explanation, explain
from ..layers import REGISTRY, Layer, lookup
from ..loader import from_dict
from ..report import Report
from .common import emit, emit_text, format_choices, guarded, spec_arg
from .declare import FORMAT, BatchOpt, InputOpt, SpecArg
from .options import parse_shape

ExplainFormat = Enum("ExplainFormat", format_choices("explain"), type=str)  # type: ignore[misc]


ExplainFormatOpt = Annotated[ExplainFormat, FORMAT]


def _emit(command: str, report: Report, explanations: tuple[Explanation, ...], fmt: Enum) -> None:
    emit(command, fmt, report, explanations, warnings=report.warnings)


@guarded
def explain_cmd(
    spec: SpecArg,
    layer: Annotated[
        str | None,
        typer.Option("--layer", "-l", help="Only this layer or block (its name or path).", show_default=False),
    ] = None,
    input_: InputOpt = None,
    batch: BatchOpt = 1,
    fmt: ExplainFormatOpt = ExplainFormat.text,  # type: ignore[attr-defined]
) -> None:
    """How every figure of every layer follows from its arguments, with the actual numbers."""
    shape = parse_shape(input_) if input_ is not None else None
    report = analyze(spec_arg(spec), input_shape=shape, batch=batch)
    _emit("explain", report, explain(report, layer), fmt)


# ----------------------------------------------------------------------------------------------- layer

_AXES = re.compile(r"-?\d+(?:\s*[x×,]\s*-?\d+)+\Z")  # negative for slice's channels: -8,100


def _value(text: str) -> object:
    """An option's text as the value a spec would hold: ``3`` → 3, ``3x5`` or ``3,5`` → [3, 5] (``-8,100`` too),
    ``[[0, 1], [0, 1]]`` and ``true`` as in JSON, anything else (``same``) as text."""
    if _AXES.match(text.strip()):
        return [int(v) for v in re.split(r"\s*[x×,]\s*", text.strip())]
    try:
        return json.loads(text)
    except ValueError:
        return text


def _layer_args(cls: type[Layer], written: str, tokens: list[str]) -> dict[str, object]:
    """``--name value`` / ``--name=value`` / ``--flag`` / ``--no-flag`` for every argument of the kind."""
    infos = {name: info for name, info, _ in cls.arg_infos()}
    options = [f"--{n.replace('_', '-')}" for n in infos]
    args: dict[str, object] = {}
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if not token.startswith("--"):
            raise UsageError(f"unexpected argument {token!r}", f"give {written}'s arguments as --name value")
        option, has_value, text = token.partition("=")
        name = option[2:].replace("-", "_")
        negated = name.startswith("no_") and name[3:] in infos and isinstance(infos[name[3:]].type, Bool)
        if negated:
            name = name[3:]
        if name not in infos:
            hint = suggest(option.replace("_", "-"), options)
            listing = ", ".join(options) if options else "no arguments"
            raise UsageError(f"{written} has no argument {option}", hint or f"{written} takes {listing}")
        if negated or (not has_value and isinstance(infos[name].type, Bool) and not _has_value(tokens, i)):
            value: object = not negated
        elif has_value:
            value = _value(text)
        elif i < len(tokens):
            value = _value(tokens[i])
            i += 1
        else:
            raise UsageError(f"{option} needs a value", f"e.g. {option} {infos[name].type.describe().split()[0]}")
        try:
            args[name] = infos[name].type.parse(value)
        except ArgProblem as exc:
            raise UsageError(f"--{name.replace('_', '-')}: {exc.message}", exc.hint) from None
    missing = [f"--{n.replace('_', '-')}" for n, info in infos.items() if info.required and n not in args]
    if missing:
        raise UsageError(f"{written} needs {' and '.join(missing)}", f"see cnncalc layer {written} --help")
    return args


def _has_value(tokens: list[str], i: int) -> bool:
    return i < len(tokens) and tokens[i].lower() in ("true", "false")


def _plain(value: object) -> Any:
    """Normalised argument values (tuples) back to the plain data a spec holds."""
    return [_plain(v) for v in value] if isinstance(value, tuple) else value


def _kind_help(cls: type[Layer], written: str) -> str:
    lines = [f"Usage: cnncalc layer {written} --input SHAPE [--ARGUMENT VALUE]...", "", f"{cls.kind}: {cls.summary}"]
    if cls.aliases:
        lines.append("aliases: " + ", ".join(cls.aliases))
    lines += ["", "Arguments:"]
    for name, info, default in cls.arg_infos():
        option = f"--{name.replace('_', '-')}"
        if info.required:
            default_text = "required"
        else:
            shown = info.default_doc or json.dumps(_plain(default))
            default_text = f"default {shown}"
        lines.append(f"  {option:<18} {info.doc} ({info.type.describe()}; {default_text})")
    if not any(True for _ in cls.arg_infos()):
        lines.append("  (none)")
    choices = "|".join(format_choices("layer"))
    lines += ["", f"Also: --input/-i SHAPE (required), --batch/-b N, --format/-f {choices}."]
    return "\n".join(lines) + "\n"


def kinds_help() -> str:
    """The paragraph of ``cnncalc layer --help`` listing the kinds."""
    kinds = ", ".join(sorted(REGISTRY))
    return f"Layer kinds: {kinds}. Run `cnncalc layer KIND --help` for a kind's arguments."


@guarded
def layer_cmd(
    ctx: typer.Context,
    kind: Annotated[
        str | None, typer.Argument(help="The layer kind (conv, maxpool, fc, …) or an alias.", show_default=False)
    ] = None,
    input_: Annotated[
        str | None,
        typer.Option(
            "--input", "-i", help="The layer's input shape, channels first, e.g. 1x28x28.", show_default=False
        ),
    ] = None,
    batch: BatchOpt = 1,
    fmt: ExplainFormatOpt = ExplainFormat.text,  # type: ignore[attr-defined]
    help_: Annotated[bool, typer.Option("--help", "-h", help="Show this message (with KIND: its arguments).")] = False,
) -> None:
    """One layer without a spec file: its output shape, parameters, MACs and their derivation.

    Every argument of the kind is an option, e.g. cnncalc layer conv -i 1x28x28 --filters 32 --kernel 3.

    Per-axis values: 3x5 or 3,5. Padding pairs: [[0,1],[0,1]]. Flags: --ceil-mode, --bias false, --no-bias.
    """
    found = lookup(kind) if kind is not None else None
    if help_ or kind is None:
        emit_text(_kind_help(found[0], kind) if found and kind else ctx.get_help() + "\n")
        return
    if found is None:
        hint = suggest(kind, sorted(REGISTRY)) or "layer kinds: " + ", ".join(sorted(REGISTRY))
        raise UsageError(f"unknown layer kind '{kind}'", hint)
    if input_ is None:
        raise UsageError(f"cnncalc layer {kind} needs --input", "e.g. --input 3x224x224 (channels first, no batch)")
    args = _layer_args(found[0], kind, list(ctx.args))
    data = {
        "name": kind,
        "input": list(parse_shape(input_)),
        "layers": [{kind: {k: _plain(v) for k, v in args.items()}}],
    }
    try:
        report = analyze(from_dict(data), batch=batch)
    except SpecError as exc:
        d = exc.diagnostics[0]
        arg = (d.where or "").rsplit(".", 1)[-1]
        prefix = f"--{arg.replace('_', '-')}: " if arg in args else ""
        raise UsageError(prefix + d.message, d.hint) from None
    _emit("layer", report, explain(report), fmt)
