"""Sweeps: every setting equals a separate analysis of the spec it stands for."""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest

import cnncalc
from cnncalc.sweep import make_divisible, sweep

from .conftest import ROOT, Result

RESNET = ROOT / "specs" / "small-resnet.yaml"
FIGURES = ("params", "macs", "activation_bytes", "peak_activation_bytes")


def totals(data: dict[str, Any]) -> dict[str, int]:
    return {figure: data[figure] for figure in FIGURES}


@pytest.mark.parametrize(
    ("value", "divisor", "expected"),
    [
        # MobileNet's _make_divisible: nearest multiple, at least the divisor, never 10% below the value
        pytest.param(Fraction(24), 8, 24, id="already-a-multiple"),
        pytest.param(Fraction(84, 10), 8, 8, id="round-down"),  # 24·0.35 = 8.4
        pytest.param(Fraction(13), 8, 16, id="round-up"),  # int(13 + 4) // 8 · 8 = 16
        pytest.param(Fraction(3), 8, 8, id="at-least-the-divisor"),
        pytest.param(Fraction(112, 10), 8, 16, id="not-10pc-below"),  # 32·0.35 = 11.2 → 8 < 10.08 → 16
        pytest.param(Fraction(9), 8, 16, id="9-to-16"),  # 8 < 0.9·9 = 8.1 → 16
        pytest.param(Fraction(7, 2), 1, 4, id="divisor-1-rounds-half-up"),
    ],
)
def test_make_divisible(value: Fraction, divisor: int, expected: int) -> None:
    assert make_divisible(value, divisor) == expected


def test_input_sweep_equals_separate_summarize_runs(cli: Callable[..., Result]) -> None:
    result = cli("sweep", str(RESNET), "--input", "3x32x32,3x64x64", "--input", "3x48x40", "-f", "json")
    assert result.exit_code == 0, result
    settings = json.loads(result.stdout)["settings"]
    assert [s["input_shape"] for s in settings] == [[3, 32, 32], [3, 64, 64], [3, 48, 40]]
    for setting in settings:
        shape = "x".join(map(str, setting["input_shape"]))
        alone = json.loads(cli("summarize", str(RESNET), "--input", shape, "-f", "json").stdout)["totals"]
        assert totals(setting) == totals(alone)
    # 64×64 has 4× the positions of 32×32 at every conv: 4× their MACs; the classifier (64 → 10 after
    # global pooling) costs 64·10 at any size; the parameters do not change
    first, second = settings[0], settings[1]
    assert second["macs"] == 4 * (first["macs"] - 64 * 10) + 64 * 10 and second["params"] == first["params"]


def scaled_resnet(factor: int) -> str:
    """small-resnet with every width but the classifier's multiplied by hand."""
    text = RESNET.read_text()
    for old in (64, 32, 16):  # largest first, so a replaced width is not replaced again
        text = text.replace(f"width: {old}}}", f"width: {old * factor}}}").replace(
            f"filters: {old},", f"filters: {old * factor},"
        )
    return text


def test_width_sweep_equals_the_spec_written_out(cli: Callable[..., Result], spec_file: Callable[..., Any]) -> None:
    result = cli("sweep", str(RESNET), "--width", "1,2", "-f", "json")
    one, two = json.loads(result.stdout)["settings"]
    alone = json.loads(cli("summarize", str(spec_file(scaled_resnet(2))), "-f", "json").stdout)["totals"]
    assert totals(two) == totals(alone)
    original = json.loads(cli("summarize", str(RESNET), "-f", "json").stdout)["totals"]
    assert totals(one) == totals(original)
    # doubling a chain's width doubles C_in and C_out of the inner convs: their MACs grow 4×; only the
    # stem (3 input channels) and the classifier (10 outputs) grow 2×, so the total is just under 4×
    assert 3.9 < two["growth"]["macs"] < 4


def test_classifier_keeps_its_width_and_groups_stay_valid() -> None:
    (setting,) = sweep(cnncalc.preset("alexnet"), widths=[Fraction(3, 4)]).settings
    r = setting.report
    # 96·0.75 = 72; conv2 keeps 2 groups: 256·0.75 = 192 filters over 72/2 = 36 channels each
    assert r.find("conv1").output_shape[0] == 72  # type: ignore[union-attr]
    assert r.find("conv2").weights == 5 * 5 * 36 * 192  # type: ignore[union-attr]
    assert r.find("fc7").output_shape == (3072,) and r.find("fc8").output_shape == (1000,)  # type: ignore[union-attr]


def test_depthwise_stays_depthwise() -> None:
    spec = cnncalc.from_dict(
        {
            "name": "mobile",
            "input": [3, 32, 32],
            "layers": [
                {"conv": {"filters": 32, "kernel": 3, "stride": 2, "padding": 1}},
                {"conv": {"name": "dw", "filters": 32, "kernel": 3, "padding": 1, "groups": 32}},
                {"conv": {"name": "dw2", "filters": 64, "kernel": 3, "padding": 1, "groups": 32}},  # multiplier 2
                {"conv": {"name": "pw", "filters": 64, "kernel": 1}},
                "global_avgpool",
                {"fc": {"units": 10}},
            ],
        }
    )
    (setting,) = sweep(spec, widths=[Fraction(1, 2)]).settings
    r = setting.report
    dw, dw2, pw = (r.find(n) for n in ("dw", "dw2", "pw"))
    assert dw is not None and dw2 is not None and pw is not None
    # 32·0.5 = 16 channels: 16 depthwise filters of 3×3×1, then 2 per channel: 32 filters of 3×3×1
    assert (dw.output_shape[0], dw.weights) == (16, 3 * 3 * 1 * 16)
    assert (dw2.output_shape[0], dw2.weights) == (32, 3 * 3 * 1 * 32)
    assert pw.weights == 32 * 32  # 64·0.5 = 32 filters over 32 channels


def test_groups_that_cannot_stay_valid_are_an_error(cli: Callable[..., Result], spec_file: Callable[..., Any]) -> None:
    path = spec_file(
        "name: g\ninput: [3, 8, 8]\nlayers:\n  - conv: {filters: 24, kernel: 1}\n"
        "  - conv: {filters: 24, kernel: 1, groups: 3}\n  - fc: {units: 10}\n"
    )
    # 24·0.5 = 12 → 16 with divisor 8: not divisible by the second conv's 3 groups
    result = cli("sweep", str(path), "--width", "0.5")
    assert result.exit_code == 2
    assert "groups = 3 must divide the 16 input channels" in result.stderr
    assert "note: with --width 0.5 and --divisor 8" in result.stderr and "net.yaml:5:" in result.stderr
    # with divisor 3: 12 channels, 12 filters (a multiple of lcm(3, 3))
    assert cli("sweep", str(path), "--width", "0.5", "--divisor", "3").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--width", "half"], "--width 'half' is not a number", id="width-text"),
        pytest.param(["--width", "0"], "a width multiplier must be positive", id="width-zero"),
        pytest.param(["--input", "3,32,32"], "write each shape with x", id="input-commas"),
        pytest.param(["--input", "3x32"], "has 2 dimensions but small-resnet takes 3", id="input-rank"),
        pytest.param(["--divisor", "0"], "Invalid value for '--divisor'", id="divisor"),
    ],
)
def test_sweep_errors(cli: Callable[..., Result], args: list[str], message: str) -> None:
    result = cli("sweep", str(RESNET), *args)
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        # 56×56 has 4× the positions of 28×28 (padding keeps the size): MACs and activations ×4
        pytest.param("table", "│ 1×56×56 │ 1     │ 51.58K │ ×1.00 │ 161.47M │ ×4.00 │", id="table"),
        pytest.param("csv", "1x56x56,1,51584,161466368,1204224,1204224,1,4,4,4", id="csv"),
        pytest.param("markdown", "| 1×56×56 | 1 | 51.58K | ×1.00 | 161.47M | ×4.00 |", id="markdown"),
    ],
)
def test_sweep_formats(cli: Callable[..., Result], fmt: str, expected: str) -> None:
    result = cli("sweep", "seed-example", "--input", "1x28x28,1x56x56", "-f", fmt)
    assert result.exit_code == 0 and expected in result.stdout
    assert 4 * (64 * 5 * 5 * 32 + 32 * 3 * 3) * 28 * 28 == 161_466_368


def test_side_heads_keep_their_classes() -> None:
    """Issue 10: at width 0.5 GoogLeNet's auxiliary classifiers kept 1000 classes only in the main head."""
    result = sweep(cnncalc.preset("googlenet-aux"), widths=[Fraction(1, 2)])
    report = result.settings[0].report
    assert [o.shape for o in report.outputs] == [(1000,), (1000,), (1000,)]


REGNET_BLOCK = """\
name: regnet-like
input: [3, 32, 32]
blocks:
  xblock:
    params: [w]
    layers:
      - conv: {filters: $w, kernel: 1}
      - conv: {filters: $w, kernel: 3, padding: 1, group_width: 16}
      - conv: {filters: $w, kernel: 1}
layers:
  - conv: {filters: 32, kernel: 3, padding: 1}
  - xblock: {w: 64}
  - xblock: {w: 128}
  - global_avgpool
  - fc: {units: 10}
"""


def test_group_width_is_kept_when_the_width_scales() -> None:
    """Issue 10: with `groups` a RegNet at --width 0.5 exits 2 (the group count no longer divides the
    channels); `group_width` keeps 16 channels per group: groups = 32 / 16 = 2 and 64 / 16 = 4."""
    spec = cnncalc.loads(REGNET_BLOCK)
    report = sweep(spec, widths=[Fraction(1, 2)]).settings[0].report
    for name, channels in (("xblock1/conv2", 32), ("xblock2/conv2", 64)):
        row = report.find(name)
        assert row is not None and row.layer is not None
        assert row.output_shape[0] == channels
        assert row.layer.groups == channels // 16  # type: ignore[attr-defined]
        assert row.params == 3 * 3 * 16 * channels + channels  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param({"groups": 2, "group_width": 8}, "conv takes groups or group_width, not both", id="both"),
        pytest.param({"group_width": 5}, "group_width = 5 must divide the 16 input channels", id="not-dividing"),
    ],
)
def test_group_width_errors(args: dict[str, int], message: str) -> None:
    layer = {"conv": {"filters": 16, "kernel": 1, **args}}
    with pytest.raises(cnncalc.SpecError, match=message):
        cnncalc.analyze(cnncalc.from_dict({"name": "t", "input": [16, 4, 4], "layers": [layer]}))
