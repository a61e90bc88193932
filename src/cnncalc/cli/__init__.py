"""The command-line interface: a thin typer layer over the Python API.

Each command parses options, calls the core, and hands the result to a renderer. Exit codes: 0 success,
1 a check failed (`check`, `diff --fail-on-increase`),
2 invalid input or usage, 3 internal error (a bug).
"""

from __future__ import annotations

import gc
from typing import Annotated

import typer

from .. import __version__
from .check import CHECK_HELP, check_cmd
from .common import State, debug_from_environment
from .diff import diff_cmd
from .explain import explain_cmd, layer_cmd
from .export import export
from .json_errors import Group
from .memory import memory_cmd
from .schema import schema_cmd
from .streams import guarded_process
from .summarize import preset_cmd, presets_cmd, summarize
from .sweep import sweep_cmd

app = typer.Typer(
    name="cnncalc",
    help="Exact shapes, parameters, MACs and memory of convolutional networks written as YAML,"
    " without a deep-learning framework.\n\n"
    "Exit codes: 0 success; 2 invalid spec, invalid option or missing file; 3 internal error (a bug)."
    " `check` and `diff --fail-on-increase` exit 1 when a check fails.",
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
    State.debug = debug or debug_from_environment()  # per invocation: in-process runs must not leak


app.command("summarize")(summarize)
app.command("preset")(preset_cmd)
app.command("presets")(presets_cmd)
app.command("check", help=CHECK_HELP)(check_cmd)
app.command("diff")(diff_cmd)
app.command("schema")(schema_cmd)
app.command("explain")(explain_cmd)
app.command("sweep")(sweep_cmd)
app.command("memory")(memory_cmd)
app.command(
    "layer", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}, add_help_option=False
)(layer_cmd)
app.command("export")(export)


def main() -> None:
    # One run builds one large, acyclic object graph and exits: the cyclic collector would only rescan it
    # (a 100,000-layer spec took a third longer with it).
    gc.disable()
    with guarded_process():
        app(prog_name="cnncalc")
