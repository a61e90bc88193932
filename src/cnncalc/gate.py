"""Evaluate a spec's checks (and the command line's) against its analysis: the core of ``cnncalc check``.

:func:`check` analyses a spec with the checks' batch and dtype, then judges every expectation — budgets
(``actual ≤ budget``), exact figures, output shapes, per layer or for the whole network — and, in strict
mode, turns each geometry warning into a failure. Every result carries the spec position to blame: the
``checks:`` entry it came from, or for the command line's checks and strict failures the layer's own line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum

from .analysis import analyze
from .args import suggest
from .checks import CHECK_KEYS, Checks, Expectation
from .errors import CnncalcError, DataPath, ExitCode, Location
from .layers.base import fmt_shape
from .record import record
from .report import LayerResult, ModuleResult, Report, ReportWarning
from .spec import GroupNode, Node, ParallelNode, Spec


class Outcome(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"  # could not be checked (e.g. no layer of that name)


@record
class CheckResult:
    check: str  # a checks key ("max_params", "output_shape") or "strict"
    layer: str | None  # the layer as named in the expectation (or the warned layer's path); None: the network
    outcome: Outcome
    message: str
    expected: int | tuple[int, ...] | None = None
    actual: int | tuple[int, ...] | None = None
    written: str | None = None  # the expected value as written ("7M")
    hint: str | None = None
    location: Location | None = None
    from_command_line: bool = False

    def to_dict(self) -> dict[str, object]:
        loc = self.location

        def plain(value: int | tuple[int, ...] | None) -> object:
            return list(value) if isinstance(value, tuple) else value

        return {
            "check": self.check,
            "layer": self.layer,
            "status": self.outcome.value,
            "expected": plain(self.expected),
            "written": self.written,
            "actual": plain(self.actual),
            "message": self.message,
            "hint": self.hint,
            "source": "command line" if self.from_command_line else "spec",
            "line": loc.line if loc is not None else None,
            "column": loc.column if loc is not None else None,
        }


@record
class LocatedWarning:
    warning: ReportWarning
    location: Location | None


@record
class Verdict:
    """Every check of one spec, with the report they were judged on."""

    report: Report
    results: tuple[CheckResult, ...]
    warnings: tuple[LocatedWarning, ...]  # those that strict mode did not turn into failures
    strict: bool

    @property
    def outcome(self) -> Outcome:
        outcomes = {r.outcome for r in self.results}
        for worst in (Outcome.ERROR, Outcome.FAILED):
            if worst in outcomes:
                return worst
        return Outcome.PASSED

    @property
    def problems(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.outcome is not Outcome.PASSED)


def exit_status(outcomes: Iterable[Outcome]) -> ExitCode:
    """0 when everything holds, 1 when a check failed, 2 when something could not be checked (2 wins)."""
    found = set(outcomes)
    if Outcome.ERROR in found:
        return ExitCode.INVALID
    return ExitCode.FAILED if Outcome.FAILED in found else ExitCode.OK


def check(spec: Spec, flags: Checks | None = None) -> Verdict:
    """Analyse ``spec`` and judge its ``checks:`` section with ``flags`` (the command line's) winning.

    Raises :class:`~cnncalc.errors.SpecError` when the spec cannot be analysed.
    """
    checks = spec.checks.override(flags) if flags is not None else spec.checks
    report = analyze(spec, batch=checks.batch or 1, dtype=checks.dtype or "float32")
    origins = _origins(spec.layers)
    names = _Names(report)
    results = [_judge(spec, report, e, origins, names) for e in checks.expectations]
    strict = bool(checks.strict)
    strict_flag = flags is not None and flags.strict is not None
    warnings: list[LocatedWarning] = []
    for w in report.warnings:
        origin = origins.get(w.layer) if w.layer is not None else None
        location = spec.locate(origin) if origin is not None else None
        if strict and w.kind == "geometry":
            results.append(
                CheckResult(
                    "strict",
                    w.layer,
                    Outcome.FAILED,
                    f"strict: {w.layer}: {w.message}",
                    hint="change the kernel, stride or padding so every input position is read, or drop strict mode",
                    location=location,
                    from_command_line=strict_flag,
                )
            )
        else:
            warnings.append(LocatedWarning(w, location))
    if strict and not any(r.check == "strict" for r in results):
        message = "strict: every window reads all of its input"
        results.append(CheckResult("strict", None, Outcome.PASSED, message, from_command_line=strict_flag))
    return Verdict(report, tuple(results), tuple(warnings), strict)


def _origins(nodes: Sequence[Node]) -> dict[str, DataPath]:
    """Full path → where the layer, merge, instance, branch or repeat is written in the spec."""
    found: dict[str, DataPath] = {}
    stack = list(nodes)
    while stack:
        node = stack.pop()
        found[node.path] = node.origin
        if isinstance(node, GroupNode):
            stack.extend(node.children)
        elif isinstance(node, ParallelNode):
            found[node.merge_path] = node.merge_origin
            stack.extend(node.branches)
    return found


MAX_SUGGESTIONS = 20  # unresolved names that get a "did you mean": each compares against every row


class _Names:
    """The rows of a report by full path and by own (last) name, indexed once: each expectation is then
    resolved in constant time, so ``checks.layers`` with N entries costs O(N), not O(N · rows)."""

    def __init__(self, report: Report) -> None:
        self.by_path: dict[str, LayerResult | ModuleResult] = {}
        self.by_own_name: dict[str, list[LayerResult | ModuleResult]] = {}
        for entry in report.order:
            self.by_path.setdefault(entry.name, entry)
            self.by_own_name.setdefault(entry.name.rsplit("/", 1)[-1], []).append(entry)
        self.suggested = 0

    def resolve(self, name: str) -> LayerResult | ModuleResult | list[str]:
        """A row by full path, else by its own (last) name when that is unique; else the candidates."""
        found = self.by_path.get(name)
        if found is not None:
            return found
        matches = self.by_own_name.get(name, [])
        if len(matches) == 1:
            return matches[0]
        return [e.name for e in matches]

    def suggest(self, name: str) -> str | None:
        self.suggested += 1
        if self.suggested > MAX_SUGGESTIONS:
            return None
        return suggest(name, [*self.by_path, *sorted(self.by_own_name)])


def _judge(spec: Spec, report: Report, e: Expectation, origins: dict[str, DataPath], names: _Names) -> CheckResult:
    key = CHECK_KEYS[e.key]
    entry: LayerResult | ModuleResult | None = None
    if e.layer is not None:
        found = names.resolve(e.layer)
        if isinstance(found, list):
            return _unresolved(spec, e, found, names)
        entry = found
    # blame the checks entry, or for the command line's checks the layer's own definition
    origin = e.origin if e.origin is not None else origins.get(entry.name) if entry is not None else None
    location = spec.locate(origin) if origin is not None else None
    subject = f"{entry.name}: " if entry is not None else ""
    actual: int | tuple[int, ...]
    if key.figure is None:
        actual = entry.output_shape if entry is not None else report.output_shape
        assert isinstance(e.value, tuple)
        ok = actual == e.value
        message = f"{subject}output shape {fmt_shape(actual)}"
        if not ok:
            message += f", expected {fmt_shape(e.value)}"
    else:
        actual = key.figure.of(entry if entry is not None else report.totals)
        limit = e.value
        assert isinstance(limit, int)
        shown = e.written if e.written == f"{limit:,}" else f"{e.written} ({limit:,})"
        ok = actual <= limit if key.budget else actual == limit
        message = f"{subject}{key.figure.name} {actual:,}"
        if key.budget:
            message += f" within {e.key} {shown}" if ok else f" exceed {e.key} {shown} by {_excess(actual, limit)}"
        elif not ok:
            message += f", expected {shown} ({actual - limit:+,})"
    hint = None
    if not ok:
        hint = "update the expectation if the change is intended"
        if key.budget:
            hint = f"make the network smaller, or raise {e.key} if the growth is intended"
    outcome = Outcome.PASSED if ok else Outcome.FAILED
    return CheckResult(e.key, e.layer, outcome, message, e.value, actual, e.written, hint, location, e.origin is None)


def _excess(actual: int, limit: int) -> str:
    """``22,474 (+8.99%)`` — how far over the budget, absolutely and relative to it."""
    return f"{actual - limit:,}" + (f" (+{(actual - limit) / limit:,.2%})" if limit else "")


def _unresolved(spec: Spec, e: Expectation, candidates: list[str], names: _Names) -> CheckResult:
    assert e.layer is not None
    # the layer's name is the key above the expectation (checks.layers.NAME.KEY): caret the name
    location = spec.locate(e.origin[:-1], key=True) if e.origin is not None else None
    if candidates:
        listing = ", ".join(candidates[:5]) + (", …" if len(candidates) > 5 else "")
        message = f"'{e.layer}' names {len(candidates)} layers ({listing})"
        hint = "write the full path of the one you mean"
    else:
        message = f"no layer or block named '{e.layer}'"
        hint = names.suggest(e.layer) or (
            "`cnncalc summarize` lists the layers; paths join names with /, e.g. inception_3a/b2/3x3"
        )
    return CheckResult(
        e.key,
        e.layer,
        Outcome.ERROR,
        message,
        written=e.written,
        hint=hint,
        location=location,
        from_command_line=e.origin is None,
    )


@record
class FileCheck:
    """One checked file: its verdict, or the error that kept it from being checked."""

    file: str
    verdict: Verdict | None
    error: CnncalcError | None = None

    @property
    def outcome(self) -> Outcome:
        return self.verdict.outcome if self.verdict is not None else Outcome.ERROR


@record
class Tally:
    passed: int
    failed: int  # including the invalid ones
    invalid: int  # could not be checked
    exit_status: ExitCode

    @classmethod
    def of(cls, files: Sequence[FileCheck]) -> Tally:
        outcomes = [f.outcome for f in files]
        return cls(
            outcomes.count(Outcome.PASSED),
            len(outcomes) - outcomes.count(Outcome.PASSED),
            outcomes.count(Outcome.ERROR),
            exit_status(outcomes),
        )

    def __str__(self) -> str:
        text = f"{self.passed} passed, {self.failed} failed"
        return text + (f" ({self.invalid} invalid)" if self.invalid else "")
