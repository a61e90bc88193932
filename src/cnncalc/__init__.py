"""cnncalc: exact shapes, parameters, MACs and memory of convolutional networks, without a framework.

>>> import cnncalc
>>> report = cnncalc.analyze(cnncalc.preset("alexnet"))
>>> report.totals.params
60965224
"""

from __future__ import annotations

import importlib

from . import _startup

_startup.exit_on_interrupt_while_starting()  # first: Ctrl-C while cnncalc starts exits 130, no traceback

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

    from .analysis import analyze
    from .errors import CnncalcError, Diagnostic, Location, SpecError, UsageError
    from .loader import from_dict, load, loads, preset, preset_names, preset_text
    from .report import DTYPES, LayerResult, ModuleResult, Output, Report, ReportWarning, Totals
    from .spec import Spec, parse_spec

__version__ = "1.0.0"

# The API's names load with the module that defines them, on first use (PEP 562): a tool that imports
# cnncalc, or a command that only prints the version, does not pay for the core's classes until it uses
# them.
_HOMES = {
    "analysis": ("analyze",),
    "errors": ("CnncalcError", "Diagnostic", "Location", "SpecError", "UsageError"),
    "loader": ("from_dict", "load", "loads", "preset", "preset_names", "preset_text"),
    "report": ("DTYPES", "LayerResult", "ModuleResult", "Output", "Report", "ReportWarning", "Totals"),
    "spec": ("Spec", "parse_spec"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'cnncalc' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


__all__ = [
    "DTYPES",
    "CnncalcError",
    "Diagnostic",
    "LayerResult",
    "Location",
    "ModuleResult",
    "Output",
    "Report",
    "ReportWarning",
    "Spec",
    "SpecError",
    "Totals",
    "UsageError",
    "__version__",
    "analyze",
    "from_dict",
    "load",
    "loads",
    "parse_spec",
    "preset",
    "preset_names",
    "preset_text",
]
