"""--convention: each layer kind counted as torchvision (default), cnncalc's full count, torchinfo 1.8,
fvcore 0.1.5, thop 0.1.1 and ptflops 0.7.5 count it, with the reasoning from each tool's source beside the
expected value. test_conventions_tools.py runs the real tools on the presets.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import cnncalc
from cnncalc.conventions import CONVENTIONS

from .conftest import Result

CASES = [
    pytest.param(  # 8 filters of 3×3×3 on 10×10 positions (padding 1): 216 weights, 8 biases
        {"conv": {"filters": 8, "kernel": 3, "padding": 1}},
        [3, 10, 10],
        {
            "default": 8 * 3 * 3 * 3 * 100,
            "full": (8 * 3 * 3 * 3 * 100, 8 * 100),  # (MACs, other ops: one bias addition per output)
            "torchinfo": (216 + 8) * 100,  # (weights + biases) × output positions
            "fvcore": 216 * 100,  # prod(weight shape) × output positions
            "thop": 8 * 100 * (3 * 3 * 3),  # output elements × C_in/groups × kernel
            "ptflops": 216 * 100 + 8 * 100,  # + one bias addition per output element
            "onnx-tool": 216 * 100 + 8 * 100,  # ConvNode: output × C_in/groups·kernel, + the bias additions
        },
        id="conv",
    ),
    pytest.param(  # 4 filters of 3×3, stride 2: 5×5 → (5 − 1)·2 + 3 = 11; weights 3·3·6·4 = 216
        {"deconv": {"filters": 4, "kernel": 3, "stride": 2}},
        [6, 5, 5],
        {
            "default": 216 * 25,  # weights × input positions
            "full": (216 * 25, 4 * 121),
            "torchinfo": (216 + 4) * 121,  # "Conv" in ConvTranspose2d: (weights + biases) × output positions
            "fvcore": 216 * 25,  # transposed: × input positions
            "thop": 4 * 121 * (6 * 3 * 3),  # output elements × C_in/groups × kernel, as for a conv
            "ptflops": 216 * 25 + 4 * 121,
            "onnx-tool": 4 * 121 * (4 * 3 * 3) + 4 * 121,  # output × C_out/groups·kernel (weight shape[1:]) + bias
        },
        id="deconv",
    ),
    pytest.param(
        {"fc": {"units": 10}},
        [20],
        {
            "default": 20 * 10,
            "full": (20 * 10, 10),
            "torchinfo": 20 * 10 + 10,  # parameters once per sample
            "fvcore": 20 * 10,
            "thop": 20 * 10,  # in_features × output elements
            "ptflops": 20 * 10 + 10,
            "onnx-tool": 20 * 10 + 10,  # GemmNode: output × K + the bias additions
        },
        id="fc",
    ),
    pytest.param(  # 800 elements, 8 channels
        "batchnorm",
        [8, 10, 10],
        {
            "default": 0,
            "full": (0, 2 * 800),  # folded scale and shift at inference
            "torchinfo": 2 * 8,  # its 16 parameters
            "fvcore": 2 * 800,  # eval-mode batch_norm with affine parameters
            "thop": 2 * 2 * 800,  # count_normalization: 2 per element, doubled when affine
            "ptflops": 2 * 800,  # input elements × 2 (affine)
            "onnx-tool": (1 + 24 + 4 + 1 + 1) * 800,  # add, sqrt, div, add, mul per element
        },
        id="batchnorm",
    ),
    pytest.param(
        {"maxpool": {"kernel": 2}},
        [8, 10, 10],
        {
            "default": 0,
            "full": (0, 3 * 200),  # 3 comparisons per 2×2 window, 200 windows
            "torchinfo": 0,
            "fvcore": 0,
            "thop": 0,
            "ptflops": 2 * 800,  # hook on MaxPool2d + the patched F.max_pool2d it calls: input elements each
            "onnx-tool": 2 * 2 * 200,  # a comparison per kernel tap and output element
        },
        id="maxpool",
    ),
    pytest.param(
        {"avgpool": {"kernel": 2}},
        [8, 10, 10],
        {
            "default": 0,
            "full": (0, 4 * 200),  # 3 additions and a division per window
            "torchinfo": 0,
            "fvcore": 0,
            "thop": 200,  # one per output element
            "ptflops": 2 * 800,
            "onnx-tool": 2 * 2 * 200,  # PoolBase: one per kernel tap and output element, as max pooling
        },
        id="avgpool",
    ),
    pytest.param(
        "global_avgpool",
        [8, 10, 10],
        {
            "default": 0,
            "full": (0, 800),
            "torchinfo": 0,
            "fvcore": 800,  # adaptive_avg_pool2d: one per input element
            "thop": (100 + 1) * 8,  # (kernel 10·10 + 1 division) × output elements
            "ptflops": 2 * 800,
            "onnx-tool": 800 + 4 * 8,  # GlobalAveragePool: an addition per input, a division per output
        },
        id="global-avgpool",
    ),
    pytest.param(  # windows along 7 for 3 outputs: [0, 3), [2, 5), [4, 7) — 9 reads per axis
        {"adaptive_avgpool": {"output_size": 3}},
        [1, 7, 7],
        {
            "default": 0,
            "full": (0, 9 * 9),
            "torchinfo": 0,
            "fvcore": 49,
            "thop": 58,  # int(((7/3)·(7/3) + 1) · 9) in floating point: 58.00000000000001
            "ptflops": 2 * 49,
            "onnx-tool": 0,  # PyTorch exports it as AveragePool windows cnncalc's rules do not model: no rule
        },
        id="adaptive-avgpool",
    ),
    pytest.param(
        "relu",
        [8, 10, 10],
        {"default": 0, "full": (0, 800), "torchinfo": 0, "fvcore": 0, "thop": 0, "ptflops": 2 * 800, "onnx-tool": 800},
        id="relu",  # ptflops: the ReLU hook and the patched F.relu
    ),
    pytest.param(
        "silu",
        [8, 10, 10],
        {
            "default": 0,
            "full": (0, 800),
            "torchinfo": 0,
            "fvcore": 0,
            "thop": 0,
            "ptflops": 800,
            "onnx-tool": (32 + 1) * 800,
        },
        id="silu",  # ptflops: no SiLU hook, the patched F.silu only
    ),
    pytest.param(
        "softmax",
        [10],
        {
            "default": 0,
            "full": (0, 3 * 10),
            "torchinfo": 0,
            "fvcore": 0,
            "thop": 3 * 10 - 1,
            "ptflops": 10,
            "onnx-tool": (32 + 4) * 10,
        },
        id="softmax",  # thop: 10 exponents, 9 additions, 10 divisions
    ),
    pytest.param(  # 2×4×4 → 2×8×8 = 128 output elements
        {"upsample": {"scale_factor": 2, "mode": "bilinear"}},
        [2, 4, 4],
        {
            "default": 0,
            "full": (0, 7 * 128),  # 4 multiplications and 3 additions per output element
            "torchinfo": 0,
            "fvcore": 4 * 128,  # upsample_bilinear2d
            "thop": 11 * 128,  # calculate_upsample: bilinear × 11
            "ptflops": 2 * 128,  # Upsample hook + the patched F.interpolate
            "onnx-tool": 4 * 128,  # ResizeNode, linear modes
        },
        id="upsample-bilinear",
    ),
    pytest.param(  # 128 elements, 8 channels of 4×4
        {"lrn": {"size": 5}},
        [8, 4, 4],
        {
            "default": 0,
            "full": (0, (5 + 4) * 128),
            "torchinfo": 0,
            "fvcore": 0,
            "thop": 0,
            # F.local_response_norm: input.mul(input), .mul(alpha), .add(k) — 3 per element — and
            # avg_pool3d over the squares padded to 8 + 5 − 1 channels
            "ptflops": 3 * 128 + (8 + 5 - 1) * 16,
            "onnx-tool": 0,  # PyTorch exports LocalResponseNorm as a dozen ops; no rule reproduces them
        },
        id="lrn",
    ),
    pytest.param(
        {"groupnorm": {"groups": 2}},
        [8, 4, 4],
        {
            "default": 0,
            "full": (0, 5 * 128),
            "torchinfo": 2 * 8,
            "fvcore": 5 * 128,  # group_norm with affine parameters
            "thop": 0,  # no rule for GroupNorm
            "ptflops": 2 * 128,
            "onnx-tool": 0,  # exported as InstanceNormalization with reshapes: no rule
        },
        id="groupnorm",
    ),
    pytest.param(
        "layernorm",
        [8, 4, 4],
        {
            "default": 0,
            "full": (0, 5 * 128),
            "torchinfo": 2 * 128,  # LayerNorm([8, 4, 4]) has 256 parameters
            "fvcore": 5 * 128,
            "thop": 2 * 2 * 128,
            "ptflops": 128,  # bn_flops_counter_hook doubles only with `module.affine`, which LayerNorm lacks
            "onnx-tool": 0,  # LayerNormalization: no rule
        },
        id="layernorm",
    ),
    pytest.param(
        {"layernorm": {"over": "channels"}},
        [8, 4, 4],
        {
            "default": 0,
            "full": (0, 5 * 128),
            "torchinfo": 2 * 8,
            "fvcore": 5 * 128,
            "thop": 0,  # the export's ChannelLayerNorm is not thop's LayerNorm class
            "ptflops": 0,
            "onnx-tool": 0,
        },
        id="layernorm-channels",
    ),
    pytest.param(
        {"parallel": {"merge": "add", "branches": [[], []]}},
        [8, 4, 4],
        {"default": 0, "full": (0, 128), "torchinfo": 0, "fvcore": 0, "thop": 0, "ptflops": 0, "onnx-tool": 128},
        id="add",  # the export writes `out + x`, which no tool counts
    ),
]


@pytest.mark.parametrize(("layer", "input_shape", "expected"), CASES)
@pytest.mark.parametrize("convention", list(CONVENTIONS))
def test_convention(layer: Any, input_shape: list[int], expected: dict[str, Any], convention: str) -> None:
    spec = cnncalc.from_dict({"name": "t", "input": input_shape, "layers": [layer]})
    t = cnncalc.analyze(spec, convention=convention).totals
    want = expected[convention]
    macs, other = want if isinstance(want, tuple) else (want, 0)
    assert (t.macs, t.other_ops) == (macs, other)
    assert t.flops == 2 * macs + other


def test_conventions_scale_with_the_batch() -> None:
    spec = cnncalc.from_dict({"name": "t", "input": [3, 10, 10], "layers": [{"conv": {"filters": 8, "kernel": 3}}]})
    for convention in CONVENTIONS:
        one = cnncalc.analyze(spec, convention=convention).totals
        four = cnncalc.analyze(spec, convention=convention, batch=4).totals
        assert (four.macs, four.other_ops) == (4 * one.macs, 4 * one.other_ops), convention


def test_unknown_convention() -> None:
    with pytest.raises(cnncalc.UsageError, match="unknown convention 'flops'"):
        cnncalc.analyze(cnncalc.preset("lenet5"), convention="flops")


def test_a_tool_convention_needs_layers_pytorch_can_express() -> None:
    spec = cnncalc.from_dict({"name": "t", "input": [8], "layers": ["lrn"]})
    assert cnncalc.analyze(spec, convention="full").totals.other_ops == (5 + 4) * 8
    with pytest.raises(cnncalc.UsageError, match="lrn1: the thop convention counts the PyTorch modules"):
        cnncalc.analyze(spec, convention="thop")


def test_cli_table_footer_names_the_convention(cli: Callable[..., Result]) -> None:
    result = cli("preset", "lenet5", "--convention", "torchinfo")
    assert result.exit_code == 0, result
    assert 'Convention torchinfo: MACs = torchinfo 1.8\'s "Total mult-adds"' in result.stdout
    default = cli("preset", "lenet5")
    assert "Convention default: MACs = multiply-accumulates of conv, deconv and fc weights" in default.stdout


def test_cli_json_full(cli: Callable[..., Result]) -> None:
    result = cli("preset", "lenet5", "--convention", "full", "--format", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["convention"] == "full" and "other ops" in data["convention_text"]
    t = data["totals"]
    assert t["flops"] == 2 * t["macs"] + t["other_ops"]
    assert sum(row["other_ops"] for row in data["layers"]) == t["other_ops"]
    # c1: 6·28·28 bias additions; its tanh: one per element; s2: 3 additions and a division per window
    rows = {row["name"]: row for row in data["layers"]}
    assert (rows["c1"]["other_ops"], rows["tanh1"]["other_ops"], rows["s2"]["other_ops"]) == (
        6 * 28 * 28,
        6 * 28 * 28,
        4 * 6 * 14 * 14,
    )


def test_cli_rejects_an_unknown_convention(cli: Callable[..., Result], spec_file: Callable[..., Path]) -> None:
    result = cli("summarize", str(spec_file("name: t\ninput: [4]\nlayers: [relu]\n")), "--convention", "flops")
    assert result.exit_code == 2
    assert "flops" in result.stderr
