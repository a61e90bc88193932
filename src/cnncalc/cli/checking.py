"""What ``cnncalc check`` does, free of typer: its typer command (:mod:`.check`) and the command lines that run
without typer (:mod:`.fast`) both call :func:`check_paths`."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from ..checks import CHECK_KEYS, LAYERS, Checks, parse_checks
from ..errors import CnncalcError, SpecError, UsageError
from ..gate import FileCheck, Tally, check
from .common import emit, read_spec

SUFFIXES = (".yaml", ".yml")
BUDGETS = ("max_params", "max_macs", "max_flops", "max_activation_bytes", "max_param_bytes", "params", "macs")


def check_paths(paths: list[str], *, values: dict[str, Any]) -> None:
    """``cnncalc check PATHS``: ``values`` are the options of :data:`.options.CHECK_OPTIONS` by name."""
    files = check_files(paths, values)
    emit("check", values["fmt"], files, values["verbose"])
    raise SystemExit(Tally.of(files).exit_status)


def check_files(paths: list[str], values: dict[str, Any]) -> list[FileCheck]:
    """Every spec ``paths`` name, checked against its own checks and the options' (``values``)."""
    flags = {key: values[key] for key in (*BUDGETS, "output_shape")}
    overrides = _flags(flags, values["expect"] or [], values["strict"], values["batch"], values["dtype"])
    return [_check_one(name, overrides) for name in _expand(paths)]


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
