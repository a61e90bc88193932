"""What every command shares: options, error handling and output."""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from ..args import MAX_SIZE
from ..conventions import CONVENTIONS
from ..errors import CnncalcError, Diagnostic, UsageError
from ..loader import decode, load, loads, preset, preset_names, read_limited
from ..render.columns import COLUMNS
from ..report import DTYPES, Report
from ..spec import Spec
from .json_errors import write_error_json
from .streams import catch_interrupts

EXIT_OK, EXIT_INVALID, EXIT_INTERNAL = 0, 2, 3


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    dot = "dot"
    mermaid = "mermaid"


DType = Enum("DType", {name: name for name in DTYPES}, type=str)  # type: ignore[misc]
ConventionName = Enum("ConventionName", {name: name for name in CONVENTIONS}, type=str)  # type: ignore[misc]


def debug_from_environment() -> bool:
    """``CNNCALC_DEBUG`` set to anything but empty, ``0``, ``false``, ``no`` or ``off`` (any case)."""
    return os.environ.get("CNNCALC_DEBUG", "").strip().lower() not in ("", "0", "false", "no", "off")


class State:
    debug = debug_from_environment()


InputOpt = Annotated[
    str | None,
    typer.Option("--input", "-i", help="Override the input shape, channels first, e.g. 3x224x224.", show_default=False),
]
BatchOpt = Annotated[
    int, typer.Option("--batch", "-b", min=1, max=MAX_SIZE, help="Batch size: scales MACs and activations.")
]
DTypeOpt = Annotated[DType, typer.Option("--dtype", help="Bytes per value for the memory figures.")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
DepthOpt = Annotated[
    int | None,
    typer.Option(
        "--depth", "-d", min=0, help="Fold blocks nested deeper than this into one row each.", show_default=False
    ),
]
ExactOpt = Annotated[bool, typer.Option("--exact", help="Full integers instead of K/M/G in the table.")]
ColumnsOpt = Annotated[
    str | None,
    typer.Option(
        "--columns",
        help="Columns of the table and Markdown: a list (layer,output,rf) or changes to the default (+rf,-details)."
        f" Columns: {', '.join(COLUMNS)}.",
        show_default=False,
    ),
]
ChartOpt = Annotated[bool, typer.Option("--chart", help="After the table, bars of where the MACs and parameters go.")]
ConventionOpt = Annotated[
    ConventionName,
    typer.Option(
        "--convention",
        help="How MACs are counted: default (conv and fc weights, as torchvision), full (plus other ops), "
        "or as torchinfo, fvcore, thop or ptflops count them.",
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def guarded(fn: F) -> F:
    """Map cnncalc's errors to a message on stderr and exit code 2 — and, with ``--format json``, also to
    a JSON object on stdout (:mod:`.json_errors`); never show a traceback (unless ``--debug`` or
    ``CNNCALC_DEBUG=1``)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = kwargs.get("fmt") is Format.json
        catch_interrupts()
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit, BrokenPipeError):
            raise  # a closed pipe (cnncalc … | head) ends quietly, as typer handles it
        except CnncalcError as exc:
            if State.debug:
                raise
            fail(exc.render(), EXIT_INVALID, exc.to_dict() if as_json else None)
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except Exception as exc:
            if State.debug:
                raise
            message = f"internal error: {type(exc).__name__}: {exc}"
            hint = "this is a bug in cnncalc; rerun with --debug for the traceback and report it"
            fail(
                f"{message}\n  {hint}",
                EXIT_INTERNAL,
                {"error": message, "diagnostics": [Diagnostic(message, hint).to_dict()]} if as_json else None,
            )

    return wrapper  # type: ignore[return-value]


def fail(message: str, code: int, data: dict[str, object] | None = None) -> NoReturn:
    """Exit with ``code`` after the message on stderr and, when given, the error as JSON on stdout."""
    if data is not None:
        write_error_json(data, code)
    sys.stderr.write(message.rstrip("\n") + "\n")
    raise typer.Exit(code)


_SHAPE = re.compile(r"(\[)?\s*(\d+(?:\s*[x×,]\s*\d+)*)\s*(?(1)\])\Z")


def parse_shape(text: str) -> tuple[int, ...]:
    """``3x224x224``, ``3,224,224`` or ``[3, 224, 224]`` → ``(3, 224, 224)``."""
    m = _SHAPE.match(text.strip())
    if not m:
        raise UsageError(
            f"--input {text!r} is not a shape",
            "write channels first, sizes separated by x: --input 3x224x224",
        )
    sizes = [d.lstrip("0") or "0" for d in re.split(r"\s*[x×,]\s*", m.group(2))]
    if any(len(d) > len(str(MAX_SIZE)) for d in sizes):  # int() refuses past 4,300 digits
        raise UsageError(f"--input {text[:40]!r}: every size must be at most {MAX_SIZE:,} (2³¹ − 1)")
    dims = tuple(map(int, sizes))
    if any(d < 1 for d in dims):
        raise UsageError(f"--input {text!r}: every size must be at least 1", "e.g. --input 3x224x224")
    if any(d > MAX_SIZE for d in dims):
        raise UsageError(f"--input {text!r}: every size must be at most {MAX_SIZE:,} (2³¹ − 1)")
    return dims


def emit_text(text: str) -> None:
    with _writing():
        sys.stdout.write(text)
        sys.stdout.flush()


def emit_chunks(chunks: Iterable[str], batch: int = 4096) -> None:
    """Write text as it is produced, ``batch`` pieces at a time (one write per piece is slow)."""
    pending: list[str] = []
    with _writing():
        for chunk in chunks:
            pending.append(chunk)
            if len(pending) >= batch:
                sys.stdout.write("".join(pending))
                pending.clear()
        sys.stdout.write("".join(pending))
        sys.stdout.flush()


@contextlib.contextmanager
def _writing() -> Iterator[None]:
    """A full disk or a closed stdout is the user's to fix (exit 2), not a bug; a broken pipe passes."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise CnncalcError(f"cannot write the output: {exc.strerror or exc}") from None


def emit_report(
    report: Report, fmt: Format, depth: int | None, exact: bool, columns: str | None = None, chart: bool = False
) -> None:
    from ..render.columns import choose

    chosen = choose(columns)
    if columns is not None and fmt not in (Format.table, Format.markdown):
        raise UsageError(f"--columns applies to the table and Markdown, not --format {fmt.value}")
    if chart and fmt is not Format.table:
        raise UsageError(f"--chart draws in the terminal, after the table; not with --format {fmt.value}")
    if fmt in (Format.dot, Format.mermaid):
        from ..render import graph

        emit_rendered(graph, fmt, report, depth)
    elif fmt is Format.json:
        from ..render.text import json_chunks

        emit_chunks(json_chunks(report))
    elif fmt is Format.csv:
        from ..render.text import render_csv

        emit_text(render_csv(report, depth))
    elif fmt is Format.markdown:
        from ..render.text import render_markdown

        emit_text(render_markdown(report, depth, exact, chosen))
    else:
        from ..render.table import render_table

        print_rich(render_table(report, depth, exact, chosen))
        if chart:
            from ..render.chart import render_chart

            print_rich(render_chart(report, depth))


def emit_rendered(module: ModuleType, fmt: Enum, *args: Any) -> None:
    """Print ``module.render_<fmt>(*args)``: text as is, anything else (a renderable) through rich."""
    render = getattr(module, f"render_{fmt.value}", None)
    if render is None:
        known = sorted(name.removeprefix("render_") for name in vars(module) if name.startswith("render_"))
        raise UsageError(f"--format {fmt.value} is not available here", "choose one of " + ", ".join(known))
    out = render(*args)
    if isinstance(out, str):
        emit_text(out)
    else:
        print_rich(out)


def print_rich(renderable: Any) -> None:
    """Print with rich; when stdout is not a terminal, widen the console so nothing wraps."""
    from rich.console import Console
    from rich.measure import Measurement

    console = Console(highlight=False)
    if not console.is_terminal:
        needed = Measurement.get(console, console.options.update(width=400), renderable).maximum
        console = Console(highlight=False, width=max(console.width, min(needed, 400)))
    with _writing():
        console.print(renderable)
        console.file.flush()


SpecArg = Annotated[
    str,
    typer.Argument(
        help="A spec file (YAML), a preset's name (or preset:NAME), or - for standard input.", show_default=False
    ),
]


def read_spec(path: str) -> Spec:
    """A spec file, or ``-`` for standard input."""
    if path == "-":
        if sys.stdin is None or sys.stdin.closed:
            hint = "pipe a spec in (cnncalc summarize - < net.yaml) or name a file"
            raise UsageError("standard input is closed", hint)
        try:
            stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else io.BytesIO(sys.stdin.read().encode())
            raw = read_limited(stream, "<stdin>")
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read standard input: {exc}") from None
        return loads(decode(raw, "<stdin>"), "<stdin>")
    return load(path)


def spec_arg(ref: str) -> Spec:
    """A spec named on the command line: ``-`` (standard input), a file, ``preset:NAME``, or a preset's name
    (a file of that name wins, a directory does not). A name with no file and no file-like look is taken for a
    preset, so a typo gets a did-you-mean among the presets rather than "no such file"."""
    if ref.startswith("preset:"):
        return preset(ref.removeprefix("preset:"))
    path = Path(ref)
    is_file = path.exists() and not path.is_dir()
    if ref != "-" and not is_file and (ref in preset_names() or not any(ch in ref for ch in "./\\")):
        return preset(ref)
    return read_spec(ref)
