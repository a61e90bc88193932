"""Per layer kind: (layer, input shape) → (output shape, params, MACs).

Expected values are written as the arithmetic a reader can check by hand, with the reasoning beside it;
they are never computed by the code under test.
"""

from __future__ import annotations

from typing import Any

import pytest

import cnncalc
from cnncalc.layers import REGISTRY


def one(layer: Any, input_shape: list[int]) -> cnncalc.LayerResult:
    report = cnncalc.analyze(cnncalc.from_dict({"name": "t", "input": input_shape, "layers": [layer]}))
    assert len(report.layers) == 1
    return report.layers[0]


CASES = [
    # ---- conv: weights = k·k·(C_in/groups)·C_out, biases = C_out, MACs = weights · output positions
    pytest.param(
        {"conv": {"filters": 96, "kernel": 11, "stride": 4}},
        [3, 227, 227],
        (96, 55, 55),
        11 * 11 * 3 * 96 + 96,
        11 * 11 * 3 * 96 * 55 * 55,
        id="conv-alexnet-conv1",
    ),
    pytest.param(
        {"conv": {"filters": 32, "kernel": 3, "padding": 1}},
        [1, 28, 28],
        (32, 28, 28),
        32 * 3 * 3 + 32,
        32 * 3 * 3 * 28 * 28,
        id="conv-seed-first",
    ),
    pytest.param(  # each of the 64 filters spans all 32 maps: 64 output maps, not 32·64
        {"conv": {"filters": 64, "kernel": 5, "padding": 2}},
        [32, 28, 28],
        (64, 28, 28),
        64 * 5 * 5 * 32 + 64,
        64 * 5 * 5 * 32 * 28 * 28,
        id="conv-seed-second",
    ),
    pytest.param(  # AlexNet conv2: 2 groups of 48 input channels → 128 filters each
        {"conv": {"filters": 256, "kernel": 5, "padding": 2, "groups": 2}},
        [96, 27, 27],
        (256, 27, 27),
        5 * 5 * 48 * 256 + 256,
        5 * 5 * 48 * 256 * 27 * 27,
        id="conv-grouped",
    ),
    pytest.param(  # depthwise: each filter sees one channel
        {"conv": {"filters": 32, "kernel": 3, "padding": 1, "groups": 32}},
        [32, 112, 112],
        (32, 112, 112),
        3 * 3 * 1 * 32 + 32,
        3 * 3 * 32 * 112 * 112,
        id="conv-depthwise",
    ),
    pytest.param(  # depthwise multiplier 2: 64 filters over 32 groups of 1 channel
        {"conv": {"filters": 64, "kernel": 3, "groups": 32, "bias": False}},
        [32, 10, 10],
        (64, 8, 8),
        3 * 3 * 1 * 64,
        3 * 3 * 64 * 8 * 8,
        id="conv-depth-multiplier",
    ),
    pytest.param(  # a 1×1 conv mixes channels: 256·64 weights
        {"conv": {"filters": 64, "kernel": 1, "bias": False}},
        [256, 56, 56],
        (64, 56, 56),
        256 * 64,
        256 * 64 * 56 * 56,
        id="conv-1x1-no-bias",
    ),
    pytest.param(  # stride 2, asymmetric kernel, per-axis padding: H (14+2-3)//2+1=7, W (14+0-1)//2+1=7
        {"conv": {"filters": 8, "kernel": [3, 1], "stride": 2, "padding": [1, 0]}},
        [4, 14, 14],
        (8, 7, 7),
        3 * 1 * 4 * 8 + 8,
        3 * 1 * 4 * 8 * 7 * 7,
        id="conv-per-axis",
    ),
    pytest.param(  # dilation 2: span 5 → (32 - 5) + 1 = 28
        {"conv": {"filters": 16, "kernel": 3, "dilation": 2}},
        [8, 32, 32],
        (16, 28, 28),
        3 * 3 * 8 * 16 + 16,
        3 * 3 * 8 * 16 * 28 * 28,
        id="conv-dilated",
    ),
    pytest.param(  # TF same at stride 2 on 224: out 112 with padding (0, 1)
        {"conv": {"filters": 32, "kernel": 3, "stride": 2, "padding": "same"}},
        [3, 224, 224],
        (32, 112, 112),
        3 * 3 * 3 * 32 + 32,
        3 * 3 * 3 * 32 * 112 * 112,
        id="conv-same-stride2",
    ),
    pytest.param(
        {"conv": {"filters": 32, "kernel": 3, "padding": "valid"}},
        [3, 10, 10],
        (32, 8, 8),
        3 * 3 * 3 * 32 + 32,
        3 * 3 * 3 * 32 * 8 * 8,
        id="conv-valid",
    ),
    pytest.param(  # asymmetric pairs: H 5 + 0 + 1 - 3 + 1 = 4 (stride 1), W 5 + 1 + 1 - 3 + 1 = 5
        {"conv": {"filters": 2, "kernel": 3, "padding": [[0, 1], [1, 1]]}},
        [1, 5, 5],
        (2, 4, 5),
        3 * 3 * 1 * 2 + 2,
        3 * 3 * 2 * 4 * 5,
        id="conv-asymmetric-pairs",
    ),
    pytest.param(  # 1-D: (16000 - 80) // 4 + 1 = 3981
        {"conv": {"filters": 128, "kernel": 80, "stride": 4}},
        [1, 16000],
        (128, 3981),
        80 * 1 * 128 + 128,
        80 * 128 * 3981,
        id="conv-1d",
    ),
    pytest.param(  # 3-D over a [1, 1337, 42, 314] volume with a 3×4×5 kernel
        {"conv": {"filters": 8, "kernel": [3, 4, 5]}},
        [1, 1337, 42, 314],
        (8, 1335, 39, 310),
        3 * 4 * 5 * 1 * 8 + 8,
        3 * 4 * 5 * 8 * 1335 * 39 * 310,
        id="conv-3d",
    ),
    pytest.param(  # the same maps as channels of a 2-D conv: each 3×3 filter spans all 1337 maps
        {"conv": {"filters": 8, "kernel": 3}},
        [1337, 42, 314],
        (8, 40, 312),
        3 * 3 * 1337 * 8 + 8,
        3 * 3 * 1337 * 8 * 40 * 312,
        id="conv-2d-many-channels",
    ),
    # ---- deconv: weights = k·k·C_in·(C_out/groups), MACs = weights · input positions
    pytest.param(  # (4 - 1)·2 - 2·1 + 3 + 1 = 8
        {"deconv": {"filters": 64, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1}},
        [128, 4, 4],
        (64, 8, 8),
        3 * 3 * 128 * 64 + 64,
        3 * 3 * 128 * 64 * 4 * 4,
        id="deconv-double",
    ),
    pytest.param(  # DCGAN-style 4×4 stride 2 pad 1: (8 - 1)·2 - 2 + 4 = 16
        {"deconv": {"filters": 3, "kernel": 4, "stride": 2, "padding": 1, "bias": False}},
        [64, 8, 8],
        (3, 16, 16),
        4 * 4 * 64 * 3,
        4 * 4 * 64 * 3 * 8 * 8,
        id="deconv-dcgan",
    ),
    pytest.param(  # groups 4: weights = 2·2·16·(8/4)
        {"deconv": {"filters": 8, "kernel": 2, "stride": 2, "groups": 4}},
        [16, 5, 5],
        (8, 10, 10),
        2 * 2 * 16 * (8 // 4) + 8,
        2 * 2 * 16 * 2 * 5 * 5,
        id="deconv-grouped",
    ),
    pytest.param(  # Keras same: N·S = 14
        {"deconv": {"filters": 1, "kernel": 3, "stride": 2, "padding": "same", "bias": False}},
        [2, 7, 7],
        (1, 14, 14),
        3 * 3 * 2 * 1,
        3 * 3 * 2 * 7 * 7,
        id="deconv-same",
    ),
    # ---- pooling: per channel, no parameters, no MACs
    pytest.param(
        {"maxpool": {"kernel": 3, "stride": 2}},
        [96, 55, 55],
        (96, 27, 27),
        0,
        0,
        id="maxpool-overlapping",
    ),
    pytest.param(  # stride defaults to the kernel
        {"maxpool": {"kernel": 2}},
        [64, 32, 32],
        (64, 16, 16),
        0,
        0,
        id="maxpool-default-stride",
    ),
    pytest.param(  # ceil((112 - 3) / 2) + 1 = 56
        {"maxpool": {"kernel": 3, "stride": 2, "ceil_mode": True}},
        [64, 112, 112],
        (64, 56, 56),
        0,
        0,
        id="maxpool-ceil",
    ),
    pytest.param(  # (7 + 2 - 3) / 1 + 1 = 7 (GoogLeNet's branch pool)
        {"maxpool": {"kernel": 3, "stride": 1, "padding": 1}},
        [192, 7, 7],
        (192, 7, 7),
        0,
        0,
        id="maxpool-pad",
    ),
    pytest.param(
        {"avgpool": {"kernel": 7, "stride": 1}},
        [1024, 7, 7],
        (1024, 1, 1),
        0,
        0,
        id="avgpool-7x7",
    ),
    pytest.param(
        {"avgpool": {"kernel": [1, 2, 2]}},
        [64, 16, 112, 112],
        (64, 16, 56, 56),
        0,
        0,
        id="avgpool-3d-spatial-only",
    ),
    pytest.param("global_avgpool", [512, 7, 7], (512, 1, 1), 0, 0, id="global-avgpool"),
    pytest.param("global_maxpool", [512, 100], (512, 1), 0, 0, id="global-maxpool-1d"),
    pytest.param({"adaptive_avgpool": {"output_size": 6}}, [256, 13, 13], (256, 6, 6), 0, 0, id="adaptive"),
    pytest.param(
        {"adaptive_maxpool": {"output_size": [2, 3]}},
        [8, 9, 9],
        (8, 2, 3),
        0,
        0,
        id="adaptive-max-per-axis",
    ),
    # ---- fc: flattens; weights = in·out, MACs = in·out
    pytest.param(  # AlexNet fc6: 256·6·6 = 9216 inputs
        {"fc": {"units": 4096}},
        [256, 6, 6],
        (4096,),
        256 * 6 * 6 * 4096 + 4096,
        256 * 6 * 6 * 4096,
        id="fc-flattens",
    ),
    pytest.param({"fc": {"units": 10, "bias": False}}, [84], (10,), 84 * 10, 84 * 10, id="fc-no-bias"),
    pytest.param("flatten", [16, 5, 5], (16 * 5 * 5,), 0, 0, id="flatten"),
    # ---- batchnorm: 2C learnable (scale, shift); 2C running statistics counted separately
    pytest.param("batchnorm", [64, 56, 56], (64, 56, 56), 2 * 64, 0, id="batchnorm"),
    pytest.param({"batchnorm": {"affine": False}}, [64, 56, 56], (64, 56, 56), 0, 0, id="batchnorm-not-affine"),
    pytest.param("batchnorm", [100], (100,), 2 * 100, 0, id="batchnorm-1d-features"),
    # ---- shape-preserving kinds
    pytest.param({"lrn": {"size": 5}}, [96, 55, 55], (96, 55, 55), 0, 0, id="lrn"),
    pytest.param({"dropout": {"rate": 0.4}}, [1024, 1, 1], (1024, 1, 1), 0, 0, id="dropout"),
    pytest.param({"leaky_relu": {"negative_slope": 0.2}}, [8, 4, 4], (8, 4, 4), 0, 0, id="leaky-relu"),
    pytest.param({"elu": {"alpha": 0.5}}, [8], (8,), 0, 0, id="elu"),
    # ---- prelu: one learned slope per channel (He et al. 2015, eq. 1; PyTorch's nn.PReLU(num_parameters=C))
    pytest.param("prelu", [8, 4, 4], (8, 4, 4), 8, 0, id="prelu"),
    pytest.param({"prelu": {"shared": True}}, [8, 4, 4], (8, 4, 4), 1, 0, id="prelu-shared"),
    *[
        pytest.param(kind, [8, 4, 4], (8, 4, 4), 0, 0, id=kind)
        for kind in (
            "relu",
            "relu6",
            "sigmoid",
            "tanh",
            "gelu",
            "silu",
            "hardswish",
            "hardsigmoid",
            "softmax",
            "identity",
        )
    ],
    # ---- opaque: the declared shape and parameters; its cost is unknown, so 0 MACs are counted
    pytest.param(
        {"opaque": {"op": "InstanceNormalization", "output_shape": [4, 8, 8], "params": 4 + 4}},
        [4, 8, 8],
        (4, 8, 8),
        4 + 4,
        0,
        id="opaque",
    ),
    pytest.param({"opaque": {"op": "Shuffle", "output_shape": [12]}}, [3, 2, 2], (12,), 0, 0, id="opaque-reshape"),
    # ---- zeropad: N + before + after
    pytest.param({"zeropad": {"padding": [[0, 1], [2, 3]]}}, [3, 10, 10], (3, 11, 15), 0, 0, id="zeropad"),
    pytest.param({"zeropad": {"padding": 2}}, [3, 10], (3, 14), 0, 0, id="zeropad-1d"),
    # ---- upsample: N · scale_factor per axis, or the given size; no parameters
    pytest.param({"upsample": {"scale_factor": 2}}, [64, 28, 28], (64, 56, 56), 0, 0, id="upsample-nearest"),
    pytest.param(
        {"upsample": {"scale_factor": [1, 2, 3], "mode": "trilinear"}},
        [4, 5, 6, 7],
        (4, 5, 12, 21),
        0,
        0,
        id="upsample-3d-per-axis",
    ),
    pytest.param(
        {"upsample": {"size": [30, 40], "mode": "bilinear", "align_corners": True}},
        [3, 15, 15],
        (3, 30, 40),
        0,
        0,
        id="upsample-size",
    ),
    # ---- groupnorm / layernorm: PyTorch's GroupNorm(G, C) has 2C parameters; LayerNorm(shape) 2·numel(shape)
    pytest.param({"groupnorm": {"groups": 32}}, [256, 14, 14], (256, 14, 14), 2 * 256, 0, id="groupnorm"),
    pytest.param({"groupnorm": {"groups": 4, "affine": False}}, [8, 3, 3], (8, 3, 3), 0, 0, id="groupnorm-plain"),
    pytest.param("layernorm", [96, 7, 7], (96, 7, 7), 2 * 96 * 7 * 7, 0, id="layernorm-all"),
    pytest.param({"layernorm": {"over": "channels"}}, [96, 56, 56], (96, 56, 56), 2 * 96, 0, id="layernorm-channels"),
    pytest.param("layernorm", [768], (768,), 2 * 768, 0, id="layernorm-vector"),
    # RegNet/ResNeXt group width: groups = 64 / 16 = 4, each filter spans 16 channels
    pytest.param(
        {"conv": {"filters": 64, "kernel": 3, "padding": 1, "group_width": 16}},
        [64, 8, 8],
        (64, 8, 8),
        3 * 3 * 16 * 64 + 64,
        3 * 3 * 16 * 64 * 8 * 8,
        id="conv-group-width",
    ),
    # ---- slice, channel_shuffle, pixel (un)shuffle, crop: values moved, no parameters; scale: C (+ C)
    # ShuffleNetV2's split of 116 channels into two halves (Ma et al. 2018, fig. 3c)
    pytest.param({"slice": {"channels": [0, 58]}}, [116, 28, 28], (58, 28, 28), 0, 0, id="slice-first-half"),
    pytest.param({"slice": {"channels": [58, 116]}}, [116, 28, 28], (116 - 58, 28, 28), 0, 0, id="slice-second"),
    pytest.param({"slice": {"channels": [-8, 1000]}}, [16, 4, 4], (8, 4, 4), 0, 0, id="slice-negative-clipped"),
    pytest.param({"slice": {"channels": [2, -2]}}, [16, 9], (16 - 2 - 2, 9), 0, 0, id="slice-1d-negative-stop"),
    pytest.param({"channel_shuffle": {"groups": 2}}, [116, 28, 28], (116, 28, 28), 0, 0, id="channel-shuffle"),
    # ConvNeXt's layer scale: one γ per channel (Liu et al. 2022)
    pytest.param("scale", [96, 56, 56], (96, 56, 56), 96, 0, id="scale"),
    pytest.param({"scale": {"bias": True}}, [96, 56, 56], (96, 56, 56), 2 * 96, 0, id="scale-bias"),
    pytest.param({"pixel_shuffle": {"factor": 2}}, [64, 10, 12], (64 // 2**2, 2 * 10, 2 * 12), 0, 0, id="ps"),
    pytest.param({"pixel_shuffle": {"factor": 2}}, [16, 5], (16 // 2, 2 * 5), 0, 0, id="pixel-shuffle-1d"),
    # YOLOv5's focus: 3×640×640 → 12×320×320
    pytest.param({"pixel_unshuffle": {"factor": 2}}, [3, 640, 640], (3 * 2**2, 320, 320), 0, 0, id="unshuffle"),
    pytest.param({"pixel_unshuffle": {"factor": 2}}, [2, 4, 6, 8], (2 * 2**3, 2, 3, 4), 0, 0, id="unshuffle-3d"),
    # the U-Net's first skip: 64×568×568 cropped to 392×392 (Ronneberger et al. 2015, fig. 1)
    pytest.param({"crop": {"size": 392}}, [64, 568, 568], (64, 392, 392), 0, 0, id="crop-unet"),
    pytest.param({"crop": {"size": [3, 4]}}, [1, 6, 4], (1, 3, 4), 0, 0, id="crop-axes"),
]


@pytest.mark.parametrize(("layer", "input_shape", "output", "params", "macs"), CASES)
def test_layer(layer: Any, input_shape: list[int], output: tuple[int, ...], params: int, macs: int) -> None:
    row = one(layer, input_shape)
    assert (row.output_shape, row.params, row.macs) == (output, params, macs)
    assert row.flops == 2 * macs
    assert row.weights + row.biases == row.params


def test_every_kind_has_a_case() -> None:
    covered = set()
    for case in CASES:
        layer = case.values[0]
        covered.add(layer if isinstance(layer, str) else next(iter(layer)))
    assert set(REGISTRY) <= covered


def test_batchnorm_running_statistics_are_non_trainable() -> None:
    row = one("batchnorm", [64, 8, 8])
    # PyTorch: weight (64) + bias (64) learnable; running_mean + running_var (2·64) buffers
    assert (row.weights, row.biases, row.non_trainable_params) == (64, 64, 2 * 64)


def test_conv_weights_and_biases_are_separate() -> None:
    row = one({"conv": {"filters": 96, "kernel": 11, "stride": 4}}, [3, 227, 227])
    assert (row.weights, row.biases) == (11 * 11 * 3 * 96, 96)


@pytest.mark.parametrize(
    ("alias", "kind"),
    [
        ("conv2d", "conv"),
        ("linear", "fc"),
        ("dense", "fc"),
        ("bn", "batchnorm"),
        ("swish", "silu"),
        ("conv_transpose", "deconv"),
        ("gap", "global_avgpool"),
    ],
)
def test_aliases(alias: str, kind: str) -> None:
    args = {
        "conv2d": {"filters": 4, "kernel": 1},
        "linear": {"units": 2},
        "dense": {"units": 2},
        "conv_transpose": {"filters": 4, "kernel": 2},
    }.get(alias)
    row = one({alias: args} if args else alias, [4, 6, 6])
    assert row.type == kind


@pytest.mark.parametrize(
    ("layer", "input_shape", "message"),
    [
        pytest.param(
            {"conv": {"filters": 8, "kernel": 3, "groups": 3}},
            [4, 8, 8],
            "groups = 3 must divide the 4 input channels",
            id="groups-channels",
        ),
        pytest.param(
            {"conv": {"filters": 8, "kernel": 3, "groups": 3}},
            [6, 8, 8],
            "groups = 3 must divide the 8 filters",
            id="groups-filters",
        ),
        pytest.param({"conv": {"filters": 8, "kernel": 5}}, [3, 4, 4], "output height would be 0", id="output-zero"),
        pytest.param(
            {"maxpool": {"kernel": 3, "dilation": 3}},
            [3, 6, 6],
            "output height would be 0: the maxpool window (3·(3 − 1) + 1 = 7)",
            id="dilated-too-big",
        ),
        pytest.param(
            {"conv": {"filters": 8, "kernel": [3, 3]}},
            [3, 10],
            "kernel has 2 values [3, 3] but the input has 1 spatial axis",
            id="rank-mismatch",
        ),
        pytest.param(
            {"conv": {"filters": 8, "kernel": 3, "padding": [1, 1, 1]}},
            [3, 10, 10],
            "padding has 3 entries",
            id="padding-rank",
        ),
        pytest.param(
            {"conv": {"filters": 8, "kernel": 3}}, [30], "conv needs an input with spatial axes", id="conv-on-vector"
        ),
        pytest.param(
            {"conv2d": {"filters": 8, "kernel": 3}}, [3, 100], "conv2d expects 2 spatial axes", id="alias-rank"
        ),
        pytest.param("global_avgpool", [30], "global_avgpool needs an input with spatial axes", id="global-on-vector"),
        pytest.param(
            {"groupnorm": {"groups": 3}}, [8, 4, 4], "groups = 3 must divide the 8 channels", id="groupnorm-groups"
        ),
        pytest.param(
            {"upsample": {"scale_factor": 2, "mode": "bilinear"}},
            [3, 16],
            "mode bilinear interpolates 2 spatial axes, but the input has 1",
            id="upsample-mode-rank",
        ),
        pytest.param(
            {"upsample": {"size": [4, 4]}}, [3, 16], "size has 2 values [4, 4] but the input has 1", id="upsample-size"
        ),
    ],
)
def test_shape_errors(layer: Any, input_shape: list[int], message: str) -> None:
    with pytest.raises(cnncalc.SpecError) as info:
        one(layer, input_shape)
    assert message in str(info.value)
    assert info.value.diagnostics[0].layer is not None
