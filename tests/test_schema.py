"""The JSON Schema of the spec language: valid draft 2020-12, accepts every real spec, rejects bad ones,
and covers every definition the parser has (kinds, aliases, arguments, structural keys, checks)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import cnncalc
from cnncalc.checks import CHECK_KEYS, LAYERS, SETTINGS
from cnncalc.layers import ALIASES, REGISTRY
from cnncalc.loader import parse_yaml
from cnncalc.schema import spec_schema
from cnncalc.spec import BLOCK_KEYS, PARALLEL_KEYS, REPEAT_KEYS, TOP_LEVEL

from .conftest import ROOT, Result

SCHEMA = spec_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
SPECS = sorted((ROOT / "specs").glob("*.yaml"))


def data(text: str) -> Any:
    """The document as cnncalc reads it (YAML 1.2 numbers such as 1e-4 included)."""
    return parse_yaml(text, "t.yaml")[0]


def test_the_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("name", cnncalc.preset_names())
def test_every_preset_is_valid(name: str) -> None:
    assert list(VALIDATOR.iter_errors(data(cnncalc.preset_text(name)))) == []


@pytest.mark.parametrize("path", SPECS, ids=[p.name for p in SPECS])
def test_every_example_spec_is_valid(path: Path) -> None:
    assert list(VALIDATOR.iter_errors(data(path.read_text()))) == []


GOOD = "name: t\ninput: [3, 32, 32]\n"

INVALID = [
    # (YAML text, the data path of the value the schema rejects)
    pytest.param("name: t\ninput: [3, 32, 32]\n", (), id="no-layers"),
    pytest.param(GOOD + "layers: [relu]\nlayer: [relu]\n", (), id="unknown-top-level-key"),
    pytest.param("name: 3\ninput: [3, 32, 32]\nlayers: [relu]\n", ("name",), id="name-not-text"),
    pytest.param("name: t\ninput: [1, 3, 8, 32, 32]\nlayers: [relu]\n", ("input",), id="input-rank-5"),
    pytest.param("name: t\ninput: [3, 0]\nlayers: [relu]\n", ("input", 1), id="input-zero"),
    pytest.param(GOOD + "layers: []\n", ("layers",), id="empty-layers"),
    pytest.param(GOOD + "layers:\n  - conv: {filters: 8, kernal: 3}\n", ("layers", 0), id="misspelt-argument"),
    pytest.param(GOOD + "layers:\n  - conv: {kernel: 3}\n", ("layers", 0), id="missing-filters"),
    pytest.param(GOOD + "layers:\n  - conv: {filters: 8, kernel: 3, stride: 0}\n", ("layers", 0), id="stride-0"),
    pytest.param(GOOD + "layers:\n  - conv: {filters: 8, kernel: 3, padding: sideways}\n", ("layers", 0), id="pad"),
    pytest.param(GOOD + "layers:\n  - conv: {filters: 8.5, kernel: 3}\n", ("layers", 0), id="float-filters"),
    pytest.param(GOOD + "layers:\n  - dropout: {rate: 1.0}\n", ("layers", 0), id="dropout-rate-1"),
    pytest.param(GOOD + "layers:\n  - conv\n", ("layers", 0), id="bare-conv-needs-arguments"),
    pytest.param(GOOD + "layers:\n  - parallel: {merge: concat, branches: [[relu]]}\n", ("layers", 0), id="one-branch"),
    pytest.param(GOOD + "layers:\n  - parallel: {merge: avg, branches: [[], []]}\n", ("layers", 0), id="merge"),
    pytest.param(GOOD + "layers:\n  - repeat: {layers: [relu]}\n", ("layers", 0), id="repeat-without-times"),
    pytest.param(GOOD + "blocks:\n  b: {params: [w]}\nlayers: [relu]\n", ("blocks", "b"), id="block-no-layers"),
    pytest.param(GOOD + "checks: {max_params: 7MB}\nlayers: [relu]\n", ("checks", "max_params"), id="bytes-unit"),
    pytest.param(GOOD + "checks: {max_parms: 7M}\nlayers: [relu]\n", ("checks",), id="unknown-check"),
    pytest.param(GOOD + "checks: {output_shape: 10}\nlayers: [relu]\n", ("checks", "output_shape"), id="shape"),
    pytest.param(
        GOOD + "checks: {layers: {relu1: {parms: 0}}}\nlayers: [relu]\n", ("checks", "layers", "relu1"), id="layer"
    ),
]


@pytest.mark.parametrize(("text", "at"), INVALID)
def test_invalid_specs_fail_the_schema_and_the_parser(text: str, at: tuple[object, ...]) -> None:
    errors = list(VALIDATOR.iter_errors(data(text)))
    assert errors
    assert any(tuple(e.absolute_path) == at for e in errors), [(list(e.absolute_path), e.message) for e in errors]
    with pytest.raises(cnncalc.SpecError):
        cnncalc.analyze(cnncalc.loads(text))


def test_block_parameters_may_stand_for_values_and_list_items() -> None:
    text = GOOD + (
        "blocks:\n  b:\n    params: {w: 8, k: ~}\n    layers:\n"
        "      - conv: {name: $w, filters: $w, kernel: [$k, 1], padding: [[0, $k], 0]}\n"
        "      - repeat: {times: $k, layers: [relu]}\n"
        "layers:\n  - b: {k: 3}\n  - b\n"
    )
    assert list(VALIDATOR.iter_errors(data(text))) == []


def test_every_kind_alias_and_argument_is_described() -> None:
    defs = SCHEMA["$defs"]
    items = defs["item"]["anyOf"][2]["properties"]
    assert set(items) == {*ALIASES, "parallel", "repeat"}
    for kind, cls in REGISTRY.items():
        properties = defs[f"kind.{kind}"]["properties"]
        assert set(properties) == {"name", *(name for name, _, _ in cls.arg_infos())}
        assert all(p.get("description") for name, p in properties.items())


def test_every_structural_key_of_the_parser_is_in_the_schema() -> None:
    defs = SCHEMA["$defs"]
    assert set(SCHEMA["properties"]) == set(TOP_LEVEL)
    assert set(defs["parallel"]["properties"]) == set(PARALLEL_KEYS)
    assert set(defs["repeat"]["properties"]) == set(REPEAT_KEYS)
    assert set(defs["block"]["properties"]) == set(BLOCK_KEYS)
    assert set(defs["checks"]["properties"]) == {*CHECK_KEYS, *SETTINGS, LAYERS}


def test_the_schema_command_prints_it(cli: Callable[..., Result]) -> None:
    result = cli("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == SCHEMA


def test_a_spec_file_without_a_name_is_valid() -> None:
    # issue 9: the name defaults to the file's stem, so the schema (for files) does not require it
    assert "name" not in SCHEMA["required"]
    assert "file's name without its extension" in SCHEMA["properties"]["name"]["description"]
    assert list(VALIDATOR.iter_errors(data("input: [3, 8, 8]\nlayers: [relu]\n"))) == []
