"""Command lines that run without typer: ``summarize`` and ``preset`` with any of their options, and ``--help``
of cnncalc and of each command (the text typer would print, kept in :mod:`.help_text`). typer and its click cost
about 40 ms of start-up, more than cnncalc's own work on most networks, and these are the command lines run on
every file in CI loops, pre-commit hooks and editors.

The parser takes only what it fully understands: ``--option value``, ``--option=value``, ``-o value``, flags, and
the positional argument. Anything else — an unknown or clustered option, a value typer would refuse, ``--``, a
missing value — is left to typer, which runs the command line as before and gives its usual error. So the two
cannot disagree about a command line this parser accepts (tests/test_fast_path.py runs both and compares).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

HELP_FLAGS = ("--help", "-h")
COMMANDS = ("summarize", "preset")


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
    parsed = parse(words[0], words[1:])
    if parsed is None:
        return False
    from . import summary
    from .common import State, debug_from_environment, guarded
    from .options import PRESET_OPTIONS, Options

    State.debug = debug or debug_from_environment()
    positional, values = parsed
    own = {name: bool(values.pop(name)) for name in PRESET_OPTIONS if name in values}
    options = Options(**values)  # type: ignore[arg-type]  # each value parsed to its option's type
    if words[0] == "summarize":
        guarded(summary.summarize)(positional[0], options=options)
    else:
        name = positional[0] if positional else None
        guarded(summary.preset_command)(name, own["list_"], own["yaml_"], options=options)
    return True


def parse(command: str, words: Sequence[str]) -> tuple[list[str], dict[str, object]] | None:
    """The positional argument (a list of one, or none) and every option's value (defaults included) of
    ``command``'s ``words``; None when typer should parse them."""
    from ..render.registry import formats
    from .options import EVERY_OPTION, FORMAT_FLAGS, FORMAT_HELP, PRESET_OPTIONS, SHARED, OptionSpec

    own, required = (PRESET_OPTIONS, False) if command == "preset" else ({}, True)
    choices = tuple(formats(command))
    table = {
        **{name: SHARED[name] for name in EVERY_OPTION},
        **own,
        "fmt": OptionSpec(FORMAT_FLAGS, FORMAT_HELP, str, choices[0], choices=choices),
    }
    by_flag = {flag: (name, spec) for name, spec in table.items() for flag in spec.flags}
    values: dict[str, object] = {name: spec.default for name, spec in table.items()}
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
        name, spec = by_flag[flag]
        if spec.kind is bool:
            if has_value:
                return None
            values[name] = True
            continue
        if not has_value:
            if i == len(words):
                return None
            text = words[i]
            i += 1
        value = spec.parse(text)
        if value is None:
            return None
        values[name] = value
    if len(positional) > 1 or (required and not positional):
        return None
    return positional, values


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
