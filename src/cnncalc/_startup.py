"""Ctrl-C while the command-line tool is still starting (importing) ends it with 130 and no traceback.

Imported first by the package, importing only modules the interpreter has already loaded; it changes
nothing unless this process is the ``cnncalc`` command (``cnncalc``, ``cnncalc.exe``, ``python -m
cnncalc``), so a program that imports cnncalc keeps its own SIGINT handling. The command restores
Python's handler once it can catch the KeyboardInterrupt itself (:func:`cnncalc.cli.streams.catch_interrupts`).
"""

from __future__ import annotations

# The C module behind `signal`: always built in and already loaded, so installing the handler imports
# nothing (importing `signal` pulls in enum and functools, a window of its own).
import _signal  # type: ignore[import-not-found]  # no stub: the same functions as `signal`
import os
import sys

EXIT_INTERRUPTED = 130
# argv[0] is "-m" while `python -m cnncalc` imports the package
_COMMANDS = ("cnncalc", "cnncalc.exe", "cnncalc-script.py", "cnncalc-script.pyw", "-m")


def interrupted(signum: int = _signal.SIGINT, frame: object = None) -> None:
    try:
        os.write(2, b"interrupted\n")
    finally:
        os._exit(EXIT_INTERRUPTED)


def exit_on_interrupt_while_starting() -> None:
    # os.path, not pathlib: pathlib is not loaded yet, and this runs before anything else
    if sys.argv and os.path.basename(sys.argv[0]) in _COMMANDS:  # noqa: PTH119
        try:  # noqa: SIM105 (contextlib is not loaded yet)
            _signal.signal(_signal.SIGINT, interrupted)
        except ValueError:  # not the main thread: nothing to guard
            pass
