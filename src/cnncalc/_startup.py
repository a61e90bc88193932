"""Ctrl-C while the command-line tool is still starting (importing) ends it with 130 and no traceback.

Imported first by the package, importing only modules the interpreter has already loaded; it changes
nothing unless this process is the ``cnncalc`` command (``cnncalc``, ``cnncalc.exe``, ``python -m
cnncalc``), so a program that imports cnncalc keeps its own SIGINT handling. The command restores
Python's handler once it can catch the KeyboardInterrupt itself (:func:`cnncalc.cli.streams.catch_interrupts`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

EXIT_INTERRUPTED = 130
# argv[0] is "-m" while `python -m cnncalc` imports the package
_COMMANDS = ("cnncalc", "cnncalc.exe", "cnncalc-script.py", "cnncalc-script.pyw", "-m")


def interrupted(signum: int = signal.SIGINT, frame: object = None) -> None:
    try:
        os.write(2, b"interrupted\n")
    finally:
        os._exit(EXIT_INTERRUPTED)


def exit_on_interrupt_while_starting() -> None:
    # os.path, not pathlib: pathlib is not loaded yet, and this runs before anything else
    if sys.argv and os.path.basename(sys.argv[0]) in _COMMANDS:  # noqa: PTH119
        with contextlib.suppress(ValueError):  # not the main thread: nothing to guard
            signal.signal(signal.SIGINT, interrupted)
