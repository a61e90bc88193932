"""What every command shares: options, error handling and output."""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from ..args import MAX_SIZE
from ..conventions import CONVENTIONS
from ..errors import CnncalcError, Diagnostic, ExitCode, UsageError
from ..loader import decode, load, loads, preset, preset_names, read_limited
from ..record import record
from ..render.columns import COLUMNS
from ..render.registry import DATA, formats, renderer
from ..report import DTYPES, ReportWarning
from ..spec import Spec
from .json_errors import write_error_json
from .streams import catch_interrupts


def format_choices(command: str) -> dict[str, str]:
    """The members of a command's ``--format`` enum: the formats the registry renders for it."""
    return {name: name for name in formats(command)}


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
FORMAT = typer.Option("--format", "-f", help="Output format.")
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


@record
class Options:
    """The options ``summarize``, ``preset`` and ``memory`` share, declared once (:func:`with_options`);
    a command without one of them gets its default here."""

    fmt: Enum
    input_: str | None = None
    batch: int = 1
    dtype: str = "float32"
    depth: int | None = None
    exact: bool = False
    columns: str | None = None
    chart: bool = False
    convention: str = "default"

    @property
    def input_shape(self) -> tuple[int, ...] | None:
        return parse_shape(self.input_) if self.input_ is not None else None


# each shared option: its annotation (type and typer declaration) and default
_SHARED: dict[str, tuple[Any, Any]] = {
    "input_": (InputOpt, None),
    "batch": (BatchOpt, 1),
    "dtype": (DTypeOpt, DType.float32),  # type: ignore[attr-defined]
    "depth": (DepthOpt, None),
    "exact": (ExactOpt, False),
    "columns": (ColumnsOpt, None),
    "chart": (ChartOpt, False),
    "convention": (ConventionOpt, ConventionName.default),  # type: ignore[attr-defined]
}
EVERY_OPTION = tuple(_SHARED)


def with_options(command: str, *names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command ``--format`` (its formats from the renderer registry) and the shared options
    ``names``; the decorated function receives them as one ``options: Options`` argument."""
    fmt_type = Enum(f"{command.title()}Format", format_choices(command), type=str)  # type: ignore[misc]
    first = fmt_type[formats(command)[0]]  # the registry lists the default format first
    declared = {**{name: _SHARED[name] for name in names}, "fmt": (Annotated[fmt_type, FORMAT], first)}

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        own = [p for p in inspect.signature(fn, eval_str=True).parameters.values() if p.name != "options"]
        shared = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
            for name, (annotation, default) in declared.items()
        ]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            values = {name: kwargs.pop(name) for name in declared}
            for name in ("dtype", "convention"):
                if name in values:
                    values[name] = values[name].value
            fn(*args, options=Options(**values), **kwargs)

        params = [*own, *shared]
        wrapper.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        return wrapper

    return decorate


def guarded(fn: F) -> F:
    """Map cnncalc's errors to a message on stderr and exit code 2 — and, with ``--format json``, also to
    a JSON object on stdout (:mod:`.json_errors`); never show a traceback (unless ``--debug`` or
    ``CNNCALC_DEBUG=1``)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        fmt = kwargs.get("fmt")
        as_json = isinstance(fmt, Enum) and fmt.value == DATA
        catch_interrupts()
        try:
            return fn(*args, **kwargs)
        except BrokenPipeError:
            _closed_pipe()
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except CnncalcError as exc:
            if State.debug:
                raise
            fail(exc.render(), ExitCode.INVALID, exc.to_dict() if as_json else None)
        except KeyboardInterrupt:
            fail("interrupted", ExitCode.INTERRUPTED)
        except Exception as exc:
            if State.debug:
                raise
            message = f"internal error: {type(exc).__name__}: {exc}"
            hint = "this is a bug in cnncalc; rerun with --debug for the traceback and report it"
            fail(
                f"{message}\n  {hint}",
                ExitCode.INTERNAL,
                {"error": message, "diagnostics": [Diagnostic(message, hint).to_dict()]} if as_json else None,
            )

    return wrapper  # type: ignore[return-value]


def _closed_pipe() -> NoReturn:
    """The reader went away (``cnncalc … | head -3``): stop quietly with exit 0 — what a pipeline sees of
    a Unix tool ended by SIGPIPE — for every command and format. Later writes (the interpreter's final
    flush) go to /dev/null, so nothing complains on stderr."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise typer.Exit(ExitCode.OK)


def fail(message: str, code: ExitCode, data: dict[str, object] | None = None) -> NoReturn:
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


def emit(
    command: str, fmt: Enum, *args: Any, warnings: Sequence[ReportWarning] = (), json_has_warnings: bool = False
) -> None:
    """Render ``args`` with the renderer the registry names for ``command`` and ``fmt``, and write it:
    text as it is, text pieces as they come, anything else (a renderable) through rich. ``warnings`` go
    to stderr, so that stdout holds only the output — except in JSON that carries them as data."""
    out = renderer(command, fmt.value).load()(*args)
    if isinstance(out, str):
        emit_text(out)
    elif isinstance(out, Iterator):
        emit_chunks(out)
    else:
        print_rich(out)
    if fmt.value != DATA or not json_has_warnings:
        write_warnings(warnings)


def write_warnings(warnings: Sequence[ReportWarning]) -> None:
    """Each warning on a line of stderr (notes about the PyTorch export as notes)."""
    for w in warnings:
        label = "note" if w.kind == "pytorch" else "warning"
        sys.stderr.write(f"{label}: {w.layer}: {w.message}\n" if w.layer else f"{label}: {w.message}\n")


def print_rich(renderable: Any) -> None:
    """Print with rich; when stdout is not a terminal, widen the console so nothing wraps."""
    from rich.console import Console
    from rich.measure import Measurement

    console = Console(highlight=False)
    if not console.is_terminal:
        needed = Measurement.get(console, console.options.update(width=400), renderable).maximum
        console = Console(highlight=False, width=max(console.width, min(needed, 400)))
    console.on_broken_pipe = _closed_pipe  # type: ignore[method-assign]  # rich's own exits 1
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
    """A spec file, a model file cnncalc imports (``.onnx``, ``.prototxt``, ``.cfg``: imported on the way
    in), or ``-`` for standard input."""
    from ..importers import import_model, importable

    if importable(path) and Path(path).is_file():
        return loads(import_model(path).text, path)
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
    preset, so a typo gets a did-you-mean among the presets rather than "no such file". A model file cnncalc imports
    (``.onnx``, ``.prototxt``, ``.cfg``) is imported on the way in."""
    if ref.startswith("preset:"):
        return preset(ref.removeprefix("preset:"))
    path = Path(ref)
    is_file = path.exists() and not path.is_dir()
    if ref != "-" and not is_file and (ref in preset_names() or not any(ch in ref for ch in "./\\")):
        return preset(ref)
    return read_spec(ref)
