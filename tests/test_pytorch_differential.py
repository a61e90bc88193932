"""cnncalc against real PyTorch (torch 2.13, the `torch` extra): build the module `cnncalc export` writes,
forward zeros on the meta device with a hook on every row's module, and require exact agreement on every
row's output shape, parameters and MACs (``torch.utils.flop_counter.FlopCounterMode``, which counts two
FLOPs per multiply-accumulate of convs and linear layers), and on the totals (parameters, BatchNorm
running statistics, MACs) and the output shapes.

Skipped without torch, unless CI is set. A long random run:

    HYPOTHESIS_PROFILE=long pytest tests/test_pytorch_differential.py -k random
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given

import cnncalc
from cnncalc.export.lowering import pytorch_notes
from cnncalc.export.pytorch import to_pytorch

from .conftest import ROOT
from .random_networks import network
from .torch_support import disagreements, load_module, need

NEW_KINDS = {"slice", "channel_shuffle", "scale", "crop", "pixel_shuffle", "pixel_unshuffle"}
SPECS = sorted([*(ROOT / "specs").glob("*.yaml"), *(ROOT / "docs" / "examples").glob("*.yaml")])


@pytest.fixture(autouse=True)
def _torch() -> None:
    need("torch")


@pytest.mark.parametrize("name", cnncalc.preset_names())
def test_presets_agree_with_pytorch(name: str) -> None:
    assert disagreements(cnncalc.preset(name)) == []


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_example_specs_agree_with_pytorch(path: Path) -> None:
    assert disagreements(cnncalc.load(path)) == []


def test_batch_scales_macs_as_in_pytorch() -> None:
    assert disagreements(cnncalc.preset("googlenet"), batch=3) == []


@pytest.mark.parametrize(
    "layers",
    [
        pytest.param([{"maxpool": {"kernel": 3, "stride": 2, "padding": 2}}], id="pool-padding-above-half-kernel"),
        pytest.param([{"avgpool": {"kernel": 2, "padding": [[0, 2], [1, 0]], "ceil_mode": True}}], id="avgpool-pairs"),
        pytest.param([{"conv": {"filters": 4, "kernel": 3, "stride": 2, "padding": "same"}}], id="same-stride-2"),
        pytest.param(
            [{"deconv": {"filters": 4, "kernel": 3, "stride": 2, "padding": 2, "output_padding": 3}}], id="op"
        ),
        pytest.param([{"deconv": {"filters": 2, "kernel": 4, "stride": 2, "padding": "same"}}], id="deconv-same"),
        pytest.param(
            [{"upsample": {"scale_factor": [2, 3], "mode": "bilinear"}}, {"groupnorm": {"groups": 3}}], id="up"
        ),
        pytest.param([{"layernorm": {"over": "channels"}}, "layernorm", "flatten", "layernorm"], id="layernorms"),
        pytest.param([{"conv": {"filters": 6, "kernel": 3, "group_width": 1}}], id="group-width"),
        pytest.param(["prelu", {"prelu": {"shared": True}}, {"channel_shuffle": {"groups": 3}}], id="prelu-shuffle"),
        pytest.param(
            [
                {
                    "parallel": {
                        "merge": "mul",
                        "branches": [[], ["global_avgpool", {"conv": {"filters": 3, "kernel": 1}}]],
                    }
                },
                {"side": {"name": "head", "layers": ["hardswish", {"fc": {"units": 4}}]}},
                {"lrn": {"size": 3}},
                {"zeropad": {"padding": [[0, 1], [2, 0]]}},
            ],
            id="mul-side-lrn-zeropad",
        ),
    ],
)
def test_rewritten_and_new_layers_agree_with_pytorch(layers: list[Any]) -> None:
    spec = cnncalc.from_dict({"name": "t", "input": [3, 12, 12], "layers": layers})
    assert disagreements(spec) == []


@pytest.mark.parametrize("kind", ["maxpool", "avgpool"])
@pytest.mark.parametrize(("size", "kernel", "stride"), [(2, 3, 3), (1, 3, 3), (3, 4, 4), (2, 3, 2)])
def test_ceil_mode_window_overhanging_the_input_agrees_with_pytorch(
    kind: str, size: int, kernel: int, stride: int
) -> None:
    """Issue 10: PyTorch gives one window where the ceil-mode window overhangs the input by less than a
    stride; cnncalc refused it."""
    layer = {kind: {"kernel": kernel, "stride": stride, "ceil_mode": True}}
    assert disagreements(cnncalc.from_dict({"name": "t", "input": [2, size, size], "layers": [layer]})) == []


@pytest.mark.parametrize("kind", ["maxpool", "avgpool"])
def test_pool_rewrites_compute_what_pytorch_padding_computes(kind: str) -> None:
    """The rewrite (explicit pad, pool, crop) gives PyTorch's values: max pooling pads with −inf, and
    average pooling counts explicit zeros in the average as PyTorch counts its own padding.

    Padding (1, 2) on 7 positions with kernel 3, stride 2 and ceil mode has the 4 windows of padding 1
    (the window PyTorch's ceil mode would add starts at 8, in the padding, and is dropped), so PyTorch's
    own pool with padding 1 is the reference; the rewrite pads (1, 2), pools 5 windows and crops one.
    """
    torch = need("torch")
    reference = getattr(torch.nn, "MaxPool2d" if kind == "maxpool" else "AvgPool2d")(3, 2, 1, ceil_mode=True)
    layer = {kind: {"kernel": 3, "stride": 2, "padding": [[1, 2], [1, 2]], "ceil_mode": True}}
    export = to_pytorch(cnncalc.from_dict({"name": "t", "input": [2, 7, 7], "layers": [layer]}))
    assert '("crop", nn.ZeroPad2d((0, -1, 0, -1))),' in export.text
    model = getattr(load_module(export), export.class_name)().eval()
    x = torch.arange(2 * 7 * 7, dtype=torch.float32).reshape(1, 2, 7, 7).sin()
    assert torch.equal(model(x), reference(x))


@given(network())
def test_random_networks_agree_with_pytorch(data: dict[str, Any]) -> None:
    spec = cnncalc.from_dict(data)
    report = cnncalc.analyze(spec)
    if any(w.message.startswith("`cnncalc export` cannot") for w in pytorch_notes(report)):
        event("not expressible in PyTorch")
        return
    event(f"{len(report.input_shape) - 1}-D")
    for feature, present in (
        ("a crossing skip", any(row.type in ("add", "concat") and not row.name.count("/") for row in report.layers)),
        ("several outputs", len(report.outputs) > 1),
        ("a new kind", any(row.type in NEW_KINDS for row in report.layers)),
        ("block expressions", any(row.name.split("/")[1:2] == ["conv1"] for row in report.layers)),
    ):
        if present:
            event(feature)
    assert disagreements(spec) == []
