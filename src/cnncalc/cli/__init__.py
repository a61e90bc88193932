"""The command-line interface: a thin typer layer over the Python API.

Each command parses options, calls the core, and hands the result to a renderer. Exit codes: 0 success,
1 a check failed (`check`, `diff --fail-on-increase`),
2 invalid input or usage, 3 internal error (a bug).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import Any, NoReturn

from .. import __version__
from .streams import guarded_process


def version_line() -> str:
    return f"cnncalc {__version__}"


def main() -> None:
    # One run builds one large, acyclic object graph and exits: the cyclic collector would only rescan it
    # (a 100,000-layer spec took a third longer with it).
    gc.disable()
    args = sys.argv[1:]
    with guarded_process():
        if args in (["--version"], ["-V"]):  # the one answer that needs no parser: typer alone costs 40 ms
            sys.stdout.write(version_line() + "\n")
            return
        from .fast import run

        if run(args):  # summarize, preset and --help without typer: most of start-up is typer's
            return
        from .group import make_app, needed

        make_app(needed(args))(prog_name="cnncalc")


def run() -> NoReturn:
    """The ``cnncalc`` program (and ``python -m cnncalc``): :func:`main`, then the exit without the interpreter's
    tear-down. Everything is written and flushed by then, and freeing a large report object by object only
    took time (0.6 s of 4.7 for a 100,000-row spec to JSON). Callers in the same process (tests, other tools)
    call :func:`main`, which returns or raises ``SystemExit``."""
    try:
        main()
        status = 0
    except SystemExit as exc:
        status = _status(exc.code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # reported by main's guard, or gone
            stream.flush()
    os._exit(status)


def _status(code: object) -> int:
    """The exit status ``SystemExit(code)`` gives, as the interpreter computes it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    sys.stderr.write(f"{code}\n")
    return 1


def __getattr__(name: str) -> Any:
    """``app`` (every command, built on first use, for tests and embedding), ``make_app``, ``COMMANDS`` and
    ``EXAMPLES``: from :mod:`.group`, imported when asked for."""
    if name not in ("app", "make_app", "COMMANDS", "EXAMPLES"):  # `from . import summary` asks here first
        raise AttributeError(name)
    import importlib

    group = importlib.import_module(".group", __name__)  # not `from . import`: it would ask this function
    if name == "app":
        app = group.make_app()
        globals()["app"] = app
        return app
    return getattr(group, name)
