"""Text a format gives meaning to is escaped in that format (issue 13): a layer name can hold any printable
character, and must not end a Markdown cell, a Mermaid or DOT label, a CSV field or a GitHub workflow
command early. (Control characters and line breaks never get this far: the loader refuses them.)"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from .conftest import Result

Cli = Callable[..., Result]
NAME = 'a|b"#<i>\\,:%'  # every character with a meaning in one of the formats below
SPEC = f"name: t\ninput: [3, 8, 8]\nlayers:\n  - conv: {{filters: 4, kernel: 3, name: '{NAME}'}}\n  - relu\n"


def run(cli: Cli, path: Path, fmt: str) -> str:
    result = cli("summarize", str(path), "-f", fmt)
    assert result.exit_code == 0, result
    return result.stdout


def test_markdown_cell(cli: Cli, spec_file: Callable[..., Path]) -> None:
    out = run(cli, spec_file(SPEC), "markdown")
    header = next(line for line in out.splitlines() if line.startswith("| "))
    row = next(line for line in out.splitlines() if "a\\|b" in line)
    cells = len(re.split(r"(?<!\\)\|", header))
    assert len(re.split(r"(?<!\\)\|", row)) == cells  # the name's | does not add a cell
    assert 'a\\|b"#&lt;i>\\\\,:%' in row


def test_mermaid_label(cli: Cli, spec_file: Callable[..., Path]) -> None:
    out = run(cli, spec_file(SPEC), "mermaid")
    assert "a|b#quot;#35;#lt;i#gt;\\,:%" in out
    assert all(line.count('"') % 2 == 0 for line in out.splitlines())


def test_dot_label(cli: Cli, spec_file: Callable[..., Path]) -> None:
    out = run(cli, spec_file(SPEC), "dot")
    assert 'a|b\\"#<i>\\\\,:%' in out


def test_csv_field(cli: Cli, spec_file: Callable[..., Path]) -> None:
    rows = list(csv.reader(io.StringIO(run(cli, spec_file(SPEC), "csv"))))
    assert {len(r) for r in rows} == {len(rows[0])}
    assert any(NAME in r for r in rows)


def test_github_command_properties_and_data(cli: Cli, spec_file: Callable[..., Path]) -> None:
    path = spec_file(SPEC + "checks:\n  output_shape: [1, 1, 1]\n", name="n,e:t%.yaml")
    result = cli("check", str(path), "-f", "github")
    assert result.exit_code == 1, result
    command = next(line for line in result.stdout.splitlines() if line.startswith("::error "))
    assert "file=" in command and "n%2Ce%3At%25.yaml" in command
    assert command.count("::") == 2  # the file name opened no second command
