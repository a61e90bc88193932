"""Invariants every report satisfies, on every preset and every example spec, and the JSON contract."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cnncalc
from cnncalc.render.text import render_markdown
from cnncalc.report import COUNT_FIELDS, DTYPES

from .conftest import ROOT

SPECS = sorted((ROOT / "specs").glob("*.yaml"))
ALL = [pytest.param(cnncalc.preset(n), id=n) for n in cnncalc.preset_names()] + [
    pytest.param(cnncalc.load(p), id=p.stem) for p in SPECS
]


def test_example_specs_cover_add_1d_and_3d() -> None:
    reports = [cnncalc.analyze(cnncalc.load(p)) for p in SPECS]
    assert any(row.type == "add" for r in reports for row in r.layers)
    assert any(len(r.input_shape) == 2 for r in reports)  # [C, L]
    assert any(len(r.input_shape) == 4 for r in reports)  # [C, D, H, W]


@pytest.mark.parametrize("spec", ALL)
def test_rows_sum_to_totals(spec: cnncalc.Spec) -> None:
    r = cnncalc.analyze(spec)
    t = r.totals
    for field in (
        "weights",
        "biases",
        "non_trainable_params",
        "macs",
        "activations",
        "param_bytes",
        "activation_bytes",
    ):
        assert sum(getattr(row, field) for row in r.layers) == getattr(t, field), field
    assert t.params == t.weights + t.biases == t.trainable_params
    assert t.total_params == t.params + t.non_trainable_params
    assert t.flops == 2 * t.macs


@pytest.mark.parametrize("spec", ALL)
def test_each_input_is_its_producers_output(spec: cnncalc.Spec) -> None:
    r = cnncalc.analyze(spec)
    produced = {"input": r.input_shape}
    for row in r.layers:
        assert len(row.inputs) == len(row.input_shapes)
        for producer, shape in zip(row.inputs, row.input_shapes, strict=True):
            assert produced[producer] == shape, row.name
        produced[row.name] = row.output_shape
    assert produced[r.outputs[0].layer] == r.output_shape


@pytest.mark.parametrize("spec", ALL)
def test_modules_sum_their_rows(spec: cnncalc.Spec) -> None:
    r = cnncalc.analyze(spec)
    for module in r.modules:
        inside = [row for row in r.layers if row.name.startswith(module.name + "/")]
        assert module.layers == len(inside)
        assert module.params == sum(row.params for row in inside)
        assert module.macs == sum(row.macs for row in inside)
        # an empty branch is the identity
        assert module.output_shape == (inside[-1].output_shape if inside else module.input_shape)


@pytest.mark.parametrize("spec", ALL)
@pytest.mark.parametrize("depth", [None, 0, 1, 2])
def test_folded_rows_still_sum_to_totals(spec: cnncalc.Spec, depth: int | None) -> None:
    r = cnncalc.analyze(spec)
    shown = [row.entry for row in r.rows(depth) if not row.header]
    assert sum(e.params for e in shown) == r.totals.params
    assert sum(e.macs for e in shown) == r.totals.macs
    if depth is not None:
        assert all(e.depth <= depth for e in shown)


def test_batch_scales_macs_and_activations_not_parameters() -> None:
    spec = cnncalc.preset("alexnet")
    one, eight = cnncalc.analyze(spec), cnncalc.analyze(spec, batch=8)
    assert eight.totals.params == one.totals.params
    assert eight.totals.macs == 8 * one.totals.macs
    assert eight.totals.activations == 8 * one.totals.activations
    assert eight.totals.activation_bytes == 8 * one.totals.activation_bytes


@pytest.mark.parametrize("dtype", list(DTYPES))
def test_dtype_sets_bytes_per_value(dtype: str) -> None:
    r = cnncalc.analyze(cnncalc.preset("seed-example"), dtype=dtype)
    size = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}[dtype]
    assert r.totals.param_bytes == (320 + 51_264) * size
    assert r.totals.activation_bytes == (32 * 28 * 28 + 64 * 28 * 28) * size


def test_input_override() -> None:
    r = cnncalc.analyze(cnncalc.preset("seed-example"), input_shape=(1, 56, 56))
    assert r.output_shape == (64, 56, 56)
    assert r.totals.macs == 32 * 3 * 3 * 56 * 56 + 64 * 5 * 5 * 32 * 56 * 56


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"input_shape": (1, 28)}, "has 2 dimensions but seed-example takes 3", id="rank"),
        pytest.param({"input_shape": (1, 0, 28)}, "every input dimension must be an integer from 1 to", id="zero"),
        pytest.param({"batch": 0}, "batch must be an integer from 1 to", id="batch"),
        pytest.param({"dtype": "float8"}, "unknown dtype 'float8'", id="dtype"),
    ],
)
def test_bad_analysis_options(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(cnncalc.UsageError, match=message):
        cnncalc.analyze(cnncalc.preset("seed-example"), **kwargs)  # type: ignore[arg-type]


LAYER_KEYS = {
    "name", "type", "depth", "output_shape", "params", "non_trainable_params", "weights", "biases", "macs",
    "flops", "activations", "param_bytes", "activation_bytes", "inputs", "details",
}  # fmt: skip
TOTAL_KEYS = {
    "params", "trainable_params", "non_trainable_params", "total_params", "weights", "biases", "macs", "flops",
    "activations", "param_bytes", "activation_bytes", "layers",
}  # fmt: skip


def test_json_contract() -> None:
    data = json.loads(json.dumps(cnncalc.analyze(cnncalc.preset("googlenet")).to_dict()))
    assert data["schema_version"] == 1
    assert {"name", "input_shape", "output_shape", "batch", "layers", "totals", "warnings"} <= set(data)
    assert data["input_shape"] == [3, 224, 224] and data["output_shape"] == [1000]
    for row in data["layers"]:
        assert set(row) >= LAYER_KEYS
        assert ("input_shapes" in row) == (row["type"] in ("concat", "add"))
        assert ("input_shape" in row) != ("input_shapes" in row)
    assert set(data["totals"]) >= TOTAL_KEYS
    assert data["totals"]["params"] == 6_998_552  # bvlc_googlenet, see test_presets
    assert all(isinstance(v, int) for k, v in data["totals"].items() if k != "peak_activation_layer")
    merge = next(row for row in data["layers"] if row["name"] == "inception_3a/concat")
    assert merge["input_shapes"] == [[64, 28, 28], [128, 28, 28], [32, 28, 28], [32, 28, 28]]


def test_warnings_in_json() -> None:
    data = cnncalc.analyze(cnncalc.preset("alexnet"), input_shape=(3, 224, 224)).to_dict()
    assert data["warnings"] == [
        {
            "layer": "conv1",
            "message": "no window reads the last row and the last column of its 224×224 input: "
            "224 + 0 − 11 = 213 is not a multiple of the stride 4",
            "kind": "geometry",
        }
    ]


def test_report_is_immutable_and_has_a_readable_repr() -> None:
    r = cnncalc.analyze(cnncalc.preset("seed-example"))
    with pytest.raises(AttributeError):
        r.totals.weights = 0  # type: ignore[misc]
    assert (
        repr(r) == "<Report 'seed-example': 1×28×28 → 64×28×28, 2 layers, params=51,584, MACs=40,366,592, warnings=0>"
    )
    # results import no renderer (issue 9): the Markdown table is the renderer's
    assert not hasattr(r, "_repr_markdown_")
    assert render_markdown(r).startswith("## seed-example")


HOSTILE = """
name: "quote \\" backslash \\\\ é ☃ ]}{["
description: "line one\\nline two: {\\"a\\": [1, 2]}"
input: [3, 8, 8]
layers:
  - conv: {name: "c\\"]}\\\\", filters: 4, kernel: 3}
  - parallel:
      merge: concat
      branches:
        - [maxpool: {kernel: 2, stride: 2}]
        - [conv: {filters: 2, kernel: 1, stride: 2}]
"""


FRACTIONAL = """
name: fractional
input: [4, 8, 8]
layers:
  - deconv: {filters: 4, kernel: 3, stride: 2}
  - upsample: {scale_factor: 3}
  - adaptive_avgpool: {output_size: 5}
"""


@pytest.mark.parametrize(
    "spec",
    [
        *(pytest.param(name, id=name) for name in cnncalc.preset_names()),
        pytest.param(HOSTILE, id="hostile-text"),
        pytest.param(FRACTIONAL, id="fractional-receptive-fields"),
    ],
)
def test_rendered_json_is_the_contract_exactly(spec: str) -> None:
    """The fast JSON layout (one row per line, C encoder) holds exactly ``to_dict()``: keys, values and
    order, whatever text the spec holds."""
    from cnncalc.render.text import render_json

    report = cnncalc.analyze(cnncalc.preset(spec) if "\n" not in spec else cnncalc.loads(spec, "spec.yaml"))
    text = render_json(report)
    assert json.loads(text) == report.to_dict()
    assert json.dumps(json.loads(text)) == json.dumps(report.to_dict())  # the same order, at every level
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}" and text.endswith("}\n")
    assert len([line for line in lines if line.startswith('    {"name": ')]) == len(report.layers) + len(
        report.modules
    ) + len(report.outputs)  # one line per row, module and output
    assert text == _layout(report.to_dict())  # byte for byte


def _layout(data: dict[str, object]) -> str:
    """The JSON layout written out with ``json.dumps`` alone, from ``to_dict()``: one key a line, one object a
    line in the lists, ``totals`` indented (the reference the row encoders of the renderer must match)."""
    parts = []
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            items = ",\n    ".join(json.dumps(item, ensure_ascii=False) for item in value)
            text = f"[\n    {items}\n  ]"
        elif isinstance(value, dict):
            text = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        else:
            text = json.dumps(value, ensure_ascii=False)
        parts.append(f"{json.dumps(key)}: {text}")
    return "{\n  " + ",\n  ".join(parts) + "\n}\n"


# what a row can hold that JSON escapes (issue 13): quotes, backslashes, control characters, line and paragraph
# separators, bidi overrides, a lone surrogate, characters outside the BMP; loaded specs refuse most of these
# in names, rows built through the Python API need not
_HOSTILE_TEXT = ['q"\\', "\x00\x1b[31m\x7f", "a\u2028b\u2029c", "\u202eevil\u202c", "\ud800", "é ☃ 𝔘 👩‍🔬", "</script>"]


@given(
    text=st.lists(st.one_of(st.sampled_from(_HOSTILE_TEXT), st.text(max_size=8)), min_size=4, max_size=4),
    figures=st.lists(st.integers(min_value=-(2**70), max_value=2**70), min_size=9, max_size=9),
    merge=st.booleans(),
)
def test_row_lines_are_json_dumps_of_to_dict(text: list[str], figures: list[int], merge: bool) -> None:
    """Each layer and module line the JSON renderer writes is ``json.dumps(row.to_dict())``, for any text
    and any integers in the row (the renderer writes them without building the dict)."""
    from cnncalc.render.text import _Lines

    report = cnncalc.analyze(cnncalc.loads(FRACTIONAL + _BRANCHES, "spec.yaml"))
    counts: dict[str, Any] = dict(zip(COUNT_FIELDS, figures, strict=False))
    rows = [
        replace(
            row,
            **counts,
            name=text[0],
            type=text[1],
            details=text[2],
            inputs=(text[3], text[0]) if merge else (text[3],),
            depth=figures[-1],
        )
        for row in report.layers
    ]
    modules = [
        replace(m, **counts, name=text[0], type=text[1], details=text[2], layers=figures[-1]) for m in report.modules
    ]
    lines = _Lines()
    for entry in rows:
        assert lines.layer(entry) == json.dumps(entry.to_dict(), ensure_ascii=False)
    for module in modules:
        assert lines.module(module) == json.dumps(module.to_dict(), ensure_ascii=False)


# after FRACTIONAL's layers: a parallel (a merge row and modules) and fields that are whole again
_BRANCHES = """  - parallel:
      merge: concat
      branches:
        - [relu]
        - [conv: {filters: 2, kernel: 3, padding: 1}]
  - flatten
  - fc: {units: 3}
"""
