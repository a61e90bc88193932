"""What every command shares: options, error handling and output."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from enum import Enum
from typing import Any, NoReturn, TypeVar

from ..errors import CnncalcError, Diagnostic, ExitCode, UsageError
from ..loader import decode, load, loads, preset, preset_names, read_limited
from ..render.registry import DATA, PLAIN_TABLES, formats, renderer
from ..report import ReportWarning
from ..spec import Spec
from .streams import catch_interrupts


def format_choices(command: str) -> dict[str, str]:
    """The members of a command's ``--format`` enum: the formats the registry renders for it."""
    return {name: name for name in formats(command)}


def debug_from_environment() -> bool:
    """``CNNCALC_DEBUG`` set to anything but empty, ``0``, ``false``, ``no`` or ``off`` (any case)."""
    return os.environ.get("CNNCALC_DEBUG", "").strip().lower() not in ("", "0", "false", "no", "off")


class State:
    debug = debug_from_environment()


F = TypeVar("F", bound=Callable[..., Any])


def guarded(fn: F) -> F:
    """Map cnncalc's errors to a message on stderr and exit code 2 — and, with ``--format json``, also to
    a JSON object on stdout (:mod:`.json_errors`); never show a traceback (unless ``--debug`` or
    ``CNNCALC_DEBUG=1``)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # --format: an argument of its own (typer's enum), or among the options (Options, or a values dict)
        fmt = kwargs.get("fmt", getattr(kwargs.get("options"), "fmt", (kwargs.get("values") or {}).get("fmt")))
        as_json = getattr(fmt, "value", fmt) == DATA
        catch_interrupts()
        try:
            return fn(*args, **kwargs)
        except BrokenPipeError:
            _closed_pipe()
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
    raise SystemExit(ExitCode.OK)


def fail(message: str, code: ExitCode, data: dict[str, object] | None = None) -> NoReturn:
    """Exit with ``code`` after the message on stderr and, when given, the error as JSON on stdout."""
    if data is not None:
        write_error_json(data, code)
    sys.stderr.write(message.rstrip("\n") + "\n")
    raise SystemExit(code)


def write_error_json(data: dict[str, object], code: int) -> None:
    """``{"schema_version": 1, "error": …, "diagnostics": [...], "exit_code": 2}`` on stdout."""
    with contextlib.suppress(OSError):  # stdout may be the very thing that failed
        sys.stdout.write(json.dumps({"schema_version": 1, **data, "exit_code": code}, indent=2, ensure_ascii=False))
        sys.stdout.write("\n")
        sys.stdout.flush()


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
    command: str, fmt: Enum | str, *args: Any, warnings: Sequence[ReportWarning] = (), json_has_warnings: bool = False
) -> None:
    """Render ``args`` with the renderer the registry names for ``command`` and ``fmt``, and write it:
    text as it is, text pieces as they come, anything else (a renderable) through rich. ``warnings`` go
    to stderr, so that stdout holds only the output — except in JSON that carries them as data."""
    name: str = fmt.value if isinstance(fmt, Enum) else fmt
    out = _plain_table(command, name, args)
    if out is None:
        out = renderer(command, name).load()(*args)
    if isinstance(out, str):
        emit_text(out)
    elif isinstance(out, Iterator):
        emit_chunks(out)
    else:
        print_rich(out)
    if name != DATA or not json_has_warnings:
        write_warnings(warnings)


def _plain_table(command: str, fmt: str, args: tuple[Any, ...]) -> str | None:
    """The table as plain text, without importing rich, where rich would print it without style."""
    if fmt != "table" or command not in PLAIN_TABLES:
        return None
    from ..render.plain_table import plain_output

    text: str | None = PLAIN_TABLES[command].load()(*args) if plain_output(sys.stdout) else None
    return text


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


def read_spec(path: str) -> Spec:
    """A spec file, a model file cnncalc imports (``.onnx``, ``.prototxt``, ``.cfg``: imported on the way
    in), or ``-`` for standard input."""
    from ..importers import import_model, importable

    if importable(path) and os.path.isfile(path):
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
    is_file = os.path.exists(ref) and not os.path.isdir(ref)
    if ref != "-" and not is_file and (ref in preset_names() or not any(ch in ref for ch in "./\\")):
        return preset(ref)
    return read_spec(ref)
