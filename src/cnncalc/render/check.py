"""``cnncalc check`` results → text, a rich renderable, JSON, or GitHub Actions workflow commands.

One line per file (status, where, the first reason), then the tally; ``verbose`` adds every check, the
warnings and the full diagnostics beneath each file. Rich is imported only by :func:`render_table`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..errors import SpecError, visible
from ..gate import CheckResult, FileCheck, LocatedWarning, Outcome, Tally
from ..record import record
from ..report import SCHEMA_VERSION

STATUS = {Outcome.PASSED: "PASS", Outcome.FAILED: "FAIL", Outcome.ERROR: "ERROR"}
MARK = {Outcome.PASSED: "✓", Outcome.FAILED: "✗", Outcome.ERROR: "?"}
STYLE = {Outcome.PASSED: "green", Outcome.FAILED: "red", Outcome.ERROR: "bold red"}


@record
class Line:
    outcome: Outcome
    where: str
    reason: str
    details: tuple[str, ...]


def _at(file: str, result: CheckResult) -> str:
    return f"{file}:{result.location.line}" if result.location is not None else file


def line(checked: FileCheck, verbose: bool = False) -> Line:
    """The file's line: status, where to look, the first reason (``+N more`` when there are others)."""
    error, verdict = checked.error, checked.verdict
    if error is not None:
        where, reason, more = checked.file, str(error), 0
        if isinstance(error, SpecError):
            first = error.diagnostics[0]
            where = str(first.location) if first.location is not None else checked.file
            reason = f"{first.layer}: {first.message}" if first.layer else first.message
            more = len(error.diagnostics) - 1
        details = tuple("    " + text for text in error.render().splitlines()) if verbose else ()
        # a model file's text in the message: its control characters as escapes, not to the terminal
        return Line(Outcome.ERROR, visible(where), visible(reason) + (f" (+{more} more)" if more else ""), details)
    assert verdict is not None
    outcome = verdict.outcome
    details = _details(verdict.results, verdict.warnings) if verbose else ()
    unknown = verdict.report.totals.unknown_cost_note
    if outcome is Outcome.PASSED:
        count = len(verdict.results)
        reason = f"{verdict.report.name}: " + (f"{count} check{'s' * (count != 1)} passed" if count else "valid")
        if verdict.warnings:
            reason += f", {len(verdict.warnings)} warning{'s' * (len(verdict.warnings) != 1)}"
        return Line(outcome, checked.file, reason + (f"; {unknown}" if unknown else ""), details)
    worst = [r for r in verdict.results if r.outcome is outcome]
    others = len(verdict.problems) - 1
    reason = worst[0].message + (f" (+{others} more)" if others else "") + (f"; {unknown}" if unknown else "")
    return Line(outcome, _at(checked.file, worst[0]), reason, details)


def _details(results: Sequence[CheckResult], warnings: Sequence[LocatedWarning]) -> tuple[str, ...]:
    out: list[str] = []
    for r in results:
        origin = " (command line)" if r.from_command_line else ""
        out.append(f"    {MARK[r.outcome]} {r.message}{origin}")
        if r.hint and r.outcome is not Outcome.PASSED:
            out.append(f"        hint: {r.hint}")
    for w in warnings:
        prefix = f"{w.warning.layer}: " if w.warning.layer else ""
        out.append(f"    ! warning: {prefix}{w.warning.message}")
    return tuple(out)


def check_text(files: Sequence[FileCheck], verbose: bool = False) -> str:
    lines = [line(f, verbose) for f in files]
    width = max((len(x.where) for x in lines), default=0)
    out: list[str] = []
    for x in lines:
        out.append(f"{STATUS[x.outcome]:<5}  {x.where:<{width}}  {x.reason}")
        out.extend(x.details)
    out.append(str(Tally.of(files)))
    return "\n".join(out) + "\n"


def plain_text(files: Sequence[FileCheck], verbose: bool = False) -> str | None:
    """:func:`render_table` as rich prints it without style: :func:`check_text`, unless a line is wider than rich
    widens its console to or holds a character that is not one cell wide (None: rich prints it)."""
    from .plain_table import WIDEST, narrow

    text = check_text(files, verbose)
    return text if all(len(line) <= WIDEST and narrow(line) for line in text.splitlines()) else None


def render_table(files: Sequence[FileCheck], verbose: bool = False) -> Any:
    """The default report: the same lines with coloured statuses."""
    from rich.console import Group
    from rich.text import Text

    lines = [line(f, verbose) for f in files]
    width = max((len(x.where) for x in lines), default=0)
    parts: list[Text] = []
    for x in lines:
        text = Text(f"{STATUS[x.outcome]:<5}", style=STYLE[x.outcome])
        text.append(f"  {x.where:<{width}}  ", style="bold")
        text.append(x.reason)
        parts.append(text)
        parts.extend(Text(d, style="dim" if "hint:" in d else "") for d in x.details)
    tally = Tally.of(files)
    parts.append(Text(str(tally), style="bold " + ("green" if tally.exit_status == 0 else "red")))
    return Group(*parts)


# ------------------------------------------------------------------------------------------ JSON


def render_json(files: Sequence[FileCheck], verbose: bool = False) -> str:
    tally = Tally.of(files)
    data = {
        "schema_version": SCHEMA_VERSION,
        "files": [_file_dict(f) for f in files],
        "summary": {
            "files": len(files),
            "passed": tally.passed,
            "failed": tally.failed,
            "invalid": tally.invalid,
            "exit_status": tally.exit_status,
        },
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _file_dict(checked: FileCheck) -> dict[str, Any]:
    verdict = checked.verdict
    return {
        "file": checked.file,
        "name": verdict.report.name if verdict is not None else None,
        "status": checked.outcome.value,
        "reason": line(checked).reason,
        "strict": verdict.strict if verdict is not None else None,
        "checks": [r.to_dict() for r in verdict.results] if verdict is not None else [],
        "warnings": [
            {**w.warning.to_dict(), "line": w.location.line if w.location is not None else None}
            for w in (verdict.warnings if verdict is not None else ())
        ],
        "error": checked.error.to_dict() if checked.error is not None else None,
        "totals": verdict.report.totals.to_dict() if verdict is not None else None,
    }


# ------------------------------------------------------------------------------- GitHub Actions


def _data(text: str) -> str:
    """Escape a workflow command's message (GitHub's toolkit: %, CR and LF); other control characters (a
    model file's text in a message) are shown as escapes, never written to the log."""
    return visible(text, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    """Escape a workflow command's property value: also ``:`` and ``,``, which separate properties."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, file: str | None, line: int | None, column: int | None, title: str, message: str) -> str:
    props = []
    if file is not None and not file.startswith("<"):  # <stdin> is no file of the repository
        props.append(f"file={_prop(file)}")
        if line is not None:
            props.append(f"line={line}")
            if column is not None:
                props.append(f"col={column}")
    props.append(f"title={_prop(title)}")
    return f"::{level} {','.join(props)}::{_data(message)}"


def render_github(files: Sequence[FileCheck], verbose: bool = False) -> str:
    """``::error``/``::warning`` commands at the spec's offending lines, then the plain report."""
    out: list[str] = []
    for checked in files:
        error, verdict = checked.error, checked.verdict
        if isinstance(error, SpecError):
            for d in error.diagnostics:
                loc = d.location
                text = (f"{d.layer}: " if d.layer else "") + d.message
                text += "".join(f"\nnote: {note}" for note in d.all_notes()) + (f"\nhint: {d.hint}" if d.hint else "")
                out.append(
                    _command(
                        "error",
                        loc.file if loc is not None else d.file or checked.file,
                        loc.line if loc is not None else None,
                        loc.column if loc is not None else None,
                        "cnncalc: invalid spec",
                        text,
                    )
                )
        elif error is not None:
            out.append(_command("error", checked.file, None, None, "cnncalc: cannot check", error.render()))
        if verdict is None:
            continue
        for r in verdict.problems:
            loc = r.location
            text = r.message + (f"\nhint: {r.hint}" if r.hint else "")
            title = "cnncalc check: " + ("strict (unread input)" if r.check == "strict" else r.check)
            line_no, column = (loc.line, loc.column) if loc is not None else (None, None)
            out.append(_command("error", checked.file, line_no, column, title, text))
        for w in verdict.warnings:
            loc = w.location
            text = (f"{w.warning.layer}: " if w.warning.layer else "") + w.warning.message
            line_no, column = (loc.line, loc.column) if loc is not None else (None, None)
            out.append(_command("warning", checked.file, line_no, column, f"cnncalc: {w.warning.kind} warning", text))
    return "\n".join(out) + ("\n" if out else "") + check_text(files)
