"""The renderer registry (issue 9): every command renders exactly the formats its help offers, through
one emit path, and with --format json an error is a JSON object on stdout whatever the command."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from cnncalc.render.registry import RENDERERS, formats

from .conftest import ROOT, Result

SPEC = str(ROOT / "specs" / "small-resnet.yaml")
ARGS: dict[str, list[str]] = {
    "summarize": [SPEC],
    "preset": ["seed-example"],
    "presets": [],
    "check": [SPEC],
    "diff": ["seed-example", SPEC],
    "explain": ["seed-example", "--layer", "conv1"],
    "layer": ["conv", "-i", "3x8x8", "--filters", "4", "--kernel", "3"],
    "memory": ["seed-example"],
    "sweep": ["seed-example", "--width", "0.5,1"],
    "report": ["seed-example"],
}
CASES = [(command, fmt) for command in RENDERERS for fmt in formats(command)]


def offered(cli: Callable[..., Result], command: str) -> list[str]:
    """The --format choices the command's help shows."""
    text = cli(command, "--help").stdout
    found = re.search(r"-f, --format <([a-z|]+)>", text)
    assert found is not None, text
    return found.group(1).split("|")


def test_every_command_with_a_format_is_registered() -> None:
    assert set(RENDERERS) == set(ARGS)


@pytest.mark.parametrize("command", list(RENDERERS))
def test_help_offers_exactly_the_registered_formats(cli: Callable[..., Result], command: str) -> None:
    if command == "layer":  # its help is the kind's; the format line names the choices
        text = cli("layer", "--help").stdout + cli("layer", "conv", "--help").stdout
        assert "--format/-f " + "|".join(formats("layer")) in text
        return
    assert offered(cli, command) == formats(command)


@pytest.mark.parametrize("renderer", [r for command in RENDERERS for r in RENDERERS[command].values()])
def test_every_registered_renderer_exists(renderer: object) -> None:
    assert callable(renderer.load())  # type: ignore[attr-defined]


@pytest.mark.parametrize(("command", "fmt"), CASES, ids=[f"{c}-{f}" for c, f in CASES])
def test_every_command_renders_every_offered_format(cli: Callable[..., Result], command: str, fmt: str) -> None:
    result = cli(command, *ARGS[command], "--format", fmt)
    assert result.exit_code == 0, result
    assert result.stdout.strip()
    if fmt == "json":
        json.loads(result.stdout)
    assert "Traceback" not in result.stderr


ERRORS = {
    "summarize": ["no-such.yaml"],
    "preset": ["no-such-preset"],
    "check": ["--max-params", "lots", SPEC],
    "diff": ["seed-example", "no-such.yaml"],
    "explain": ["seed-example", "--layer", "no_such_layer"],
    "layer": ["conv", "-i", "3x8x8", "--filters", "4"],
    "memory": ["no-such.yaml"],
    "sweep": ["seed-example", "--width", "zero"],
}


@pytest.mark.parametrize("command", list(ERRORS))
def test_a_json_error_object_for_every_command(cli: Callable[..., Result], command: str) -> None:
    result = cli(command, *ERRORS[command], "--format", "json")
    assert result.exit_code == 2, result
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and data["exit_code"] == 2 and data["error"]
    assert result.stderr.strip()
