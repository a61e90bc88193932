"""Errors as JSON on stdout, for ``--format json``: what tools reading cnncalc's output receive when the
spec or the command line is wrong (the human message still goes to stderr, the exit code is unchanged).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, ClassVar

from typer.core import TyperGroup

from ..errors import UsageError
from .common import write_error_json


class Group(TyperGroup):
    """typer's command group that, when ``--format json`` was asked for, also writes a command line it
    cannot parse (an unknown option, a bad ``--format`` or ``--batch``) as a JSON error on stdout; typer
    then reports it on stderr and exits 2 as usual."""

    argv: ClassVar[list[str]] = []

    def make_context(self, info_name: Any, args: Any, parent: Any = None, **extra: Any) -> Any:
        if parent is None:
            Group.argv = list(args)
        with _usage_error_json():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        with _usage_error_json():  # a subcommand parses its options in here
            return super().invoke(ctx)


@contextlib.contextmanager
def _usage_error_json() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        # click's UsageError/BadParameter (typer may vendor click, so they are recognised by shape)
        code = getattr(exc, "exit_code", None)
        if isinstance(code, int) and hasattr(exc, "format_message") and wants_json(Group.argv):
            hint = "see cnncalc -h, or -h after the command"
            write_error_json(UsageError(exc.format_message(), hint).to_dict(), code)
        raise


def wants_json(argv: list[str]) -> bool:
    """Whether a raw command line asks for ``--format json`` (for errors found before options are parsed)."""
    for i, word in enumerate(argv):
        if word in ("--format=json", "-fjson") or (word in ("--format", "-f") and argv[i + 1 : i + 2] == ["json"]):
            return True
    return False
