"""cnncalc: exact shapes, parameters, MACs and memory of convolutional networks, without a framework.

>>> import cnncalc
>>> report = cnncalc.analyze(cnncalc.preset("alexnet"))
>>> report.totals.params
60965224
"""

from .analysis import analyze
from .errors import CnncalcError, Diagnostic, Location, SpecError, UsageError
from .loader import from_dict, load, loads, preset, preset_names, preset_text
from .report import DTYPES, LayerResult, ModuleResult, Output, Report, ReportWarning, Totals
from .spec import Spec, parse_spec

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
