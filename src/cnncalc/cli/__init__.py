"""The command-line interface: a thin typer layer over the Python API.

Each command parses options, calls the core, and hands the result to a renderer. Exit codes: 0 success,
1 a check failed (`check`, `diff --fail-on-increase`),
2 invalid input or usage, 3 internal error (a bug).
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterable
from typing import Annotated, Any

import typer

from .. import __version__
from .json_errors import Group
from .streams import guarded_process

# Each command's module, function, registration settings and (when its help is not its docstring) the name of
# its help text, in the order of --help. A run imports only the module of the command it runs: a command
# module brings its renderers and core modules, and the others would cost more than cnncalc's own work.
COMMANDS: dict[str, tuple[str, str, dict[str, Any], str | None]] = {
    "summarize": ("summarize", "summarize", {}, None),
    "preset": ("summarize", "preset_cmd", {}, None),
    "presets": ("summarize", "presets_cmd", {}, None),
    "check": ("check", "check_cmd", {}, "CHECK_HELP"),
    "diff": ("diff", "diff_cmd", {}, None),
    "schema": ("schema", "schema_cmd", {}, None),
    "explain": ("explain", "explain_cmd", {}, None),
    "sweep": ("sweep", "sweep_cmd", {}, None),
    "memory": ("memory", "memory_cmd", {}, None),
    "layer": (
        "explain",
        "layer_cmd",
        {"context_settings": {"allow_extra_args": True, "ignore_unknown_options": True}, "add_help_option": False},
        None,
    ),
    "export": ("export", "export", {}, None),
    "import": ("import_cmd", "import_cmd", {}, None),
    "report": ("report", "report_cmd", {}, None),
}

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


def _epilog(command: str, module: Any) -> str:
    """``Examples:`` and the command lines, kept as written (click's \\b marker stops re-wrapping); ``layer``
    lists the kinds first."""
    examples = "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in EXAMPLES[command])
    return f"{module.kinds_help()}\n\n{examples}" if command == "layer" else examples


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cnncalc {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks (for developers).")] = False,
) -> None:
    from .common import State, debug_from_environment  # here: --version needs none of what the commands share

    State.debug = debug or debug_from_environment()  # per invocation: in-process runs must not leak


def make_app(commands: Iterable[str] = COMMANDS) -> typer.Typer:
    """The ``cnncalc`` command group with ``commands`` registered (every one by default)."""
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
    app.callback()(_root)
    for name in commands:
        module_name, function, settings, help_name = COMMANDS[name]
        module = importlib.import_module(f".{module_name}", __name__)
        help_text = {"help": getattr(module, help_name)} if help_name else {}
        app.command(name, **settings, **help_text, epilog=_epilog(name, module))(getattr(module, function))
    return app


def __getattr__(name: str) -> typer.Typer:
    """``app``: every command, for tests and embedding (built on first use)."""
    if name != "app":
        raise AttributeError(name)
    app = make_app()
    globals()["app"] = app
    return app


def main() -> None:
    # One run builds one large, acyclic object graph and exits: the cyclic collector would only rescan it
    # (a 100,000-layer spec took a third longer with it).
    gc.disable()
    with guarded_process():
        make_app(_needed(sys.argv[1:]))(prog_name="cnncalc")


def _needed(args: list[str]) -> Iterable[str]:
    """The commands a command line needs: the one it names; none for ``--version``; otherwise every one
    (help, or an unknown name that gets a did-you-mean)."""
    word = next((arg for arg in args if not arg.startswith("-")), None)
    if word in COMMANDS:
        return [word]
    if word is None and ("--version" in args or "-V" in args):
        return []
    return COMMANDS
