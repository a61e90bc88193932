"""``cnncalc check PATH...``: gate specs on their budgets and expectations."""

from __future__ import annotations

import dataclasses
import re
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..checks import CHECK_KEYS, LAYERS, Checks, parse_checks
from ..errors import CnncalcError, SpecError, UsageError
from ..gate import FileCheck, Tally, check
from .common import emit, format_choices, guarded, read_spec
from .declare import FORMAT, DType

SUFFIXES = (".yaml", ".yml")
CHECK_HELP = "\n\n".join(
    [
        "Check spec files against their budgets and expectations.",
        "PATH is a spec file, a directory (every *.yaml and *.yml below it, skipping hidden files and folders) "
        "or - for standard input. Expectations come from each spec's `checks:` section and from the options "
        "below; an option wins over the same key in a file.",
        "Budgets take 7M, 1.6G or 6_998_552 (k/K, M, G, T multiply by 1000); byte budgets also 250MB or 1.5GiB "
        "(KiB, MiB, GiB, TiB multiply by 1024).",
        "Exit status: 0 every check holds; 1 a check failed; 2 a spec is invalid, an expectation names a layer "
        "that does not exist, or the command is misused (2 wins: something could not be checked).",
    ]
)


CheckFormat = Enum("CheckFormat", format_choices("check"), type=str)  # type: ignore[misc]


def _budget_opt(key: str, example: str, doc: str | None = None) -> object:
    text = doc or CHECK_KEYS[key].doc
    return typer.Option(f"--{key.replace('_', '-')}", help=f"{text}, e.g. {example}.", show_default=False)


TextOpt = str | None


@guarded
def check_cmd(
    paths: Annotated[
        list[str], typer.Argument(help="Spec files, directories, or - for standard input.", show_default=False)
    ],
    max_params: Annotated[TextOpt, _budget_opt("max_params", "7M")] = None,
    max_macs: Annotated[TextOpt, _budget_opt("max_macs", "1.6G")] = None,
    max_flops: Annotated[TextOpt, _budget_opt("max_flops", "3.2G")] = None,
    max_activation_bytes: Annotated[TextOpt, _budget_opt("max_activation_bytes", "250MB")] = None,
    max_param_bytes: Annotated[TextOpt, _budget_opt("max_param_bytes", "30MiB")] = None,
    params: Annotated[TextOpt, _budget_opt("params", "6_998_552")] = None,
    macs: Annotated[TextOpt, _budget_opt("macs", "1_582_671_872")] = None,
    output_shape: Annotated[
        TextOpt, _budget_opt("output_shape", "1000 or 256x28x28", "exactly this output shape (no batch dimension)")
    ] = None,
    expect: Annotated[
        list[str] | None,
        typer.Option(
            "--expect",
            "-e",
            help="A per-layer expectation LAYER.KEY=VALUE, e.g. conv1.params=34944 (repeatable). KEY is any "
            "option above without its --, written with - or _: max-params or max_params.",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[
        bool | None,
        typer.Option(
            "--strict/--no-strict",
            help="Fail on geometry warnings (input a layer never reads); default: the spec's `strict:`.",
            show_default=False,
        ),
    ] = None,
    batch: Annotated[
        int | None, typer.Option("--batch", "-b", min=1, help="Batch size (default 1).", show_default=False)
    ] = None,
    dtype: Annotated[
        DType | None, typer.Option("--dtype", help="Bytes per value (default float32).", show_default=False)
    ] = None,
    fmt: Annotated[CheckFormat, FORMAT] = CheckFormat.table,  # type: ignore[attr-defined]
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every check, warning and diagnostic under each file.")
    ] = False,
) -> None:
    """Check spec files against their budgets and expectations (see CHECK_HELP)."""
    flags = {
        "max_params": max_params,
        "max_macs": max_macs,
        "max_flops": max_flops,
        "max_activation_bytes": max_activation_bytes,
        "max_param_bytes": max_param_bytes,
        "params": params,
        "macs": macs,
        "output_shape": output_shape,
    }
    overrides = _flags(flags, expect or [], strict, batch, dtype.value if dtype is not None else None)
    files = [_check_one(name, overrides) for name in _expand(paths)]
    emit("check", fmt, files, verbose)
    raise SystemExit(Tally.of(files).exit_status)


def _value(key: str, text: str) -> object:
    """A command-line value as the spec would hold it: a shape ``256x28x28`` becomes a list."""
    if CHECK_KEYS[key].figure is None:
        parts = re.split(r"\s*[x×,]\s*", text.strip().strip("[]").strip())
        if all(p.isdigit() for p in parts):
            return [int(p) for p in parts]
    return text


def _flags(
    values: dict[str, str | None], expect: list[str], strict: bool | None, batch: int | None, dtype: str | None
) -> Checks:
    data: dict[str, object] = {k: _value(k, v) for k, v in values.items() if v is not None}
    layers: dict[str, dict[str, object]] = {}
    for item in expect:
        target, eq, text = item.partition("=")
        layer, dot, key = target.strip().rpartition(".")
        key = key.replace("-", "_")  # max-params, as the option is written, or max_params, as in a spec
        if not eq or not dot or not layer or not key:
            raise UsageError(
                f"--expect {item!r} is not LAYER.KEY=VALUE",
                "e.g. --expect inception_3a.output_shape=256x28x28 or --expect conv1.params=34944",
            )
        layers.setdefault(layer, {})[key] = _value(key, text) if key in CHECK_KEYS else text
    if layers:
        data[LAYERS] = layers
    checks, problems = parse_checks(data, ())
    if problems:
        first = problems[0]
        path = [str(part) for part in first.path]
        if path[0] == LAYERS:
            option, prefixes = "--expect " + ".".join(path[1:]), path[1:]
        else:
            option, prefixes = "--" + path[0].replace("_", "-"), path[:1]
        message = first.message
        for prefix in prefixes:
            message = message.removeprefix(f"{prefix}: ")
        raise UsageError(f"{option}: {message}", first.hint)
    # an expectation without an origin is the command line's: the report blames the layer instead
    expectations = tuple(dataclasses.replace(e, origin=None) for e in checks.expectations)
    return Checks(expectations, strict, batch, dtype)


def _expand(paths: list[str]) -> list[str]:
    """Files as given, directories as every *.yaml/*.yml below them (sorted; hidden ones skipped)."""
    if paths.count("-") > 1:
        raise UsageError("- (standard input) can be given only once")
    found: list[str] = []
    for name in paths:
        path = Path(name)
        if name != "-" and path.is_dir():
            below = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in SUFFIXES
                and (p.is_file() or p.is_symlink())  # a dangling link is reported, not skipped
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not below:
                found.append(name)  # reported: nothing to check there
            found.extend(str(p) for p in below)
        else:
            found.append(name)
    return list(dict.fromkeys(found))


def _check_one(name: str, overrides: Checks) -> FileCheck:
    shown = "<stdin>" if name == "-" else name  # as the loader names it in diagnostics
    try:
        if name != "-" and Path(name).is_dir():
            raise SpecError.single("no *.yaml or *.yml files in this directory", file=name)
        return FileCheck(shown, check(read_spec(name), overrides))
    except CnncalcError as exc:
        return FileCheck(shown, None, exc)
