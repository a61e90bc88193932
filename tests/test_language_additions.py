"""Side outputs, the broadcasting ``mul`` merge, and argument rules of upsample: shapes, counts and errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import cnncalc

from .conftest import Result

AUX_NET = """\
name: aux-net
input: [3, 32, 32]
layers:
  - conv: {name: stem, filters: 8, kernel: 3, padding: 1}
  - side:
      name: aux
      layers:
        - global_avgpool
        - fc: {name: head, units: 5}
  - maxpool: {kernel: 2}
  - fc: {name: classifier, units: 10}
"""


def analyze(data: dict[str, Any]) -> cnncalc.Report:
    return cnncalc.analyze(cnncalc.from_dict(data))


def test_side_output_branches_off_and_the_main_path_continues() -> None:
    r = cnncalc.analyze(cnncalc.loads(AUX_NET))
    assert r.output_shape == (10,)
    main, aux = r.outputs
    assert (main.name, main.shape, main.layer) == ("classifier", (10,), "classifier")
    assert (aux.name, aux.shape, aux.layer) == ("aux", (5,), "aux/head")
    # the pool after the side reads the stem's output, not the side's
    pool = r.find("maxpool1")
    assert isinstance(pool, cnncalc.LayerResult)
    assert (pool.input_shape, pool.inputs) == ((8, 32, 32), ("stem",))
    # the side's layers count: stem 8·3·3·3 + 8, aux head 8·5 + 5, classifier 8·16·16·10 + 10
    assert r.totals.params == (8 * 3 * 3 * 3 + 8) + (8 * 5 + 5) + (8 * 16 * 16 * 10 + 10)
    side = r.find("aux")
    assert isinstance(side, cnncalc.ModuleResult)
    assert (side.type, side.input_shape, side.output_shape, side.params) == ("side", (8, 32, 32), (5,), 8 * 5 + 5)


def test_side_outputs_in_json(cli: Callable[..., Result], spec_file: Callable[[str], Path]) -> None:
    import json

    result = cli("summarize", str(spec_file(AUX_NET)), "--format", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["output_shape"] == [10]
    assert data["outputs"] == [
        {"name": "classifier", "shape": [10], "layer": "classifier", "main": True},
        {"name": "aux", "shape": [5], "layer": "aux/head", "main": False},
    ]


def test_side_outputs_in_the_table(cli: Callable[..., Result], spec_file: Callable[[str], Path]) -> None:
    result = cli("summarize", str(spec_file(AUX_NET)))
    assert result.exit_code == 0, result
    assert "Side outputs: aux 5 (from aux/head)" in result.stdout


def test_sides_inside_repeats_blocks_and_sides() -> None:
    r = analyze(
        {
            "name": "heads",
            "input": [4, 16, 16],
            "blocks": {
                "stage": {
                    "params": ["w"],
                    "layers": [
                        {"conv": {"filters": "$w", "kernel": 3, "stride": 2, "padding": 1}},
                        {"side": {"name": "head", "layers": [{"conv": {"filters": 2, "kernel": 1}}]}},
                    ],
                }
            },
            "layers": [
                {"repeat": {"times": 2, "layers": [{"stage": {"w": 8}}]}},
                {"side": {"layers": ["relu", {"side": {"name": "inner", "layers": ["sigmoid"]}}]}},
            ],
        }
    )
    assert [(o.name, o.shape) for o in r.outputs] == [
        ("repeat1/2/stage1/conv1", (8, 4, 4)),
        ("repeat1/1/stage1/head", (2, 8, 8)),
        ("repeat1/2/stage1/head", (2, 4, 4)),
        ("side1/inner", (8, 4, 4)),
        ("side1", (8, 4, 4)),
    ]


def test_mul_broadcasts_a_squeeze_and_excitation_gate() -> None:
    r = analyze(
        {
            "name": "se",
            "input": [64, 14, 14],
            "layers": [
                {
                    "parallel": {
                        "name": "se",
                        "merge": "mul",
                        "branches": [
                            [],
                            [
                                "global_avgpool",
                                {"conv": {"filters": 16, "kernel": 1}},
                                "relu",
                                {"conv": {"filters": 64, "kernel": 1}},
                                "sigmoid",
                            ],
                        ],
                    }
                }
            ],
        }
    )
    row = r.find("se/mul")
    assert isinstance(row, cnncalc.LayerResult)
    assert row.input_shapes == ((64, 14, 14), (64, 1, 1))
    assert row.output_shape == (64, 14, 14)
    assert "broadcasting [64, 14, 14] × [64, 1, 1]" in row.details
    # the squeeze 64→16 and excitation 16→64 are 1×1 convs on a 1×1 map
    assert r.totals.params == (64 * 16 + 16) + (16 * 64 + 64)
    assert r.totals.macs == 64 * 16 + 16 * 64


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        pytest.param(
            [
                {
                    "parallel": {
                        "merge": "mul",
                        "branches": [[], [{"conv": {"filters": 8, "kernel": 1}}]],
                    }
                }
            ],
            "mul cannot broadcast b1 [4, 6, 6], b2 [8, 6, 6]: along axis 1 the sizes 4, 8 differ and none is 1",
            id="mul-channels",
        ),
        pytest.param(
            [{"parallel": {"merge": "mul", "branches": [[], ["global_avgpool", "flatten"]]}}],
            "mul needs inputs of the same rank, got b1 [4, 6, 6], b2 [4]",
            id="mul-rank",
        ),
        pytest.param(
            [{"side": {"layers": []}}], "the layers of a side output must be a non-empty list", id="side-empty"
        ),
        pytest.param(["side"], "side needs 'layers'", id="side-bare"),
        pytest.param([{"side": {"layers": ["relu"], "times": 2}}], "side has no key 'times'", id="side-key"),
        pytest.param([{"upsample": {}}], "upsample takes exactly one of scale_factor and size", id="upsample-neither"),
        pytest.param(
            [{"upsample": {"scale_factor": 2, "size": 12}}],
            "upsample takes exactly one of scale_factor and size",
            id="upsample-both",
        ),
        pytest.param(
            [{"upsample": {"scale_factor": 2, "align_corners": True}}],
            "align_corners only applies to interpolating modes",
            id="upsample-align-nearest",
        ),
        pytest.param([{"layernorm": {"over": "rows"}}], "over: expected one of all, channels", id="layernorm-over"),
    ],
)
def test_errors(layers: list[Any], message: str) -> None:
    with pytest.raises(cnncalc.SpecError) as info:
        analyze({"name": "t", "input": [4, 6, 6], "layers": layers})
    assert message in str(info.value)


def test_a_block_cannot_be_named_side() -> None:
    with pytest.raises(cnncalc.SpecError, match="block name 'side' is already a layer type"):
        cnncalc.from_dict({"name": "t", "input": [1, 4], "blocks": {"side": {"layers": ["relu"]}}, "layers": ["relu"]})
