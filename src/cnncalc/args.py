"""Argument types of the spec language: validation, normalisation, documentation and JSON Schema.

Each layer kind declares its arguments as dataclass fields made with :func:`arg`; the field's
:class:`ArgType` is the single definition used to validate a value, to describe it in help text and to
emit its JSON Schema. Values are normalised here, once: a per-axis argument becomes ``int`` or a tuple,
padding becomes ``int``, ``"same"``/``"valid"`` or a tuple of ints and ``(before, after)`` pairs.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import MISSING, field
from typing import Any

from .errors import JOINERS, UNSAFE_CATEGORIES
from .record import record

JSON = dict[str, Any]

MAX_SIZE = 2**31 - 1  # the largest size or count anywhere in a spec: int32, as frameworks index tensors


@record
class AmbiguousScalar:
    """A YAML scalar that YAML 1.1 (PyYAML) and YAML 1.2 read differently, e.g. ``yes``, ``010``, ``1:30``.

    The loader produces it instead of guessing; every argument type rejects it with ``reason``.
    """

    raw: str
    read_as: object
    reason: str  # how the two YAML versions read it
    fix: str | None = None  # what to write instead, when it does not depend on the argument


class ArgProblem(Exception):
    """A value that does not fit its argument; ``arg`` names the argument when the check spans several."""

    def __init__(self, message: str, hint: str | None = None, arg: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.arg = arg


def unsafe_character(text: str, allowed: str = "") -> str | None:
    """The first control, format or line-separator character of ``text`` as ``U+001B (a control
    character)``, or None when ``text`` is safe to show anywhere."""
    for ch in text:
        if ch in allowed or ch in JOINERS:
            continue
        category = unicodedata.category(ch)
        if category in UNSAFE_CATEGORIES:
            kind = "a line break" if ch in "\n\r\x85" or category in ("Zl", "Zp") else "a control character"
            return f"U+{ord(ch):04X} ({kind})"
    return None


def show(value: object, depth: int = 0) -> str:
    """A value as the user wrote it, for error messages (truncated: values may be huge or cyclic)."""
    if isinstance(value, AmbiguousScalar):
        return value.raw
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, int) and value.bit_length() > 200:  # 61+ digits: shown cut, like text
        digits = str(value) if value.bit_length() < 14000 else f"{value:x}"
        return f"{digits[:57]}... ({len(digits)} {'digits' if value.bit_length() < 14000 else 'hex digits'})"
    if isinstance(value, (list, tuple, dict)):
        if depth >= 2:
            return "[…]" if not isinstance(value, dict) else "{…}"
        items = list(value.items() if isinstance(value, dict) else value)
        parts = [
            f"{show(item[0], depth + 1)}: {show(item[1], depth + 1)}"
            if isinstance(value, dict)
            else show(item, depth + 1)
            for item in items[:6]
        ]
        if len(items) > 6:
            parts.append("…")
        text = ", ".join(parts)
        return "{" + text + "}" if isinstance(value, dict) else "[" + text + "]"
    text = str(value)
    return text if len(text) <= 60 else text[:40] + f"… ({len(text)} digits)"


def kind_of(value: object) -> str:
    if isinstance(value, AmbiguousScalar):
        return "an ambiguous YAML scalar"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number with a fraction" if math.isfinite(value) else "a non-finite number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def suggest(word: str, choices: Sequence[str]) -> str | None:
    """``did you mean 'x'?`` for a misspelt name, or None."""
    import difflib  # only when a suggestion is needed: it imports more than cnncalc needs otherwise

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _reject_ambiguous(value: object, fix: str) -> None:
    if isinstance(value, AmbiguousScalar):
        raise ArgProblem(f"{value.raw} is ambiguous: {value.reason}", value.fix or fix)


class ArgType:
    """How one argument is validated, documented and described in JSON Schema."""

    def parse(self, value: object) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def schema(self) -> JSON:
        raise NotImplementedError


def _int(value: object, minimum: int | None, what: str = "a whole number") -> int:
    _reject_ambiguous(value, "write a number")
    if isinstance(value, bool):
        raise ArgProblem(
            f"expected {what}, got {show(value)} (a boolean)",
            "YAML reads true/false (and yes/no/on/off) as booleans; write a number",
        )
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        raise ArgProblem(f"expected {what}, got {value!r}", f"write {int(value)} without a fraction or exponent")
    if not isinstance(value, int):
        hint = None
        if isinstance(value, str) and value.strip().lstrip("+-").replace("_", "").isdigit():
            hint = f"write it without quotes: {value.strip()}"
        raise ArgProblem(f"expected {what}, got {show(value)} ({kind_of(value)})", hint)
    if minimum is not None and value < minimum:
        bound = "positive" if minimum == 1 else f"at least {minimum}"
        raise ArgProblem(f"must be {bound}, got {value}")
    if value > MAX_SIZE:
        raise ArgProblem(
            f"must be at most {MAX_SIZE:,} (2³¹ − 1), got {show(value)}",
            "no trainable network has a size or count this large: check for a typo",
        )
    return value


@record
class Int(ArgType):
    minimum: int | None = 1

    def parse(self, value: object) -> int:
        return _int(value, self.minimum)

    def describe(self) -> str:
        return "integer" if self.minimum is None else f"integer ≥ {self.minimum}"

    def schema(self) -> JSON:
        out: JSON = {"type": "integer", "maximum": MAX_SIZE}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        return out


@record
class Float(ArgType):
    minimum: float | None = None
    maximum: float | None = None
    exclusive_maximum: bool = False
    exclusive_minimum: bool = False

    def parse(self, value: object) -> float:
        _reject_ambiguous(value, "write a number")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            hint = None
            if isinstance(value, str):
                hint = "write a plain number such as 0.0001 or 1.0e-4 (no quotes)"
            raise ArgProblem(f"expected a number, got {show(value)} ({kind_of(value)})", hint)
        number = float(value)
        if not math.isfinite(number):
            raise ArgProblem(f"expected a finite number, got {show(value)}")
        if self.minimum is not None and (number < self.minimum or (self.exclusive_minimum and number == self.minimum)):
            op = ">" if self.exclusive_minimum else "≥"
            raise ArgProblem(f"must be {op} {self.minimum:g}, got {number:g}")
        if self.maximum is not None and (number > self.maximum or (self.exclusive_maximum and number == self.maximum)):
            op = "<" if self.exclusive_maximum else "≤"
            raise ArgProblem(f"must be {op} {self.maximum:g}, got {number:g}")
        return number

    def describe(self) -> str:
        parts = []
        if self.minimum is not None:
            parts.append(f"{'>' if self.exclusive_minimum else '≥'} {self.minimum:g}")
        if self.maximum is not None:
            parts.append(f"{'<' if self.exclusive_maximum else '≤'} {self.maximum:g}")
        return "number" + (" " + " and ".join(parts) if parts else "")

    def schema(self) -> JSON:
        out: JSON = {"type": "number"}
        if self.minimum is not None:
            out["exclusiveMinimum" if self.exclusive_minimum else "minimum"] = self.minimum
        if self.maximum is not None:
            out["exclusiveMaximum" if self.exclusive_maximum else "maximum"] = self.maximum
        return out


@record
class Bool(ArgType):
    def parse(self, value: object) -> bool:
        _reject_ambiguous(value, "write true or false")
        if not isinstance(value, bool):
            raise ArgProblem(f"expected true or false, got {show(value)} ({kind_of(value)})")
        return value

    def describe(self) -> str:
        return "true or false"

    def schema(self) -> JSON:
        return {"type": "boolean"}


@record
class Choice(ArgType):
    choices: tuple[str, ...]

    def parse(self, value: object) -> str:
        _reject_ambiguous(value, "write one of " + ", ".join(self.choices))
        if not isinstance(value, str) or value not in self.choices:
            options = ", ".join(self.choices)
            hint = suggest(value, self.choices) if isinstance(value, str) else None
            raise ArgProblem(f"expected one of {options}, got {show(value)}", hint)
        return value

    def describe(self) -> str:
        return " | ".join(self.choices)

    def schema(self) -> JSON:
        return {"enum": list(self.choices)}


@record
class Text(ArgType):
    """Text; ``lines`` allows line breaks and tabs (a description), otherwise it is one line (a name)."""

    lines: bool = False

    def parse(self, value: object) -> str:
        _reject_ambiguous(value, "quote it to mean text")
        if not isinstance(value, str):
            raise ArgProblem(
                f"expected text, got {show(value)} ({kind_of(value)})",
                f"quote it: '{show(value)}'" if isinstance(value, (int, float, bool)) else None,
            )
        bad = unsafe_character(value, "\t\n\r" if self.lines else "")
        if bad is not None:
            raise ArgProblem(
                f"{show(value)} contains {bad}", "remove it: text here is shown on terminals and in CI logs"
            )
        return value

    def describe(self) -> str:
        return "text"

    def schema(self) -> JSON:
        return {"type": "string"}


def _int_list(value: Sequence[object], minimum: int | None) -> tuple[int, ...]:
    if not value:
        raise ArgProblem("expected at least one value, got an empty list")
    out = []
    for i, item in enumerate(value):
        try:
            out.append(_int(item, minimum))
        except ArgProblem as exc:
            raise ArgProblem(f"item {i + 1}: {exc.message}", exc.hint) from None
    return tuple(out)


@record
class PerAxis(ArgType):
    """An integer for every spatial axis, or a list with one integer per axis (``[3, 5]`` = H, W)."""

    minimum: int = 1

    def parse(self, value: object) -> int | tuple[int, ...]:
        if isinstance(value, (list, tuple)):
            return _int_list(value, self.minimum)
        return _int(value, self.minimum)

    def describe(self) -> str:
        return f"integer ≥ {self.minimum}, or a list of them (one per spatial axis)"

    def schema(self) -> JSON:
        item: JSON = {"type": "integer", "minimum": self.minimum, "maximum": MAX_SIZE}
        return {"oneOf": [item, {"type": "array", "items": item, "minItems": 1, "maxItems": 3}]}


@record
class Ints(ArgType):
    """Exactly ``count`` integers, any sign (a channel range ``[start, stop]``)."""

    count: int = 2

    def parse(self, value: object) -> tuple[int, ...]:
        if not isinstance(value, (list, tuple)) or len(value) != self.count:
            raise ArgProblem(f"expected a list of {self.count} integers, got {show(value)}", "write [0, 58]")
        return _int_list(value, None)

    def describe(self) -> str:
        return f"a list of {self.count} integers"

    def schema(self) -> JSON:
        item: JSON = {"type": "integer", "minimum": -MAX_SIZE, "maximum": MAX_SIZE}
        return {"type": "array", "items": item, "minItems": self.count, "maxItems": self.count}


PaddingValue = int | str | tuple[int | tuple[int, int], ...]


@record
class Padding(ArgType):
    """``2``; ``[1, 2]`` per axis; ``[[0, 1], [0, 1]]`` (before, after) per axis; ``same``; ``valid``."""

    modes: bool = True

    def parse(self, value: object) -> PaddingValue:
        _reject_ambiguous(value, "write a number")
        if isinstance(value, str) and self.modes:
            if value not in ("same", "valid"):
                raise ArgProblem(
                    f"expected a number, a list, same or valid, got {show(value)}",
                    suggest(value, ("same", "valid")),
                )
            return value
        if isinstance(value, (list, tuple)):
            if not value:
                raise ArgProblem("expected at least one value, got an empty list")
            items: list[int | tuple[int, int]] = []
            for i, item in enumerate(value):
                if isinstance(item, (list, tuple)):
                    if len(item) != 2:
                        raise ArgProblem(
                            f"item {i + 1}: a [before, after] pair has 2 values, got {len(item)}",
                            "write [before, after] for each spatial axis, e.g. [[0, 1], [0, 1]]",
                        )
                    pair = _int_list(item, 0)
                    items.append((pair[0], pair[1]))
                else:
                    try:
                        items.append(_int(item, 0))
                    except ArgProblem as exc:
                        raise ArgProblem(f"item {i + 1}: {exc.message}", exc.hint) from None
            return tuple(items)
        return _int(value, 0, "a whole number" + (", a list, same or valid" if self.modes else " or a list"))

    def describe(self) -> str:
        text = "integer ≥ 0; a list per spatial axis; [before, after] pairs per axis"
        return text + ("; same; valid" if self.modes else "")

    def schema(self) -> JSON:
        count: JSON = {"type": "integer", "minimum": 0, "maximum": MAX_SIZE}
        pair: JSON = {"type": "array", "items": count, "minItems": 2, "maxItems": 2}
        options: list[JSON] = [
            count,
            {"type": "array", "items": {"oneOf": [count, pair]}, "minItems": 1, "maxItems": 3},
        ]
        if self.modes:
            options.append({"enum": ["same", "valid"]})
        return {"oneOf": options}


@record
class ArgInfo:
    type: ArgType
    doc: str
    required: bool
    default_doc: str | None = None  # how a computed default is described, e.g. "= kernel"


def arg(type_: ArgType, doc: str, default: Any = MISSING, default_doc: str | None = None) -> Any:
    """Declare a layer argument as a dataclass field; without ``default`` it is required."""
    info = ArgInfo(type_, doc, default is MISSING, default_doc)
    if default is MISSING:
        return field(metadata={"arg": info})
    return field(default=default, metadata={"arg": info})


@record
class Dims(ArgType):
    """A tensor shape without the batch: a list of positive integers, channels first (``[64, 56, 56]``)."""

    def parse(self, value: object) -> tuple[int, ...]:
        if isinstance(value, int) and not isinstance(value, bool):
            return (_int(value, 1),)  # a vector's length
        if not isinstance(value, (list, tuple)):
            raise ArgProblem(f"expected a list of sizes, got {show(value)} ({kind_of(value)})", "e.g. [64, 56, 56]")
        return _int_list(value, 1)

    def describe(self) -> str:
        return "list of integers ≥ 1 (a shape, channels first, without the batch)"

    def schema(self) -> JSON:
        item: JSON = {"type": "integer", "minimum": 1, "maximum": MAX_SIZE}
        return {"oneOf": [item, {"type": "array", "items": item, "minItems": 1}]}
