"""Command lines that run without typer: ``summarize``, ``preset`` and ``check`` with any of their options, and
``--help`` of cnncalc and of each command (the text typer would print, kept in :mod:`.help_text`). typer and its
click cost about 40 ms of start-up, more than cnncalc's own work on most networks, and these are the command lines
run on every file in CI loops, pre-commit hooks and editors.

The parser takes only what it fully understands: ``--option value``, ``--option=value``, ``-o value``, flags
(``--strict``, ``--no-strict``), repeated options, and the positional arguments. Anything else — an unknown or
clustered option, a value typer would refuse, ``--``, a missing value or argument — is left to typer, which runs
the command line as before and gives its usual error. So the two cannot disagree about a command line this
parser accepts (tests/test_fast_path.py runs both and compares).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .options import OptionSpec

HELP_FLAGS = ("--help", "-h")
COMMANDS = ("summarize", "preset", "check")
ONE, AT_MOST_ONE, AT_LEAST_ONE = "one", "at most one", "at least one"  # how many positional arguments


def run(args: Sequence[str]) -> bool:
    """Run ``args`` (the words after ``cnncalc``) when this module can; False leaves them to typer."""
    if "_CNNCALC_COMPLETE" in os.environ:  # typer's shell completion
        return False
    debug = args[:1] == ["--debug"]
    words = list(args[1:] if debug else args)
    if any(word in HELP_FLAGS for word in words):
        return not debug and _help(words)
    if not words or words[0] not in COMMANDS:
        return False
    command = words[0]
    parsed = parse(command, words[1:])
    if parsed is None:
        return False
    from .common import State, debug_from_environment, guarded

    State.debug = debug or debug_from_environment()
    positional, values = parsed
    if command == "check":
        from .checking import check_paths

        guarded(check_paths)(positional, values=values)
        return True
    from . import summary
    from .options import PRESET_OPTIONS, Options

    own = {name: bool(values.pop(name)) for name in PRESET_OPTIONS if name in values}
    options = Options(**values)
    if command == "summarize":
        guarded(summary.summarize)(positional[0], options=options)
    else:
        name = positional[0] if positional else None
        guarded(summary.preset_command)(name, own["list_"], own["yaml_"], options=options)
    return True


def _options(command: str) -> tuple[dict[str, OptionSpec], str]:
    """``command``'s options (by the name its function takes them under) and how many positional arguments."""
    from .options import CHECK_OPTIONS, EVERY_OPTION, PRESET_OPTIONS, SHARED, format_option

    if command == "check":
        return CHECK_OPTIONS, AT_LEAST_ONE
    shared = {name: SHARED[name] for name in EVERY_OPTION}
    if command == "preset":
        return {**PRESET_OPTIONS, **shared, "fmt": format_option(command)}, AT_MOST_ONE
    return {**shared, "fmt": format_option(command)}, ONE


def parse(command: str, words: Sequence[str]) -> tuple[list[str], dict[str, Any]] | None:
    """The positional arguments and every option's value (defaults included) of ``command``'s ``words``; None
    when typer should parse them."""
    table, count = _options(command)
    by_flag: dict[str, tuple[str, OptionSpec, bool]] = {}  # flag → option, and a flag's value
    for name, spec in table.items():
        for declared in spec.flags:
            on, _, off = declared.partition("/")  # "--strict/--no-strict"
            by_flag[on] = (name, spec, True)
            if off:
                by_flag[off] = (name, spec, False)
    values: dict[str, Any] = {name: spec.default for name, spec in table.items()}
    positional: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if word == "-" or not word.startswith("-"):
            positional.append(word)
            continue
        flag, has_value, text = word.partition("=")
        if flag not in by_flag:
            return None
        name, spec, state = by_flag[flag]
        if spec.kind is bool:
            if has_value:
                return None
            values[name] = state
            continue
        if not has_value:
            if i == len(words):
                return None
            text = words[i]
            i += 1
        value = spec.parse(text)
        if value is None:
            return None
        values[name] = [*(values[name] or []), value] if spec.multiple else value
    wanted = {ONE: len(positional) == 1, AT_MOST_ONE: len(positional) <= 1, AT_LEAST_ONE: len(positional) >= 1}
    return (positional, values) if wanted[count] else None


def _help(words: list[str]) -> bool:
    """``--help`` or ``COMMAND --help`` at least 80 columns wide, where typer's text does not depend on the width."""
    from .help_text import HELP

    key = "" if words in (["--help"], ["-h"]) else words[0] if len(words) == 2 and words[1] in HELP_FLAGS else None
    if key not in HELP or _columns() < 80:
        return False
    sys.stdout.write(HELP[key])
    return True


def _columns() -> int:
    """The width click formats help for, found as :func:`shutil.get_terminal_size` finds it."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80
