"""The options ``summarize``, ``preset``, ``memory`` and ``report`` share, declared once and free of typer: typer's
declarations are made from this table (:mod:`.declare`), and so is the parser of the command lines that run
without typer (:mod:`.fast`)."""

from __future__ import annotations

import re

from ..args import MAX_SIZE
from ..checks import CHECK_KEYS
from ..conventions import CONVENTIONS
from ..errors import UsageError
from ..record import record
from ..render.columns import COLUMNS
from ..render.registry import formats
from ..report import DTYPES


@record
class OptionSpec:
    """One option: its flags (the long one first), its help, the type of its value (``str``, ``int``, or
    ``bool`` for a flag that takes none), its default, an int's bounds, a choice's names, and whether it may
    be given more than once."""

    flags: tuple[str, ...]  # a flag with a negative form as typer writes it: "--strict/--no-strict"
    help: str
    kind: type
    default: str | int | bool | None
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    show_default: bool = True
    multiple: bool = False  # repeatable: every value given, in order

    def parse(self, text: str) -> str | int | None:
        """The value ``text`` gives this option, or None where typer would refuse it (typer then says why)."""
        if self.choices:
            return text if text in self.choices else None
        if self.kind is str:
            return text
        try:
            value = int(text)
        except ValueError:
            return None
        too_small = self.minimum is not None and value < self.minimum
        return None if too_small or (self.maximum is not None and value > self.maximum) else value


FORMAT_FLAGS = ("--format", "-f")
FORMAT_HELP = "Output format."
SHARED: dict[str, OptionSpec] = {
    "input_": OptionSpec(
        ("--input", "-i"), "Override the input shape, channels first, e.g. 3x224x224.", str, None, show_default=False
    ),
    "batch": OptionSpec(
        ("--batch", "-b"), "Batch size: scales MACs and activations.", int, 1, minimum=1, maximum=MAX_SIZE
    ),
    "dtype": OptionSpec(("--dtype",), "Bytes per value for the memory figures.", str, "float32", choices=tuple(DTYPES)),
    "depth": OptionSpec(
        ("--depth", "-d"),
        "Fold blocks nested deeper than this into one row each.",
        int,
        None,
        minimum=0,
        show_default=False,
    ),
    "exact": OptionSpec(("--exact",), "Full integers instead of K/M/G in the table.", bool, False),
    "columns": OptionSpec(
        ("--columns",),
        "Columns of the table and Markdown: a list (layer,output,rf) or changes to the default (+rf,-details)."
        f" Columns: {', '.join(COLUMNS)}.",
        str,
        None,
        show_default=False,
    ),
    "chart": OptionSpec(("--chart",), "After the table, bars of where the MACs and parameters go.", bool, False),
    "convention": OptionSpec(
        ("--convention",),
        "How MACs are counted: default (conv and fc weights, as torchvision), full (plus other ops), "
        "or as torchinfo, fvcore, thop or ptflops count them.",
        str,
        "default",
        choices=tuple(CONVENTIONS),
    ),
}
EVERY_OPTION = tuple(SHARED)
PRESET_OPTIONS: dict[str, OptionSpec] = {  # preset's own, beside the shared ones
    "list_": OptionSpec(("--list", "-l"), "List the presets.", bool, False),
    "yaml_": OptionSpec(("--yaml",), "Print the preset's spec, to copy and edit.", bool, False),
}
FORMAT_FLAGS = ("--format", "-f")
FORMAT_HELP = "Output format."


def format_option(command: str) -> OptionSpec:
    """``--format``: the formats the renderer registry has for ``command``, the first the default."""
    choices = tuple(formats(command))
    return OptionSpec(FORMAT_FLAGS, FORMAT_HELP, str, choices[0], choices=choices)


def _budget(key: str, example: str, doc: str | None = None) -> OptionSpec:
    text = doc or CHECK_KEYS[key].doc
    return OptionSpec((f"--{key.replace('_', '-')}",), f"{text}, e.g. {example}.", str, None, show_default=False)


CHECK_OPTIONS: dict[str, OptionSpec] = {  # check's, in the order of its --help; "fmt" is --format
    "max_params": _budget("max_params", "7M"),
    "max_macs": _budget("max_macs", "1.6G"),
    "max_flops": _budget("max_flops", "3.2G"),
    "max_activation_bytes": _budget("max_activation_bytes", "250MB"),
    "max_param_bytes": _budget("max_param_bytes", "30MiB"),
    "params": _budget("params", "6_998_552"),
    "macs": _budget("macs", "1_582_671_872"),
    "output_shape": _budget("output_shape", "1000 or 256x28x28", "exactly this output shape (no batch dimension)"),
    "expect": OptionSpec(
        ("--expect", "-e"),
        "A per-layer expectation LAYER.KEY=VALUE, e.g. conv1.params=34944 (repeatable). KEY is any "
        "option above without its --, written with - or _: max-params or max_params.",
        str,
        None,
        show_default=False,
        multiple=True,
    ),
    "strict": OptionSpec(
        ("--strict/--no-strict",),
        "Fail on geometry warnings (input a layer never reads); default: the spec's `strict:`.",
        bool,
        None,
        show_default=False,
    ),
    "batch": OptionSpec(("--batch", "-b"), "Batch size (default 1).", int, None, minimum=1, show_default=False),
    "dtype": OptionSpec(
        ("--dtype",), "Bytes per value (default float32).", str, None, choices=tuple(DTYPES), show_default=False
    ),
    "fmt": format_option("check"),
    "verbose": OptionSpec(
        ("--verbose", "-v"), "List every check, warning and diagnostic under each file.", bool, False
    ),
}


@record
class Options:
    """The shared options as one value; a command without one of them gets its default here."""

    fmt: str
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
