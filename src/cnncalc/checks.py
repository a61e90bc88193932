"""The ``checks:`` section of a spec: budgets and expectations a spec promises to keep.

This module is the grammar: the keys a ``checks:`` mapping (and each per-layer entry) takes, the types
that validate their values — the same objects :mod:`cnncalc.schema` asks for JSON Schema — and
:func:`parse_checks`, which turns plain data into :class:`Checks` plus located problems. Evaluating the
checks against a report is :mod:`cnncalc.gate`'s job.

Quantities are exact: ``1.6G`` is 1_600_000_000 computed in integers, never through a float. Decimal
prefixes (k/K, M, G, T) multiply by powers of 1000; ``KiB``, ``MiB``, ``GiB``, ``TiB`` by powers of 1024
(IEC 80000-13) and only make sense for byte budgets, as do ``B``, ``KB``, ``MB``, ``GB``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .args import JSON, AmbiguousScalar, ArgProblem, ArgType, Bool, Choice, Int, kind_of, show, suggest
from .errors import DataPath
from .record import record
from .report import DTYPES, Counts

Shape = tuple[int, ...]

COUNT_UNITS: dict[str, int] = {"": 1, "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
BYTE_UNITS: dict[str, int] = {
    **COUNT_UNITS,
    "B": 1,
    "kB": 10**3,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "TB": 10**12,
    "KiB": 2**10,
    "MiB": 2**20,
    "GiB": 2**30,
    "TiB": 2**40,
}
MAX_EXPONENT = 30  # 1e30 is far beyond any network; bounding it keeps 10**exponent cheap
_NUMBER = r"[0-9](?:_?[0-9])*(?:\.[0-9](?:_?[0-9])*)?(?:[eE]\+?[0-9]+)?"
_QUANTITY = re.compile(rf"\s*({_NUMBER})\s*([A-Za-z]*)\s*")


def _units_pattern(units: Mapping[str, int]) -> str:
    """A JSON Schema (ECMA-262) pattern for a quantity with one of ``units``, from the same tables."""
    names = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True) if u)
    return rf"^\s*{_NUMBER}\s*(?:{names})?\s*$"


def _exact(number: str, unit: int) -> tuple[int, int]:
    """``number × unit`` as a fraction ``(numerator, 10**k)``, in integers: ``1.6`` × 10⁹ → (16·10⁹, 10)."""
    mantissa, _, exponent = number.replace("_", "").lower().partition("e")
    whole, _, fraction = mantissa.partition(".")
    exp = int(exponent or 0)
    if exp > MAX_EXPONENT:
        raise ArgProblem(f"{number} is far too large for a budget", "write the figure itself, e.g. 1.6G")
    scale = exp - len(fraction)
    numerator = int(whole + fraction) * unit * 10 ** max(scale, 0)
    return numerator, 10 ** max(-scale, 0)


@record
class Quantity(ArgType):
    """A count (``6_998_552``, ``7M``, ``1.6G``) or, with ``in_bytes``, a size (``250MB``, ``1.5GiB``)."""

    what: str  # what is counted, for messages: "parameters", "MACs", "bytes"
    in_bytes: bool = False
    instead: str | None = None  # the byte budget to suggest when a byte unit is given for a count

    @property
    def units(self) -> dict[str, int]:
        return BYTE_UNITS if self.in_bytes else COUNT_UNITS

    def parse(self, value: object) -> int:
        if isinstance(value, AmbiguousScalar):
            raise ArgProblem(f"{value.raw} is ambiguous: {value.reason}", value.fix or "write a number")
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ArgProblem(f"expected {self.describe()}, got {show(value)} ({kind_of(value)})")
        if isinstance(value, int):
            if value < 0:
                raise ArgProblem(f"must be at least 0, got {value}")
            return value
        text = repr(value) if isinstance(value, float) else value
        m = _QUANTITY.fullmatch(text)
        if m is None:
            raise ArgProblem(f"expected {self.describe()}, got {show(value)}", self._hint())
        number, unit = m.groups()
        if unit.endswith("i") and unit + "B" in BYTE_UNITS:
            raise ArgProblem(
                f"{text.strip()}: binary prefixes measure bytes",
                f"write {number}{unit}B" if self.in_bytes else f"write {number}{unit[0]} for a count of {self.what}",
            )
        if unit not in self.units:
            if unit in BYTE_UNITS:
                alternative = f"write {number}{unit[:1] if unit[:1] in COUNT_UNITS else ''}"
                hint = f"{alternative} for a count of {self.what}" + (
                    f", or use {self.instead} for a memory budget" if self.instead else ""
                )
                raise ArgProblem(f"{text.strip()} is a size in bytes, but this counts {self.what}", hint)
            same = [u for u in self.units if u.lower() == unit.lower()]  # 7m: milli is no unit here; M is
            close = f"did you mean '{same[0]}'?" if same else suggest(unit, list(self.units))
            raise ArgProblem(f"unknown unit {unit!r} in {show(value)}", close or self._hint())
        numerator, denominator = _exact(number, self.units[unit])
        if numerator % denominator:
            whole, rest = divmod(numerator, denominator)
            digits = str(rest).rjust(len(str(denominator)) - 1, "0").rstrip("0")
            raise ArgProblem(
                f"{text.strip()} is {whole}.{digits}, not a whole number of {self.what}",
                "give fewer decimal places or a smaller unit",
            )
        return numerator // denominator

    def _hint(self) -> str:
        if self.in_bytes:
            return "e.g. 250MB or 250_000_000 (decimal), 1.5GiB (binary: KiB, MiB, GiB)"
        return "e.g. 7M, 1.6G or 6_998_552 (K, M, G, T multiply by 1000)"

    def describe(self) -> str:
        if self.in_bytes:
            return "a size in bytes such as 250MB, 1.5GiB or 250_000_000"
        return f"a number of {self.what} such as 7M, 1.6G or 6_998_552"

    def schema(self) -> JSON:
        return {
            "anyOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": _units_pattern(self.units)},
            ],
            "description": self.describe(),
        }


@record
class Dims(ArgType):
    """A shape without the batch dimension: ``[1000]``, ``[256, 28, 28]``."""

    max_len: int = 4

    def parse(self, value: object) -> Shape:
        if not isinstance(value, list) or not value:
            raise ArgProblem(
                f"expected a shape such as [256, 28, 28], got {show(value)} ({kind_of(value)})",
                "write the sizes as a list, channels first, without the batch dimension",
            )
        if len(value) > self.max_len:
            raise ArgProblem(f"a shape has at most {self.max_len} dimensions, got {len(value)}")
        dims = []
        for i, item in enumerate(value):
            try:
                dims.append(Int().parse(item))
            except ArgProblem as exc:
                raise ArgProblem(f"dimension {i + 1}: {exc.message}", exc.hint) from None
        return tuple(dims)

    def describe(self) -> str:
        return "a list of sizes, channels first, without the batch dimension"

    def schema(self) -> JSON:
        return {"type": "array", "items": Int().schema(), "minItems": 1, "maxItems": self.max_len}


# ----------------------------------------------------------------------------------------- the keys


@record
class Figure:
    """A figure of the totals, a layer row or a module row (all :class:`~cnncalc.report.Counts`)."""

    name: str
    what: str  # the unit counted, for messages
    in_bytes: bool = False

    def of(self, counts: Counts) -> int:
        value: int = getattr(counts, self.name)
        return value


FIGURES: dict[str, Figure] = {
    f.name: f
    for f in (
        Figure("params", "parameters"),
        Figure("macs", "MACs"),
        Figure("flops", "FLOPs"),
        Figure("activation_bytes", "bytes", in_bytes=True),
        Figure("param_bytes", "bytes", in_bytes=True),
    )
}


@record
class CheckKey:
    """One expectation key: a budget (``actual ≤ value``), an exact figure, or the output shape."""

    name: str
    type: ArgType
    doc: str
    figure: Figure | None = None  # None: the output shape
    budget: bool = False


def _budget(figure: Figure, doc: str, instead: str | None = None) -> CheckKey:
    quantity = Quantity(figure.what, figure.in_bytes, instead)
    return CheckKey(f"max_{figure.name}", quantity, doc, figure, budget=True)


CHECK_KEYS: dict[str, CheckKey] = {
    key.name: key
    for key in (
        _budget(FIGURES["params"], "at most this many learnable parameters", "max_param_bytes"),
        _budget(FIGURES["macs"], "at most this many multiply-accumulates (for the batch)"),
        _budget(FIGURES["flops"], "at most this many FLOPs (2 × MACs, for the batch)"),
        _budget(FIGURES["activation_bytes"], "at most this much activation memory (batch and dtype)"),
        _budget(FIGURES["param_bytes"], "at most this much parameter memory (incl. non-trainable, dtype)"),
        CheckKey("params", Quantity("parameters"), "exactly this many learnable parameters", FIGURES["params"]),
        CheckKey("macs", Quantity("MACs"), "exactly this many multiply-accumulates", FIGURES["macs"]),
        CheckKey("output_shape", Dims(), "exactly this output shape, e.g. [1000] (no batch dimension)"),
    )
}

# Settings of the whole section, beside the expectations (which also apply per layer under LAYERS).
SETTINGS: dict[str, tuple[ArgType, str]] = {
    "strict": (Bool(), "geometry warnings (input a layer never reads) fail the check"),
    "batch": (Int(), "batch size the figures are computed for (default 1)"),
    "dtype": (Choice(tuple(DTYPES)), "bytes per value for the memory figures (default float32)"),
}
LAYERS = "layers"
LAYERS_DOC = "per-layer expectations: a layer or block name (or a full path) → its expectations"


# ---------------------------------------------------------------------------------------- the result


@record
class Expectation:
    key: str  # a CHECK_KEYS name
    value: int | Shape
    written: str  # as the user wrote it: "7M", "[1000]"
    layer: str | None = None  # a layer or module name or path; None: the whole network
    origin: DataPath | None = None  # where in the spec; None: the command line


@record
class Checks:
    """Parsed expectations and settings; ``None`` settings are unset (the defaults apply)."""

    expectations: tuple[Expectation, ...] = ()
    strict: bool | None = None
    batch: int | None = None
    dtype: str | None = None

    def override(self, flags: Checks) -> Checks:
        """These checks with ``flags`` winning: same key on the same layer, and each setting."""
        replaced = {(e.layer, e.key) for e in flags.expectations}
        kept = tuple(e for e in self.expectations if (e.layer, e.key) not in replaced)
        return Checks(
            (*kept, *flags.expectations),
            self.strict if flags.strict is None else flags.strict,
            self.batch if flags.batch is None else flags.batch,
            self.dtype if flags.dtype is None else flags.dtype,
        )

    def __bool__(self) -> bool:
        return bool(self.expectations) or self.strict is not None or self.batch is not None or self.dtype is not None


@record
class Problem:
    """An invalid value in a checks section, at ``path`` (relative to the document root)."""

    message: str
    hint: str | None
    path: DataPath
    key: bool = False  # point at the key rather than its value


def written(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return "[" + ", ".join(written(v) for v in value) + "]"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return show(value)


def parse_checks(value: object, at: DataPath = ("checks",)) -> tuple[Checks, tuple[Problem, ...]]:
    """Validate a ``checks:`` mapping; every independent problem is returned, located by data path."""
    problems: list[Problem] = []
    if value is None:
        return Checks(), ()
    if not isinstance(value, dict):
        hint = "write `checks:` then indented entries such as `max_params: 7M`"
        return Checks(), (Problem(f"checks must be a mapping, got {show(value)} ({kind_of(value)})", hint, at),)
    expectations: list[Expectation] = []
    settings: dict[str, object] = {}
    for key, raw in value.items():
        path = (*at, key)
        if key in CHECK_KEYS:
            expectation = _expectation(CHECK_KEYS[key], raw, path, None, problems)
            if expectation is not None:
                expectations.append(expectation)
        elif key in SETTINGS:
            try:
                settings[key] = SETTINGS[key][0].parse(raw)
            except ArgProblem as exc:
                problems.append(Problem(f"{key}: {exc.message}", exc.hint, path))
        elif key == LAYERS:
            expectations.extend(_layers(raw, path, problems))
        else:
            known = [*CHECK_KEYS, *SETTINGS, LAYERS]
            hint = (suggest(key, known) if isinstance(key, str) else None) or "checks take " + ", ".join(known)
            problems.append(Problem(f"checks have no key {show(key)}", hint, path, key=True))
    strict, batch, dtype = settings.get("strict"), settings.get("batch"), settings.get("dtype")
    checks = Checks(
        tuple(expectations),
        strict if isinstance(strict, bool) else None,
        batch if isinstance(batch, int) else None,
        dtype if isinstance(dtype, str) else None,
    )
    return checks, tuple(problems)


def _expectation(
    key: CheckKey, raw: object, path: DataPath, layer: str | None, problems: list[Problem]
) -> Expectation | None:
    try:
        parsed = key.type.parse(raw)
    except ArgProblem as exc:
        problems.append(Problem(f"{key.name}: {exc.message}", exc.hint, path))
        return None
    return Expectation(key.name, parsed, written(raw), layer, path)


def _layers(value: object, at: DataPath, problems: list[Problem]) -> list[Expectation]:
    example = "write `layers:` then `  inception_3a: {output_shape: [256, 28, 28]}`"
    if not isinstance(value, dict):
        problems.append(
            Problem(f"checks.layers must be a mapping of layer name to expectations, got {kind_of(value)}", example, at)
        )
        return []
    found: list[Expectation] = []
    for name, body in value.items():
        path = (*at, name)
        if not isinstance(name, str) or not name or any(ch.isspace() for ch in name):
            problems.append(
                Problem(
                    f"a layer name or path must be text without spaces, got {show(name)}",
                    "quote it, e.g. '3x3'",
                    path,
                    key=True,
                )
            )
            continue
        if not isinstance(body, dict):
            problems.append(Problem(f"the expectations of {name} must be a mapping, got {show(body)}", example, path))
            continue
        for key, raw in body.items():
            if key not in CHECK_KEYS:
                hint = (suggest(key, list(CHECK_KEYS)) if isinstance(key, str) else None) or (
                    "a layer takes " + ", ".join(CHECK_KEYS)
                )
                problems.append(Problem(f"{name}: no expectation {show(key)}", hint, (*path, key), key=True))
                continue
            expectation = _expectation(CHECK_KEYS[key], raw, (*path, key), name, problems)
            if expectation is not None:
                found.append(expectation)
    return found
