"""Receptive fields against independent derivations.

The report computes fields forward with Araujo et al.'s recurrences (Distill 2019). The tests derive them
another way: backwards, by mapping an output position to the input positions it reads, one layer at a time,
straight from the definition of a sliding window (output ``o`` reads ``o·s − p + j·d`` for ``j < k``), and
taking the span of what is reached; for branches, the union over paths.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cnncalc
from cnncalc.receptive import AxisField

Window1D = tuple[int, int, int, int]  # kernel, stride, padding before, dilation


def reads(positions: set[int], window: Window1D) -> set[int]:
    """Input positions (padding positions included, as Araujo counts them) that ``positions`` read."""
    k, s, p, d = window
    return {o * s - p + j * d for o in positions for j in range(k)}


def back(path: Sequence[Window1D], output: int = 0) -> set[int]:
    positions = {output}
    for window in reversed(path):
        positions = reads(positions, window)
    return positions


def span(positions: set[int]) -> tuple[int, int]:
    """(size, start) of the smallest interval holding ``positions``."""
    return max(positions) - min(positions) + 1, min(positions)


def field(report: cnncalc.Report, name: str, axis: int = 0) -> AxisField:
    row = report.find(name)
    assert row is not None, name
    return row.receptive_field[axis]


# --------------------------------------------------------------------------------------------- AlexNet

# bvlc_alexnet's deploy.prototxt (tests/fixtures/caffe): kernel, stride, pad of every conv and pool
ALEXNET = [
    ("conv1", (11, 4, 0, 1)),
    ("pool1", (3, 2, 0, 1)),
    ("conv2", (5, 1, 2, 1)),
    ("pool2", (3, 2, 0, 1)),
    ("conv3", (3, 1, 1, 1)),
    ("conv4", (3, 1, 1, 1)),
    ("conv5", (3, 1, 1, 1)),
    ("pool5", (3, 2, 0, 1)),
]


def test_alexnet_conv5_163_and_pool5_195() -> None:
    r = cnncalc.analyze(cnncalc.preset("alexnet"))
    # the figures, and by hand: 11, +2·4 = 19, +4·8 = 51, +2·8 = 67, +2·16 = 99, 131, 163, +2·16 = 195
    assert field(r, "conv5").size == 163 == span(back([w for _, w in ALEXNET[:7]]))[0]
    assert field(r, "pool5").size == 195 == span(back([w for _, w in ALEXNET]))[0]


def test_alexnet_every_layer_against_the_backward_derivation() -> None:
    r = cnncalc.analyze(cnncalc.preset("alexnet"))
    for i, (name, _) in enumerate(ALEXNET):
        path = [w for _, w in ALEXNET[: i + 1]]
        size, start = span(back(path))
        jump = min(back(path, 1)) - start  # where output 1's field starts, minus output 0's
        f = field(r, name)
        assert (f.size, f.start, f.jump) == (size, start, jump), name
    # both axes agree, and the layers between keep the field: relu5 has conv5's
    assert field(r, "pool5", 1) == field(r, "pool5")
    assert field(r, "relu5") == field(r, "conv5")


def test_fc_reads_the_whole_grid() -> None:
    r = cnncalc.analyze(cnncalc.preset("alexnet"))
    # pool5 is 6×6 with jump 32: fc6 reads all 6 positions: 195 + (6 − 1)·32 = 355
    assert (field(r, "fc6").size, field(r, "fc8").size) == (195 + 5 * 32, 195 + 5 * 32)


# ------------------------------------------------------------------------------------------ VGG-style


def vgg(convs_per_stage: Sequence[int]) -> dict[str, Any]:
    layers: list[Any] = []
    for n in convs_per_stage:
        layers += [{"conv": {"filters": 8, "kernel": 3, "padding": 1}}, "relu"] * n
        layers.append({"maxpool": {"kernel": 2}})
    return {"name": "vgg", "input": [3, 224, 224], "layers": layers}


@pytest.mark.parametrize(
    ("stages", "layer", "expected"),
    [
        # Simonyan & Zisserman 2015, section 2.3: two stacked 3×3 convs see 5×5, three see 7×7
        pytest.param([2], "conv2", 5, id="two-3x3-see-5"),
        pytest.param([3], "conv3", 7, id="three-3x3-see-7"),
        # VGG16 (2, 2, 3, 3, 3 convs per stage): by hand 3, 5, 6 | 10, 14, 16 | 24, 32, 40, 44 |
        # 60, 76, 92, 100 | 132, 164, 196, 212
        pytest.param([2, 2, 3, 3, 3], "conv13", 196, id="vgg16-conv5_3"),
        pytest.param([2, 2, 3, 3, 3], "maxpool5", 212, id="vgg16-pool5"),
    ],
)
def test_vgg_stacks(stages: list[int], layer: str, expected: int) -> None:
    r = cnncalc.analyze(cnncalc.from_dict(vgg(stages)))
    path: list[Window1D] = []
    for n in stages:
        path += [(3, 1, 1, 1)] * n + [(2, 2, 0, 1)]
    windowed = [row.name for row in r.layers if row.type != "relu"]  # one per window of path
    count = windowed.index(layer) + 1
    assert field(r, layer).size == expected == span(back(path[:count]))[0]


# ------------------------------------------------------------------------------------------ branching


def inception_1d(pool_padding: int = 1) -> dict[str, Any]:
    return {
        "name": "branches",
        "input": [4, 64],
        "layers": [
            {"conv": {"filters": 8, "kernel": 3, "stride": 2, "padding": 1}},
            {
                "parallel": {
                    "merge": "concat",
                    "branches": [
                        [{"conv": {"filters": 4, "kernel": 1}}],
                        [{"conv": {"filters": 4, "kernel": 1}}, {"conv": {"filters": 4, "kernel": 3, "padding": 1}}],
                        [{"conv": {"filters": 4, "kernel": 5, "padding": 2}}],
                        [{"maxpool": {"kernel": 3, "stride": 1, "padding": pool_padding}}],
                    ],
                }
            },
        ],
    }


def test_concat_takes_the_union_which_is_the_largest_branch() -> None:
    r = cnncalc.analyze(cnncalc.from_dict(inception_1d()))
    stem: list[Window1D] = [(3, 2, 1, 1)]
    branches: list[list[Window1D]] = [[(1, 1, 0, 1)], [(1, 1, 0, 1), (3, 1, 1, 1)], [(5, 1, 2, 1)], [(3, 1, 1, 1)]]
    union: set[int] = set()
    for b in branches:
        union |= back(stem + b)
    # stem: 3 positions at jump 2; the 5-wide branch adds (5 − 1)·2 = 8: 11, starting at −1 − 2·2 = −5
    assert span(union) == (3 + 4 * 2, -1 - 2 * 2)
    f = field(r, "parallel1/concat")
    assert (f.size, f.start, f.jump) == (*span(union), 2)
    assert field(r, "parallel1") == f  # the module's field is its merge's
    assert not r.warnings  # every branch is centred: padding (k − 1)/2


def test_misaligned_branches_warn() -> None:
    def net(pad: list[list[int]]) -> dict[str, Any]:
        pool = [{"zeropad": {"padding": pad}}, {"maxpool": {"kernel": 3, "stride": 1}}]
        return {
            "name": "shifted",
            "input": [4, 9],
            "layers": [{"parallel": {"merge": "add", "branches": [pool, []]}}],
        }

    # zero padding 2 before and none after keeps the length (9 + 2 − 3 + 1 = 9) but shifts the window:
    # b1's field of output 0 is [−2, 0], centred at −1; the identity's is [0, 0]
    r = cnncalc.analyze(cnncalc.from_dict(net([[2, 0]])))
    (warning,) = r.warnings
    assert warning.layer == "parallel1/add" and "not aligned along length" in warning.message
    assert "b1 centre -1 jump 1, b2 centre 0 jump 1" in warning.message
    assert span(back([(1, 1, 2, 1), (3, 1, 0, 1)])) == (3, -2)
    # padding 1 on both sides centres the window
    assert not cnncalc.analyze(cnncalc.from_dict(net([[1, 1]]))).warnings


def test_tensorflow_same_residual_is_misaligned() -> None:
    # TF 'same' at stride 2 on an even input pads (0, 1): the 3×3 branch is centred one pixel right of
    # the 1×1 stride-2 shortcut, a known trait of TF-style ResNets
    spec = {
        "name": "tf-resnet-down",
        "input": [8, 8, 8],
        "layers": [
            {
                "parallel": {
                    "merge": "add",
                    "branches": [
                        [{"conv": {"filters": 8, "kernel": 3, "stride": 2, "padding": "same"}}],
                        [{"conv": {"filters": 8, "kernel": 1, "stride": 2}}],
                    ],
                }
            }
        ],
    }

    def merge_warnings() -> set[str]:
        r = cnncalc.analyze(cnncalc.from_dict(spec))
        return {w.message.split(" (")[0] for w in r.warnings if w.layer == "parallel1/add"}

    assert merge_warnings() == {
        "the inputs' grids are not aligned along height",
        "the inputs' grids are not aligned along width",
    }
    # with symmetric padding 1 the fields are centred on the same pixel
    spec["layers"][0]["parallel"]["branches"][0][0]["conv"]["padding"] = 1
    assert not merge_warnings()


# ------------------------------------------------------------------------- other layers, JSON, property


def test_dilation_deconv_adaptive_and_global() -> None:
    spec = {
        "name": "mixed",
        "input": [1, 32],
        "layers": [
            {"conv": {"filters": 2, "kernel": 3, "dilation": 4, "padding": 4}},  # span 9
            {"maxpool": {"kernel": 2}},
            {"deconv": {"filters": 2, "kernel": 4, "stride": 2, "padding": 1}},
            {"adaptive_avgpool": {"output_size": 8}},
            "global_avgpool",
        ],
    }
    r = cnncalc.analyze(cnncalc.from_dict(spec))
    conv = field(r, "conv1")
    assert (conv.size, conv.start, conv.jump) == (*span(back([(3, 1, 4, 4)])), 1)
    pool = field(r, "maxpool1")
    assert (pool.size, pool.jump) == (9 + 1, 2)
    # the deconv (k 4, s 2, p 1) reads at most ⌈4/2⌉ = 2 pool outputs: 10 + (2 − 1)·2 = 12; jump 2/2 = 1;
    # output 0 reads pool outputs ⌈(0 + 1 − 3)/2⌉ = −1 … ⌊1/2⌋ = 0: it starts 1 pool position (2) earlier
    deconv = field(r, "deconv1")
    assert (deconv.size, deconv.jump, deconv.start) == (10 + 2, 1, pool.start - 2)
    # 32 positions pooled to 8: windows of exactly 4 at stride 4
    adaptive = field(r, "adaptive_avgpool1")
    assert (adaptive.size, adaptive.jump) == (12 + 3 * 1, 4)
    # global: all 8 positions: 15 + 7·4
    assert field(r, "global_avgpool1").size == 15 + 7 * 4


def test_transposed_field_is_the_most_inputs_any_output_reads() -> None:
    for k, s, p in [(4, 2, 1), (3, 2, 1), (2, 2, 0), (5, 3, 2), (3, 1, 1)]:
        spec = {
            "name": "d",
            "input": [1, 10],
            "layers": [{"deconv": {"filters": 1, "kernel": k, "stride": s, "padding": p}}],
        }
        r = cnncalc.analyze(cnncalc.from_dict(spec))
        n_out = r.layers[0].output_shape[1]
        read = [{i for i in range(-k, 10 + k) for j in range(k) if i * s - p + j == o} for o in range(n_out)]
        f = field(r, "deconv1")
        assert f.size == max(span(x)[0] for x in read), (k, s, p)
        assert f.start == min(read[0]), (k, s, p)


def test_json_fields() -> None:
    data = cnncalc.analyze(cnncalc.preset("alexnet")).to_dict()
    conv5 = next(row for row in data["layers"] if row["name"] == "conv5")
    # Araujo's effective padding of conv5: 0 + 0·4 + 2·8 + 0·8 + 1·16 + 1·16 + 1·16 = 64; centre (163 − 1)/2 − 64
    assert conv5["receptive_field"] == {"size": [163, 163], "jump": [16, 16], "padding": [64, 64], "centre": [17, 17]}
    flat = cnncalc.analyze(cnncalc.from_dict({"name": "mlp", "input": [20], "layers": [{"fc": {"units": 4}}]}))
    assert flat.to_dict()["layers"][0]["receptive_field"] is None


layers_1d = st.lists(
    st.tuples(
        st.sampled_from(["conv", "maxpool", "avgpool"]),
        st.integers(1, 5),  # kernel
        st.integers(1, 3),  # stride
        st.integers(0, 2),  # padding
        st.integers(1, 3),  # dilation
    ),
    min_size=1,
    max_size=6,
)


@given(layers_1d)
def test_chains_match_the_backward_derivation(chain: list[tuple[str, int, int, int, int]]) -> None:
    layers: list[Any] = []
    path: list[Window1D] = []
    for kind, k, s, p, d in chain:
        p = min(p, k // 2)  # PyTorch's pooling limit; harmless for conv
        if kind == "avgpool":
            d = 1
        args: dict[str, Any] = {"kernel": k, "stride": s, "padding": p}
        if kind == "conv":
            args["filters"] = 2
        if kind != "avgpool":
            args["dilation"] = d
        layers.append({kind: args})
        path.append((k, s, p, d))
    try:
        r = cnncalc.analyze(cnncalc.from_dict({"name": "chain", "input": [1, 400], "layers": layers}))
    except cnncalc.SpecError:
        return  # the input shrank to nothing; not a field question
    last = r.layers[-1].receptive_field[0]
    size, start = span(back(path))
    assert (last.size, last.start) == (size, start)
    if r.layers[-1].output_shape[1] > 1:
        assert last.jump == min(back(path, 1)) - start


@pytest.mark.parametrize(
    ("mode", "size", "start"),
    [
        # nearest copies one input per output
        pytest.param("nearest", 1, 0, id="nearest"),
        # bilinear blends ⌊x⌋ and ⌊x⌋ + 1 (PyTorch's upsample_bilinear2d): 2 inputs per output
        pytest.param("bilinear", 2, 0, id="bilinear"),
        # bicubic blends ⌊x⌋ − 1 … ⌊x⌋ + 2 (upsample_bicubic2d): 4 inputs, starting one before
        pytest.param("bicubic", 4, -1, id="bicubic"),
    ],
)
def test_upsample_field_is_the_interpolation_footprint(mode: str, size: int, start: int) -> None:
    spec = {"name": "t", "input": [1, 8, 8], "layers": [{"upsample": {"scale_factor": 2, "mode": mode}}]}
    height, width = cnncalc.analyze(cnncalc.from_dict(spec)).layers[0].receptive_field
    assert (height.size, height.start, height.jump) == (size, start, Fraction(1, 2))
    assert width == height
