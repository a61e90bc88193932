"""slice, channel_shuffle, scale, crop, pixel_shuffle and pixel_unshuffle (their shapes and parameters are in
test_layers.CASES): located errors, receptive fields, and agreement with PyTorch (with `from:`, standalone merges
and several outputs) through the exported module."""

from __future__ import annotations

import re
from typing import Any

import pytest

import cnncalc
from cnncalc.errors import SpecError
from cnncalc.export.pytorch import to_pytorch

from .torch_support import disagreements, load_module, need


def one(layer: Any, shape: list[int]) -> cnncalc.Report:
    return cnncalc.analyze(cnncalc.from_dict({"name": "t", "input": shape, "layers": [layer]}))


@pytest.mark.parametrize(
    ("layer", "shape", "message"),
    [
        pytest.param({"slice": {"channels": [8, 8]}}, [16, 4, 4], "slice [8, 8] of 16 channels is empty", id="empty"),
        pytest.param({"slice": {"channels": [20, 30]}}, [16, 4, 4], "is empty", id="past-end"),
        pytest.param({"slice": {"channels": [1]}}, [16, 4, 4], "expected a list of 2 integers", id="one-bound"),
        pytest.param({"channel_shuffle": {"groups": 3}}, [16, 4, 4], "groups = 3 must divide the 16", id="shuffle"),
        pytest.param({"pixel_shuffle": {"factor": 3}}, [16, 4, 4], "divisible by 3^2 = 9", id="ps"),
        pytest.param({"pixel_unshuffle": {"factor": 3}}, [16, 4, 4], "divisible by 3", id="unshuffle"),
        pytest.param({"crop": {"size": 5}}, [16, 4, 4], "crop to 5×5 is larger than the input", id="crop-larger"),
        pytest.param({"crop": {}}, [16, 4, 4], "crop takes exactly one of size and like", id="crop-neither"),
        pytest.param({"crop": {"size": 2, "like": "input"}}, [16, 4, 4], "exactly one of", id="crop-both"),
        pytest.param({"crop": {"like": "nowhere"}}, [16, 4, 4], "no earlier row 'nowhere'", id="crop-like-unknown"),
    ],
)
def test_errors(layer: Any, shape: list[int], message: str) -> None:
    with pytest.raises(SpecError, match=re.escape(message)):
        one(layer, shape)


def test_crop_like_takes_another_rows_size_and_centres() -> None:
    # 9 → 5: (9 − 5) // 2 = 2 positions dropped before, 2 after; 8 → 5: 1 before, 2 after
    spec = {
        "name": "t",
        "input": [2, 9, 8],
        "layers": [
            {"conv": {"name": "small", "filters": 2, "kernel": [5, 4]}},
            {"crop": {"from": "input", "like": "small"}},
        ],
        "outputs": ["crop1", "small"],
    }
    r = cnncalc.analyze(cnncalc.from_dict(spec))
    crop = r.find("crop1")
    assert crop is not None and crop.output_shape == (2, 9 - 4, 8 - 3)
    height, width = crop.receptive_field  # type: ignore[union-attr]
    assert (height.size, height.start, width.start) == (1, (9 - 5) // 2, (8 - 5) // 2)


def test_pixel_unshuffle_field_is_the_block() -> None:
    r = one({"pixel_unshuffle": {"factor": 4}}, [1, 16, 16])
    (field, _) = r.layers[0].receptive_field
    assert (field.size, field.jump) == (4, 4)


EVERY_KIND = {
    "name": "every-new-kind",
    "input": [16, 10, 10],
    "outputs": ["add1", "right"],
    "layers": [
        {"slice": {"name": "left", "channels": [0, 8]}},
        {"slice": {"name": "right", "from": "input", "channels": [-8, 100]}},
        {"channel_shuffle": {"groups": 4}},
        {"scale": {"bias": True}},
        {"concat": {"from": ["left", "scale1"]}},
        {"pixel_unshuffle": {"factor": 2}},
        {"pixel_shuffle": {"factor": 2}},
        {"crop": {"size": [6, 7]}},
        {"crop": {"from": "pixel_shuffle1", "like": "crop1"}},
        {"mul": {"from": ["crop1", "crop2"]}},
        {"add": {"from": ["mul1", "crop2"]}},
    ],
}


def test_every_new_kind_with_references_agrees_with_pytorch() -> None:
    need("torch")
    assert disagreements(cnncalc.from_dict(EVERY_KIND)) == []


def test_exported_kinds_compute_the_right_values() -> None:
    """Real values, not only shapes: the exported slice, shuffle, crop and pixel (un)shuffle move the same
    numbers PyTorch's functional forms do."""
    torch = need("torch")
    export = to_pytorch(cnncalc.from_dict(EVERY_KIND))
    model = getattr(load_module(export), export.class_name)().eval()
    x = torch.arange(16 * 10 * 10, dtype=torch.float32).reshape(1, 16, 10, 10).sin()
    add, right = model(x)
    left = x[:, :8]
    scaled = torch.nn.functional.channel_shuffle(x[:, 8:], 4)  # scale starts at 1 with bias 0
    merged = torch.cat([left, scaled], 1)
    back = torch.nn.functional.pixel_shuffle(torch.nn.functional.pixel_unshuffle(merged, 2), 2)
    crop = back[:, :, 2:8, 1:8]  # (10 − 6) // 2 = 2, (10 − 7) // 2 = 1
    assert torch.equal(right, x[:, 8:])
    assert torch.allclose(add, crop * crop + crop)
