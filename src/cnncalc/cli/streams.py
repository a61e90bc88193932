"""The process around a command: output streams that are closed, full or cannot encode our text, and
Ctrl-C at any moment. Whatever happens, cnncalc ends with a message and an exit code, never a traceback."""

from __future__ import annotations

import codecs
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import NoReturn, TextIO

from .._startup import interrupted

EXIT_INVALID = 2

# What a terminal that cannot show cnncalc's symbols gets instead (PYTHONIOENCODING=ascii, a POSIX locale).
ASCII = {
    "×": "x",
    "→": "->",
    "←": "<-",
    "−": "-",
    "–": "-",
    "—": "--",
    "·": "*",
    "…": "...",
    "≈": "~",
    "≤": "<=",
    "≥": ">=",
    "²": "^2",
    "³": "^3",
    "³¹": "^31",
    "¹": "^1",
    "⌈": "ceil(",
    "⌉": ")",
    "⌊": "floor(",
    "⌋": ")",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "α": "alpha",
    "█": "#",
    "▏": "|",
}


def _ascii_replace(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(ASCII.get(ch, "?") for ch in text), error.end


codecs.register_error("cnncalc-ascii", _ascii_replace)


def fall_back_to_ascii(stream: TextIO | None) -> None:
    """Let a stream whose encoding lacks ``×`` write ``x`` instead of failing (and so for every symbol)."""
    if stream is None or not hasattr(stream, "reconfigure"):
        return
    try:
        "×→".encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        stream.reconfigure(errors="cnncalc-ascii")


def cannot_write(exc: OSError | None = None) -> NoReturn:
    """Exit 2 with "cannot write the output" after pointing stdout at /dev/null, so that the interpreter's
    own final flush of what could not be written fails no second time."""
    reason = f": {exc.strerror or exc}" if exc is not None else ": standard output is closed"
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(f"error: cannot write the output{reason}\n")
        sys.stderr.flush()
    os._exit(EXIT_INVALID)


def catch_interrupts() -> None:
    """From here Ctrl-C raises KeyboardInterrupt, which the command turns into "interrupted" and 130."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is interrupted:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@contextlib.contextmanager
def guarded_process() -> Iterator[None]:
    """Around the whole run: a write that fails anywhere (``--version`` and ``--help`` included) or an
    unflushable stdout at the end is exit 2; a broken pipe (``cnncalc … | head``) ends quietly."""
    if sys.stdout is None:
        cannot_write()
    fall_back_to_ascii(sys.stdout)
    fall_back_to_ascii(sys.stderr)
    try:
        yield
    except BrokenPipeError:
        _quiet_exit(0)
    except OSError as exc:
        cannot_write(exc)
    except KeyboardInterrupt:
        interrupted()
    finally:
        _flush()


def _flush() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_exit(0)
    except OSError as exc:
        cannot_write(exc)


def _quiet_exit(code: int) -> NoReturn:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise SystemExit(code)
