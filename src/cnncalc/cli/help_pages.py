"""Writes :mod:`.help_text`, the ``--help`` pages :mod:`.fast` prints without typer:
``python -m cnncalc.cli.help_pages > src/cnncalc/cli/help_text.py``. tests/test_fast_path.py checks that the
module matches what typer prints."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys

from .group import COMMANDS, make_app

WIDTH = 80  # click formats help for min(columns, 80) - 2: every terminal this wide gets the same text
SKIPPED = ("layer",)  # layer reads --help itself, with the kind named before it


def pages() -> dict[str, str]:
    """Each command's help page (``""``: cnncalc's own) as typer prints it on a terminal ``WIDTH`` wide."""
    app = make_app()
    out: dict[str, str] = {}
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(WIDTH)
    try:
        for command in ("", *(c for c in COMMANDS if c not in SKIPPED)):
            page = io.StringIO()
            try:
                with contextlib.redirect_stdout(page):
                    app([command, "--help"] if command else ["--help"], prog_name="cnncalc")
            except SystemExit as exc:
                if exc.code not in (0, None):
                    raise RuntimeError(f"cnncalc {command} --help: exit {exc.code}") from None
            out[command] = page.getvalue()
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return out


def module_text() -> str:
    """The module: each page a parenthesised string, a line of the page per line of source."""
    lines = [
        '"""The ``--help`` pages, as typer prints them at 80 columns or more. Generated: do not edit; regenerate with',
        '``python -m cnncalc.cli.help_pages > src/cnncalc/cli/help_text.py``."""',
        "",
        "HELP: dict[str, str] = {",
    ]
    for command, text in pages().items():
        lines.append(f"    {_literal(command)}: (")
        lines.extend(f"        {_literal(line)}" for line in text.splitlines(keepends=True))
        lines.append("    ),")
    return "\n".join([*lines, "}", ""])


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string of this text is a Python literal of it


if __name__ == "__main__":
    sys.stdout.write(module_text())
