"""Packaged presets are read from their pre-parsed data (presets/parsed.json, issue 14): the same spec, the same
figures and the same located diagnostics as reading their YAML, without PyYAML."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import cnncalc
from cnncalc import loader
from cnncalc.errors import CnncalcError
from cnncalc.loader import loads, preset_names, preset_text
from cnncalc.preset_data import parsed_presets

from .conftest import ROOT

PARSED = ROOT / "src" / "cnncalc" / "presets" / loader.PARSED


def test_the_parsed_data_is_generated_from_the_yaml() -> None:
    """Regenerate with: python -m cnncalc.preset_data > src/cnncalc/presets/parsed.json"""
    assert PARSED.read_text(encoding="utf-8") == parsed_presets()


@pytest.mark.parametrize("name", preset_names())
def test_a_preset_from_its_data_is_the_preset_from_its_yaml(name: str) -> None:
    text = preset_text(name)
    assert loader._parsed_preset(name, text) is not None  # read from the data, not the YAML
    from_data, from_yaml = cnncalc.preset(name), loads(text, f"preset:{name}")
    assert json.dumps(from_data.document) == json.dumps(from_yaml.document)  # types too: 1 is not 1.0 nor True
    assert cnncalc.analyze(from_data).to_dict() == cnncalc.analyze(from_yaml).to_dict()


@pytest.mark.parametrize(
    ("name", "shape"), [("alexnet", (3, 10, 10)), ("googlenet", (3, 20, 20)), ("unet", (1, 30, 30))]
)
def test_a_diagnostic_points_into_the_yaml_as_before(name: str, shape: tuple[int, ...]) -> None:
    """Positions are composed from the YAML text when a diagnostic asks: the same file, line and caret."""
    rendered = []
    for spec in (cnncalc.preset(name), loads(preset_text(name), f"preset:{name}")):
        with pytest.raises(CnncalcError) as caught:
            cnncalc.analyze(spec, input_shape=shape)
        rendered.append(caught.value.render())
    assert rendered[0] == rendered[1]
    assert f"preset:{name}:" in rendered[0]


def test_a_preset_whose_text_differs_from_the_data_s_is_read_from_its_yaml() -> None:
    text = preset_text("lenet5")
    assert loader._parsed_preset("lenet5", text + "\n# edited\n") is None
    assert loader._parsed_preset("no-such-preset", text) is None


def test_a_preset_run_and_the_core_import_no_yaml() -> None:
    code = (
        "import sys, cnncalc\n"
        "from cnncalc import analyze, preset\n"
        "analyze(preset('googlenet'))\n"
        "print('yaml' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert proc.stdout == "False\n"
