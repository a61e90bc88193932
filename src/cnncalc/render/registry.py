"""Which renderer draws what: for every command, its formats and the function that renders each.

This is the one place presentation is decided. A command's ``--format`` choices are the keys of its
entry, the CLI's one emit path calls the function named here, and ``--format json`` (:data:`DATA`) also
writes errors as data. The table is light data — module and function *names* — so that a renderer's
module, and rich with it, is imported only when its format is drawn.

Every renderer of a command takes the same arguments, the command's result (see :data:`RENDERERS`),
and returns text, an iterator of text pieces (written as they come), or a rich renderable.

To add a format: write the function in its renderer module and name it here under each command that
offers it. To add a command: add its entry here; its CLI function takes ``fmt: formats(COMMAND)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ..errors import UsageError
from ..record import record


@record
class Renderer:
    """``cnncalc.render.<module>.<function>``."""

    module: str
    function: str

    def load(self) -> Callable[..., Any]:
        fn: Callable[..., Any] = getattr(importlib.import_module(f"{__package__}.{self.module}"), self.function)
        return fn


def _by_module(**modules: dict[str, str]) -> dict[str, Renderer]:
    """Formats grouped by the renderer module that draws them: ``table={"table": "render_table"}``."""
    return {fmt: Renderer(module, fn) for module, formats in modules.items() for fmt, fn in formats.items()}


_REPORT = _by_module(
    table={"table": "render_table"},
    text={"json": "json_chunks", "csv": "render_csv", "markdown": "render_markdown"},
    graph={"dot": "render_dot", "mermaid": "render_mermaid"},
    html={"html": "render_html"},
)
_EXPLAIN = _by_module(
    explain={"text": "render_text", "json": "render_json", "markdown": "render_markdown", "html": "render_html"}
)

# command → format → renderer; the arguments every renderer of the command takes follow each entry
RENDERERS: dict[str, dict[str, Renderer]] = {
    "summarize": _REPORT,  # (Report, View)
    "preset": _REPORT,  # (Report, View)
    "presets": _by_module(  # (list[PresetRow])
        presets={"table": "render_table", "json": "render_json", "csv": "render_csv", "markdown": "render_markdown"}
    ),
    "check": _by_module(  # (Sequence[FileCheck], verbose)
        check={"table": "render_table", "json": "render_json", "github": "render_github"}
    ),
    "diff": _by_module(diff={"table": "render_table", "markdown": "render_markdown", "json": "render_json"}),  # (Diff)
    "report": _by_module(html={"html": "render_html"}),  # (Report, View): one self-contained page
    "explain": _EXPLAIN,  # (Report, Sequence[Explanation])
    "layer": _EXPLAIN,  # (Report, Sequence[Explanation])
    "memory": _by_module(  # (MemoryEstimate)
        memory={"table": "render_table", "json": "render_json", "markdown": "render_markdown"}
    ),
    "sweep": _by_module(  # (Sweep)
        sweep={"table": "render_table", "json": "render_json", "csv": "render_csv", "markdown": "render_markdown"}
    ),
}

# command → the renderer of its table as plain text, tried first where rich would print it without style (to a
# file or a pipe: render.plain_table.plain_output); it returns the text rich would print, or None for rich to draw
PLAIN_TABLES: dict[str, Renderer] = {
    "summarize": Renderer("plain_table", "plain_table"),  # (Report, View)
    "preset": Renderer("plain_table", "plain_table"),  # (Report, View)
    "check": Renderer("check", "plain_text"),  # (Sequence[FileCheck], verbose)
}

DATA = "json"
"""The format tools read: with it, an error is also written on stdout as a JSON object."""


def formats(command: str) -> list[str]:
    """The ``--format`` choices of ``command``, its default first."""
    return list(RENDERERS[command])


def renderer(command: str, fmt: str) -> Renderer:
    found = RENDERERS[command].get(fmt)
    if found is None:
        raise UsageError(f"cnncalc {command} has no --format {fmt}", "choose one of " + ", ".join(formats(command)))
    return found
