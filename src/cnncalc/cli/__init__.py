"""The command-line interface: a thin typer layer over the Python API.

Each command parses options, calls the core, and hands the result to a renderer. Exit codes: 0 success,
2 invalid input or usage, 3 internal error (a bug).
"""

from __future__ import annotations

import gc
from typing import Annotated

import typer

from .. import __version__
from .common import State
from .json_errors import Group
from .summarize import preset_cmd, presets_cmd, summarize

app = typer.Typer(
    name="cnncalc",
    help="Exact shapes, parameters, MACs and memory of convolutional networks written as YAML,"
    " without a deep-learning framework.\n\n"
    "Exit codes: 0 success; 2 invalid spec, invalid option or missing file; 3 internal error (a bug).",
    no_args_is_help=True,
    cls=Group,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cnncalc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks (for developers).")] = False,
) -> None:
    if debug:
        State.debug = True


app.command("summarize")(summarize)
app.command("preset")(preset_cmd)
app.command("presets")(presets_cmd)


def main() -> None:
    # One run builds one large, acyclic object graph and exits: the cyclic collector would only rescan it
    # (a 100,000-layer spec took a third longer with it).
    gc.disable()
    app(prog_name="cnncalc")
