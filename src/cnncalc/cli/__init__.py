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
from .explain import explain_cmd, kinds_help, layer_cmd
from .export import export
from .import_cmd import import_cmd
from .json_errors import Group
from .memory import memory_cmd
from .report import report_cmd
from .schema import schema_cmd
from .streams import guarded_process
from .summarize import preset_cmd, presets_cmd, summarize
from .sweep import sweep_cmd

app = typer.Typer(
    name="cnncalc",
    help="Exact shapes, parameters, MACs and memory of convolutional networks written as YAML,"
    " without a deep-learning framework.\n\n"
    "Exit codes: 0 success; 2 invalid spec, invalid option or missing file; 3 internal error (a bug)."
    " `check` and `diff --fail-on-increase` exit 1 when a check fails. Output to a pipe whose reader"
    " stops early (cnncalc … | head -3) ends quietly with 0. Warnings go to stderr.",
    no_args_is_help=True,
    cls=Group,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=True,
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


# Each command's --help ends with these (tests/test_help.py runs every one); net.yaml is a spec file.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "summarize": ("cnncalc summarize net.yaml --depth 1", "cnncalc summarize - --format json < net.yaml"),
    "preset": ("cnncalc preset googlenet --depth 0", "cnncalc preset resnet18 --yaml > my-resnet.yaml"),
    "presets": ("cnncalc presets --format markdown",),
    "check": ("cnncalc check net.yaml --max-params 1M --expect stem.output-shape=16x32x32", "cnncalc check specs/"),
    "diff": ("cnncalc diff alexnet alexnet-torchvision", "cnncalc diff alexnet alexnet-torchvision -f markdown"),
    "schema": ("cnncalc schema > cnncalc.schema.json",),
    "explain": ("cnncalc explain alexnet --layer conv1", "cnncalc explain net.yaml --format markdown"),
    "sweep": ("cnncalc sweep resnet18 --width 0.5,1 --input 3x160x160,3x224x224",),
    "memory": ("cnncalc memory resnet50 --batch 32 --optimizer sgd",),
    "layer": ("cnncalc layer conv -i 3x224x224 --filters 64 --kernel 7 --stride 2 --padding 3",),
    "export": ("cnncalc export resnet18 > resnet18.py",),
    "import": (
        "cnncalc import yolov3-tiny.cfg -o yolov3-tiny.yaml",
        "cnncalc import yolov3-tiny.cfg --input 3x320x320 --name tiny",
    ),
    "report": ("cnncalc report googlenet -o googlenet.html", "cnncalc report net.yaml --depth 1 > net.html"),
}


def _epilog(command: str) -> str:
    """``Examples:`` and the command lines, kept as written (click's \\b marker stops re-wrapping)."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in EXAMPLES[command])


app.command("summarize", epilog=_epilog("summarize"))(summarize)
app.command("preset", epilog=_epilog("preset"))(preset_cmd)
app.command("presets", epilog=_epilog("presets"))(presets_cmd)
app.command("check", help=CHECK_HELP, epilog=_epilog("check"))(check_cmd)
app.command("diff", epilog=_epilog("diff"))(diff_cmd)
app.command("schema", epilog=_epilog("schema"))(schema_cmd)
app.command("explain", epilog=_epilog("explain"))(explain_cmd)
app.command("sweep", epilog=_epilog("sweep"))(sweep_cmd)
app.command("memory", epilog=_epilog("memory"))(memory_cmd)
app.command(
    "layer",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
    epilog=kinds_help() + "\n\n" + _epilog("layer"),
)(layer_cmd)
app.command("export", epilog=_epilog("export"))(export)
app.command("import", epilog=_epilog("import"))(import_cmd)
app.command("report", epilog=_epilog("report"))(report_cmd)


def main() -> None:
    # One run builds one large, acyclic object graph and exits: the cyclic collector would only rescan it
    # (a 100,000-layer spec took a third longer with it).
    gc.disable()
    with guarded_process():
        app(prog_name="cnncalc")
