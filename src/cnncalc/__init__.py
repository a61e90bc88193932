"""cnncalc: exact shapes, parameters, MACs and memory of convolutional networks, without a framework.

>>> import cnncalc
>>> report = cnncalc.analyze(cnncalc.preset("alexnet"))
>>> report.totals.params
60965224
"""

from . import _startup

_startup.exit_on_interrupt_while_starting()

from .analysis import analyze  # noqa: E402 (after the interrupt guard: importing is most of start-up)
from .errors import CnncalcError, Diagnostic, Location, SpecError, UsageError  # noqa: E402
from .loader import from_dict, load, loads, preset, preset_names, preset_text  # noqa: E402
from .report import DTYPES, LayerResult, ModuleResult, Output, Report, ReportWarning, Totals  # noqa: E402
from .spec import Spec, parse_spec  # noqa: E402

__version__ = "1.0.0"

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
