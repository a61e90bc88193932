"""``cnncalc explain`` and ``cnncalc layer``: derivations with the layer's own numbers.

Every expression a derivation shows is evaluated here and must give the value shown next to it, which is
the report's: the derivation text cannot drift from the computation.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cnncalc
from cnncalc.derivation import Line
from cnncalc.explain import explain
from cnncalc.layers import REGISTRY

from .conftest import Result
from .test_layers import CASES

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def evaluate(expression: str) -> float:
    """An expression as derivations write it (``·``, ``−``, ``floor``, thousands commas) → its value."""
    python = _THOUSANDS.sub("", expression).replace("·", "*").replace("−", "-")
    return float(eval(python, {"__builtins__": {}}, {"floor": math.floor, "ceil": math.ceil, "max": max}))


def check_lines(lines: tuple[Line, ...]) -> None:
    for line in lines:
        if "∪" in line.expression:  # an interval union is shown, not computed
            continue
        assert evaluate(line.expression) == pytest.approx(float(line.value)), line


def text(report: cnncalc.Report, layer: str) -> str:
    from cnncalc.render.explain import render_text

    return render_text(report, explain(report, layer))


# ------------------------------------------------------------------------------- derivations, by hand


def test_alexnet_conv1_derivation() -> None:
    out = text(cnncalc.analyze(cnncalc.preset("alexnet")), "conv1")
    # the example, number for number
    for expected in (
        "out = floor((227 − 11 + 2·0) / 4) + 1 = 55",
        "weights = 11·11·3·96 = 34,848",
        "biases = 96",
        "MACs = 34,848 · 55·55 = 105,415,200",
        "Each of the 96 filters is 11×11×3: it spans all 3 input channels and yields one output map",
        "receptive field = 1 + (11 − 1)·1 = 11",
    ):
        assert expected in out, expected


@pytest.mark.parametrize(
    ("preset", "layer", "expected"),
    [
        # Caffe's conv2 has 2 groups: 96 channels split into 48 each, 256 filters split into 128 each
        pytest.param("alexnet", "conv2", ["2 groups: 48 → 128 each", "weights = 5·5·48·256 = 307,200"], id="grouped"),
        pytest.param(
            "alexnet", "pool1", ["Per channel, no parameters", "out = floor((55 − 3 + 2·0) / 2) + 1 = 27"], id="pool"
        ),
        # pool5 is 256×6×6: 9,216 inputs to each of 4,096 outputs
        pytest.param(
            "alexnet",
            "fc6",
            ["in = 256·6·6 = 9,216", "weights = 9,216·4,096 = 37,748,736", "MACs = 9,216·4,096 = 37,748,736"],
            id="fc-flatten",
        ),
        pytest.param("alexnet", "conv5", ["receptive field = 131 + (3 − 1)·16 = 163"], id="rf-conv5"),
        pytest.param("alexnet", "pool5", ["receptive field = 163 + (3 − 1)·16 = 195", "jump = 16·2 = 32"], id="rf"),
        # GoogLeNet's inception (3a): 64 + 128 + 32 + 32 = 256 channels (the paper's Table 1)
        pytest.param("googlenet", "inception_3a/concat", ["channels = 64 + 128 + 32 + 32 = 256"], id="concat"),
        pytest.param(
            "googlenet",
            "inception_3a/b2/3x3_reduce",
            ["A 1×1 conv mixes channels: each output value is a weighted sum of the 192 input channels"],
            id="1x1",
        ),
        pytest.param("googlenet", "pool1", ["out = ceil((112 − 3 + 2·0) / 2) + 1 = 56"], id="ceil-mode"),
    ],
)
def test_derivations(preset: str, layer: str, expected: list[str]) -> None:
    out = text(cnncalc.analyze(cnncalc.preset(preset)), layer)
    for part in expected:
        assert part in out, part


def test_warnings_are_explained_where_they_arise() -> None:
    out = text(cnncalc.analyze(cnncalc.preset("alexnet"), input_shape=(3, 224, 224)), "conv1")
    # (224 − 11) / 4 = 53.25: 54 windows, the last ending at 53·4 + 10 = 222, so row 223 is never read
    assert "out = floor((224 − 11 + 2·0) / 4) + 1 = 54" in out
    assert "Warning: no window reads the last row and the last column" in out


def test_batch_multiplies_macs() -> None:
    out = text(cnncalc.analyze(cnncalc.preset("alexnet"), batch=8), "conv1")
    assert "MACs (batch) = 105,415,200 · 8 = 843,321,600" in out


def test_depthwise_and_transposed_and_dilated() -> None:
    spec = {
        "name": "t",
        "input": [32, 16, 16],
        "layers": [
            {"conv": {"filters": 64, "kernel": 3, "groups": 32, "padding": 1}},
            {"conv": {"filters": 8, "kernel": 3, "dilation": 2, "padding": "same", "bias": False}},
            {"deconv": {"filters": 4, "kernel": 4, "stride": 2, "padding": 1}},
        ],
    }
    r = cnncalc.analyze(cnncalc.from_dict(spec))
    depthwise = text(r, "conv1")
    assert "Depthwise (groups = input channels = 32)" in depthwise and "2 filters per channel" in depthwise
    dilated = text(r, "conv2")
    assert "k_eff = 2·(3 − 1) + 1 = 5" in dilated
    assert "Padding 'same' resolves to (before, after) = (2, 2), (2, 2)" in dilated
    assert "biases" not in dilated
    # (16 − 1)·2 − 1 − 1 + 4 + 0 = 32; weights 4·4·8·4; MACs over the 16·16 input positions
    deconv = text(r, "deconv1")
    assert "out = (16 − 1)·2 − 1 − 1 + 4 + 0 = 32" in deconv
    assert "MACs = 512 · 16·16 = 131,072" in deconv


# ------------------------------------------------------------------------ every expression evaluates


@pytest.mark.parametrize("name", cnncalc.preset_names())
def test_every_preset_derivation_evaluates_to_the_report(name: str) -> None:
    r = cnncalc.analyze(cnncalc.preset(name))
    for e in explain(r):
        check_lines(e.derivation.lines)
        figures = {line.quantity: line.value for line in e.derivation.lines}
        assert figures.get("weights", e.row.weights) == e.row.weights
        assert figures.get("biases", e.row.biases) == e.row.biases
        assert figures.get("MACs", e.row.macs) == e.row.macs
        assert e.derivation.text


@pytest.mark.parametrize(("layer", "input_shape", "output", "params", "macs"), CASES)
def test_every_kind_explains_itself(
    layer: Any, input_shape: list[int], output: tuple[int, ...], params: int, macs: int
) -> None:
    r = cnncalc.analyze(cnncalc.from_dict({"name": "t", "input": input_shape, "layers": [layer]}))
    (e,) = explain(r)
    check_lines(e.derivation.lines)
    assert all(t.endswith(".") for t in e.derivation.text)
    assert e.to_dict()["params"] == params and e.to_dict()["macs"] == macs


windows = st.tuples(
    st.integers(1, 40),  # size
    st.integers(1, 6),  # kernel
    st.integers(1, 4),  # stride
    st.integers(0, 3),  # padding
    st.integers(1, 3),  # dilation
    st.booleans(),  # ceil mode
)


@given(windows, st.sampled_from(["conv", "maxpool", "deconv"]))
def test_random_layers_derive_their_numbers(window: tuple[int, int, int, int, int, bool], kind: str) -> None:
    size, k, s, p, d, ceil = window
    args: dict[str, Any] = {"kernel": k, "stride": s, "padding": min(p, k // 2), "dilation": d}
    if kind == "maxpool":
        args["ceil_mode"] = ceil
    else:
        args["filters"] = 4
    try:
        r = cnncalc.analyze(cnncalc.from_dict({"name": "t", "input": [2, size, size + 1], "layers": [{kind: args}]}))
    except cnncalc.SpecError:
        return  # too small an input for the window
    (e,) = explain(r)
    check_lines(e.derivation.lines)


# ------------------------------------------------------------------------------------------ selection


def test_select_by_path_name_and_module() -> None:
    r = cnncalc.analyze(cnncalc.preset("googlenet"))
    assert [e.row.name for e in explain(r, "conv1")] == ["conv1"]
    assert [e.row.name for e in explain(r, "inception_3a/b1/1x1")] == ["inception_3a/b1/1x1"]
    module = [e.row.name for e in explain(r, "inception_3a")]
    assert module[0] == "inception_3a/b1/1x1" and module[-1] == "inception_3a/concat" and len(module) == 14


@pytest.mark.parametrize(
    ("layer", "message", "hint"),
    [
        pytest.param("1x1", "9 layers are named '1x1': inception_3a/b1/1x1", "give the full path", id="ambiguous"),
        pytest.param(
            "clasifier", "googlenet has no layer or block 'clasifier'", "did you mean 'classifier'?", id="unknown"
        ),
    ],
)
def test_select_errors(cli: Callable[..., Result], layer: str, message: str, hint: str) -> None:
    result = cli("explain", "googlenet", "--layer", layer)
    assert result.exit_code == 2
    assert message in result.stderr and hint in result.stderr and "Traceback" not in result.stderr


# ------------------------------------------------------------------------------------------------ CLI


def test_explain_file_stdin_and_formats(cli: Callable[..., Result], spec_file: Callable[..., Any]) -> None:
    yaml = cnncalc.preset_text("seed-example")
    path = spec_file(yaml)
    from_file = cli("explain", str(path))
    from_stdin = cli("explain", "-", input=yaml)
    assert from_file.exit_code == from_stdin.exit_code == 0
    assert from_file.stdout == from_stdin.stdout == cli("explain", "seed-example").stdout
    # the second conv: 64 filters of 5×5×32 — each spans all 32 maps
    assert "weights = 5·5·32·64 = 51,200" in from_file.stdout
    data = json.loads(cli("explain", str(path), "--format", "json").stdout)
    second = data["layers"][1]
    assert (second["params"], second["macs"]) == (64 * 5 * 5 * 32 + 64, 64 * 5 * 5 * 32 * 28 * 28)
    weights = next(line for line in second["lines"] if line["quantity"] == "weights")
    assert weights == {
        "quantity": "weights",
        "formula": "k_h·k_w·C_in·C_out",
        "expression": "5·5·32·64",
        "value": 51200,
    }
    markdown = cli("explain", str(path), "-f", "markdown").stdout
    assert "| weights | k_h·k_w·C_in·C_out | 5·5·32·64 | 51,200 |" in markdown


def test_explain_missing_file(cli: Callable[..., Result]) -> None:
    result = cli("explain", "no-such.yaml")
    assert result.exit_code == 2 and "no-such.yaml: no such file" in result.stderr


def _tokens(args: dict[str, Any]) -> list[str]:
    """A case's arguments as command-line options, written the ways the help describes."""
    out: list[str] = []
    for name, value in args.items():
        option = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            out += [option] if value else [f"--no-{name.replace('_', '-')}"]
        elif isinstance(value, list) and all(isinstance(v, int) for v in value):
            out += [option, "x".join(map(str, value))]
        elif isinstance(value, list):
            out.append(f"{option}={json.dumps(value)}")
        else:
            out += [option, str(value)]
    return out


@pytest.mark.parametrize(("layer", "input_shape", "output", "params", "macs"), CASES)
def test_layer_command_for_every_kind(
    cli: Callable[..., Result], layer: Any, input_shape: list[int], output: tuple[int, ...], params: int, macs: int
) -> None:
    kind, args = (layer, {}) if isinstance(layer, str) else next(iter(layer.items()))
    shape = "x".join(map(str, input_shape))
    result = cli("layer", kind, "--input", shape, *_tokens(args), "--format", "json")
    assert result.exit_code == 0, result
    (row,) = json.loads(result.stdout)["layers"]
    assert (tuple(row["output_shape"]), row["params"], row["macs"]) == (output, params, macs)


def test_layer_command_covers_every_kind() -> None:
    kinds = {c.values[0] if isinstance(c.values[0], str) else next(iter(c.values[0])) for c in CASES}
    assert set(REGISTRY) <= kinds


def test_layer_command_text(cli: Callable[..., Result]) -> None:
    result = cli("layer", "conv", "--input", "1x28x28", "--filters", "32", "--kernel", "3", "--padding", "1")
    assert result.exit_code == 0
    assert "conv1 (conv): 1×28×28 → 32×28×28, 320 params, 225,792 MACs" in result.stdout
    assert "weights = 3·3·1·32 = 288" in result.stdout


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        pytest.param(["convv", "-i", "3x8x8"], "unknown layer kind 'convv'", "did you mean 'conv'?", id="kind"),
        pytest.param(["conv", "--filters", "4", "--kernel", "3"], "needs --input", "--input 3x224x224", id="input"),
        pytest.param(
            ["conv", "-i", "3x8", "--filters", "4"], "conv needs --kernel", "cnncalc layer conv --help", id="req"
        ),
        pytest.param(
            ["conv", "-i", "3x8x8", "--filters", "4", "--kernal", "3"],
            "conv has no argument --kernal",
            "did you mean '--kernel'?",
            id="misspelt",
        ),
        pytest.param(
            ["conv", "-i", "3x8x8", "--filters", "0", "--kernel", "3"], "--filters: must be positive", "", id="value"
        ),
        pytest.param(
            ["conv", "-i", "3x8x8", "--filters", "4", "--kernel"], "--kernel needs a value", "", id="no-value"
        ),
        pytest.param(
            ["conv", "-i", "3x8x8", "--filters", "4", "--kernel", "3", "--groups", "2"],
            "--groups: groups = 2 must divide the 3 input channels",
            "choose groups among the divisors of 3",
            id="shape",
        ),
        pytest.param(
            ["conv", "-i", "3x8x8", "--filters", "4", "--kernel", "9"], "output height would be 0", "", id="small"
        ),
        pytest.param(["relu", "-i", "3xx8"], "--input '3xx8' is not a shape", "", id="bad-input"),
        pytest.param(["relu", "-i", "3x8", "4"], "unexpected argument '4'", "", id="stray"),
        pytest.param(
            ["relu", "-i", "3x8", "--rate", "4"], "relu has no argument --rate", "relu takes no arguments", id="none"
        ),
        pytest.param(
            ["conv2d", "-i", "3x8", "--filters", "1", "--kernel", "1"], "conv2d expects 2 spatial axes", "", id="rank"
        ),
    ],
)
def test_layer_command_errors(cli: Callable[..., Result], args: list[str], message: str, hint: str) -> None:
    result = cli("layer", *args)
    assert result.exit_code == 2, result
    assert message in result.stderr and hint in result.stderr and "Traceback" not in result.stderr


def test_layer_help(cli: Callable[..., Result]) -> None:
    general = cli("layer", "--help")
    assert general.exit_code == 0 and "Layer kinds: adaptive_avgpool" in general.stdout
    conv = cli("layer", "deconv", "--help").stdout
    assert "--output-padding" in conv and "extra length added after the last output position" in conv
    assert "--filters" in conv and "required" in conv


def test_layer_command_options_never_shadow_a_kind_argument() -> None:
    # the command's own options; a kind argument of the same name could not be given
    own = {"input", "batch", "format", "help"}
    for cls in REGISTRY.values():
        assert not own & {name for name, _, _ in cls.arg_infos()}, cls.kind
