"""The presets against their published figures and against the real Caffe definitions."""

from __future__ import annotations

import pytest

import cnncalc
from cnncalc.spec import LayerNode

from .caffe_reference import run as caffe_run
from .conftest import FIXTURES

CAFFE = FIXTURES / "caffe"


def report(name: str) -> cnncalc.Report:
    return cnncalc.analyze(cnncalc.preset(name))


def test_every_preset_loads_and_cites_a_source() -> None:
    for name in cnncalc.preset_names():
        spec = cnncalc.preset(name)
        assert spec.description and spec.source, name


# ------------------------------------------------------------------------------------------- AlexNet


def test_alexnet_parameters() -> None:
    # 60,965,224: the sum of bvlc_alexnet's blobs (weights and biases); recomputed layer by layer from
    # deploy.prototxt in test_alexnet_matches_caffe_layer_by_layer.
    conv = (11 * 11 * 3 * 96 + 96) + (5 * 5 * 48 * 256 + 256) + (3 * 3 * 256 * 384 + 384)
    conv += (3 * 3 * 192 * 384 + 384) + (3 * 3 * 192 * 256 + 256)
    fc = (9216 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)
    assert conv + fc == 60_965_224
    assert report("alexnet").totals.params == 60_965_224


def test_alexnet_shapes() -> None:
    # the paper's figure 2: 55×55×96 after conv1, 27×27×256 after conv2, 13×13×384/384/256, fc 4096-4096-1000
    r = report("alexnet")
    expected = {
        "conv1": (96, 55, 55),
        "pool1": (96, 27, 27),
        "conv2": (256, 27, 27),
        "pool2": (256, 13, 13),
        "conv3": (384, 13, 13),
        "conv4": (384, 13, 13),
        "conv5": (256, 13, 13),
        "pool5": (256, 6, 6),
        "fc6": (4096,),
        "fc7": (4096,),
        "fc8": (1000,),
        "prob": (1000,),
    }
    assert {name: r.find(name).output_shape for name in expected} == expected  # type: ignore[union-attr]
    assert r.input_shape == (3, 227, 227) and not r.warnings


def test_alexnet_on_224_warns_about_the_unread_row_and_column() -> None:
    r = cnncalc.analyze(cnncalc.preset("alexnet"), input_shape=(3, 224, 224))
    # (224 − 11) / 4 = 53.25: 54 windows cover rows 0..222; row 223 and column 223 are never read
    assert r.find("conv1").output_shape == (96, 54, 54)  # type: ignore[union-attr]
    (warning,) = [w for w in r.warnings if w.layer == "conv1"]
    assert "the last row and the last column" in warning.message
    assert "224 + 0 − 11 = 213 is not a multiple of the stride 4" in warning.message


def test_alexnet_description_explains_224_vs_227() -> None:
    description = cnncalc.preset("alexnet").description or ""
    assert "224" in description and "227" in description and "54.25" in description


def test_alexnet_torchvision() -> None:
    # torchvision's model documentation lists AlexNet_Weights.IMAGENET1K_V1 with 61,100,840 parameters
    # and 0.71 GFLOPS (torchvision's "GFLOPS" are MACs).
    r = report("alexnet-torchvision")
    assert r.totals.params == 61_100_840
    assert round(r.totals.macs / 1e9, 2) == 0.71
    assert r.find("conv1").output_shape == (64, 55, 55)  # type: ignore[union-attr]  # (224 + 4 − 11)//4 + 1
    assert r.find("avgpool").output_shape == (256, 6, 6)  # type: ignore[union-attr]


def test_alexnet_matches_caffe_layer_by_layer() -> None:
    caffe = caffe_run(CAFFE / "bvlc_alexnet" / "deploy.prototxt")
    r = report("alexnet")
    for name in ("conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5", "fc6", "fc7", "fc8"):
        row = r.find(name)
        assert row is not None
        assert (row.output_shape, row.params) == caffe[name], name
    assert r.totals.params == sum(params for _, params in caffe.values())


# ----------------------------------------------------------------------------------------- GoogLeNet

# Caffe's layer names → cnncalc paths: inception modules are one block whose branches are b1..b4
_BRANCH = {
    "1x1": "b1",
    "3x3_reduce": "b2",
    "3x3": "b2",
    "5x5_reduce": "b3",
    "5x5": "b3",
    "pool": "b4",
    "pool_proj": "b4",
}
_STEM = {
    "conv1/7x7_s2": "conv1",
    "pool1/3x3_s2": "pool1",
    "pool1/norm1": "norm1",
    "conv2/3x3_reduce": "conv2_reduce",
    "conv2/3x3": "conv2",
    "conv2/norm2": "norm2",
    "pool2/3x3_s2": "pool2",
    "pool3/3x3_s2": "pool3",
    "pool4/3x3_s2": "pool4",
    "pool5/7x7_s1": "pool5",
    "loss3/classifier": "classifier",
    "prob": "prob",
}


def _googlenet_path(caffe_name: str) -> str | None:
    if caffe_name in _STEM:
        return _STEM[caffe_name]
    module, _, leaf = caffe_name.partition("/")
    if module.startswith("inception_") and leaf == "output":
        return f"{module}/concat"
    if module.startswith("inception_") and leaf in _BRANCH:
        return f"{module}/{_BRANCH[leaf]}/{leaf}"
    return None  # in-place ReLU and dropout layers share their bottom's blob


def test_googlenet_matches_caffe_layer_by_layer() -> None:
    caffe = caffe_run(CAFFE / "bvlc_googlenet" / "deploy.prototxt")
    r = report("googlenet")
    compared = 0
    for caffe_name, expected in caffe.items():
        path = _googlenet_path(caffe_name)
        if path is None:
            continue
        row = r.find(path)
        assert row is not None, caffe_name
        assert (row.output_shape, row.params) == expected, caffe_name
        compared += 1
    assert compared == 12 + 9 * 8  # 12 stem/head layers, 9 modules × (6 convs + pool + concat)
    assert r.totals.params == sum(params for _, params in caffe.values()) == 6_998_552


# Szegedy et al. 2014, "Going Deeper with Convolutions", Table 1: output size (H×W×depth) per stage
GOOGLENET_TABLE1 = {
    "conv1": (64, 112, 112),
    "pool1": (64, 56, 56),
    "conv2": (192, 56, 56),
    "pool2": (192, 28, 28),
    "inception_3a": (256, 28, 28),
    "inception_3b": (480, 28, 28),
    "pool3": (480, 14, 14),
    "inception_4a": (512, 14, 14),
    "inception_4b": (512, 14, 14),
    "inception_4c": (512, 14, 14),
    "inception_4d": (528, 14, 14),
    "inception_4e": (832, 14, 14),
    "pool4": (832, 7, 7),
    "inception_5a": (832, 7, 7),
    "inception_5b": (1024, 7, 7),
    "pool5": (1024, 1, 1),
    "drop": (1024, 1, 1),
    "classifier": (1000,),
    "prob": (1000,),
}


def test_googlenet_stages_match_table1() -> None:
    r = report("googlenet")
    assert {name: r.find(name).output_shape for name in GOOGLENET_TABLE1} == GOOGLENET_TABLE1  # type: ignore[union-attr]
    assert not r.warnings


# Table 1's "ops" column (millions of multiply-adds) for the inception modules. The paper rounds
# inconsistently (4a: 73.6 → 73, 4b: 87.9 → 88), hence the tolerance of 1 M. Two rows are left out
# because they do not follow from the table's own widths: conv1 (34M for a 7×7×3 conv with 64 outputs on
# 112×112 positions, which is 7·7·3·64·112·112 = 118M) and 5a (54M; its listed widths 256, 160→320,
# 32→128, 128 on 7×7×832 give 51.1M).
TABLE1_OPS_M = {
    "inception_3a": 128,
    "inception_3b": 304,
    "inception_4a": 73,
    "inception_4b": 88,
    "inception_4c": 100,
    "inception_4d": 119,
    "inception_4e": 170,
    "inception_5b": 71,
}


def test_googlenet_module_macs_match_table1_ops() -> None:
    r = report("googlenet")
    for name, ops in TABLE1_OPS_M.items():
        assert abs(r.find(name).macs / 1e6 - ops) < 1, name  # type: ignore[union-attr]
    # conv2 row (1×1 reduce + 3×3): 360M
    assert round((r.find("conv2_reduce").macs + r.find("conv2").macs) / 1e6) == 360  # type: ignore[union-attr]
    assert r.find("classifier").macs == 1024 * 1000  # type: ignore[union-attr]  # Table 1: linear 1M


def test_googlenet_total_macs() -> None:
    # the paper (section 5): "a computational budget of 1.5 billion multiply-adds at inference time"
    macs = report("googlenet").totals.macs
    assert 1.5e9 <= macs < 1.6e9


def test_googlenet_inception_is_one_block_used_nine_times() -> None:
    spec = cnncalc.preset("googlenet")
    assert list(spec.blocks) == ["inception"]
    uses = [node for node in spec.layers if not isinstance(node, LayerNode) and node.type == "inception"]
    assert len(uses) == 9


# ------------------------------------------------------------------------------------- seed example


def test_seed_example() -> None:
    r = report("seed-example")
    first, second = r.layers
    assert (first.output_shape, first.params) == ((32, 28, 28), 32 * 3 * 3 + 32)
    # 64 filters of 5×5×32: each spans all 32 maps → 64 output maps, not 32·64
    assert (second.output_shape, second.params) == ((64, 28, 28), 64 * 5 * 5 * 32 + 64)


@pytest.mark.parametrize("name", ["alexnet", "alexnet-torchvision", "googlenet", "seed-example"])
def test_preset_yaml_round_trips(name: str) -> None:
    text = cnncalc.preset_text(name)
    assert cnncalc.analyze(cnncalc.loads(text)).to_dict() == report(name).to_dict()


# --------------------------------------------------------------------------------------------- U-Net


def _double_conv(c_in: int, c: int) -> int:
    return (3 * 3 * c_in * c + c) + (3 * 3 * c * c + c)


def test_unet_parameters() -> None:
    # Ronneberger et al. 2015, figure 1: every conv has a bias; up-convolutions 2×2 halve the channels
    encoder = _double_conv(1, 64) + _double_conv(64, 128) + _double_conv(128, 256) + _double_conv(256, 512)
    bottom = _double_conv(512, 1024)
    decoder = 0
    for c in (512, 256, 128, 64):
        decoder += (2 * 2 * (2 * c) * c + c) + _double_conv(2 * c, c)  # up-conv, then convs on the concat
    head = 1 * 1 * 64 * 2 + 2
    assert encoder + bottom + decoder + head == 31_030_658
    assert report("unet").totals.params == 31_030_658


def test_unet_shapes_follow_figure_1() -> None:
    # Ronneberger et al. 2015, figure 1: 572 → 570 → 568, pooled to 284, …, 32 → 30 → 28 at the bottom;
    # the skips are cropped from 568 to 392, 280 to 200, 136 to 104 and 64 to 56; output 2×388×388
    r = report("unet")
    expected = {
        "enc1": (64, 568, 568),
        "enc4": (512, 64, 64),
        "bottom": (1024, 28, 28),
        "dec4/up": (512, 56, 56),
        "dec4/crop": (512, 56, 56),
        "dec4/cat": (1024, 56, 56),
        "dec3/crop": (256, 104, 104),
        "dec2/crop": (128, 200, 200),
        "dec1/crop": (64, 392, 392),
        "head": (2, 388, 388),
    }
    assert {name: r.find(name).output_shape for name in expected} == expected  # type: ignore[union-attr]
    assert r.output_shape == (2, 388, 388) and not r.warnings


# ------------------------------------------------------------------------------------------ DenseNet


def test_densenet121_parameters() -> None:
    # torchvision's docs: densenet121 has 7,978,856 parameters. Derived from Huang et al. 2017, table 1:
    # growth k = 32, bottleneck 4k = 128, compression 0.5; batchnorm has 2C learnable parameters, convs no bias.
    def dense_block(c: int, layers: int) -> tuple[int, int]:
        total = 0
        for _ in range(layers):
            total += 2 * c + 1 * 1 * c * 128 + 2 * 128 + 3 * 3 * 128 * 32
            c += 32
        return total, c

    params, c = 7 * 7 * 3 * 64 + 2 * 64, 64  # conv0, norm0
    for layers in (6, 12, 24, 16):
        block, c = dense_block(c, layers)
        params += block
        if layers != 16:
            params += 2 * c + c * (c // 2)  # transition: norm, 1×1 conv halving the channels
            c //= 2
    params += 2 * c + (c * 1000 + 1000)  # norm5, classifier
    assert c == 1024 and params == 7_978_856
    r = report("densenet121")
    assert r.totals.params == 7_978_856
    assert r.find("transition3").output_shape == (512, 7, 7)  # type: ignore[union-attr]


# --------------------------------------------------------------------------------------- YOLOv3-tiny


def test_yolov3_tiny_matches_darknet() -> None:
    # pjreddie/darknet cfg/yolov3-tiny.cfg (../shared/reference/darknet, see its PROVENANCE.txt): darknet
    # prints 5.56 BFLOPs at 416×416, counting 2 × the multiply-adds of its conv layers
    r = report("yolov3-tiny")
    assert round(r.totals.flops / 1e9, 2) == 5.56
    # convs with batch_normalize=1 have no bias and 2C batchnorm parameters; the two heads have biases
    cbl = [(3, 3, 16), (3, 16, 32), (3, 32, 64), (3, 64, 128), (3, 128, 256), (3, 256, 512), (3, 512, 1024)]
    cbl += [(1, 1024, 256), (3, 256, 512), (1, 256, 128), (3, 128 + 256, 256)]
    params = sum(k * k * c_in * c + 2 * c for k, c_in, c in cbl)
    params += (512 * 255 + 255) + (256 * 255 + 255)  # 3 anchors × (80 classes + 5) per head
    assert params == 8_852_366
    assert r.totals.params == 8_852_366
    # both [yolo] heads are outputs, 13×13 first as in the cfg
    assert [(o.name, o.shape) for o in r.outputs] == [("head13", (255, 13, 13)), ("head26", (255, 26, 26))]
    # darknet's stride-1 maxpool pads only after (size − 1 = 1), shifting the 13×13 grid by half a cell, so
    # the upsampled map sits 24 input positions from the 26×26 map it is concatenated with: a real
    # misalignment of the architecture, which cnncalc reports
    assert [w.layer for w in r.warnings if "not aligned" in w.message] == ["route20", "route20"]


# ---------------------------------------------------------------------------------------------- FPN


def test_fpn_resnet50_neck_and_outputs() -> None:
    # Lin et al. 2017, section 3: 1×1 laterals from C2–C5 (256, 512, 1024, 2048 channels in ResNet-50) to
    # d = 256, a nearest ×2 top-down path added to them, and a 3×3 conv on each merged map; P2–P5 at
    # strides 4, 8, 16, 32 of a 224×224 input
    backbone = 25_557_032 - (2048 * 1000 + 1000)  # torchvision's resnet50 without its fc
    laterals = (256 + 512 + 1024 + 2048) * 256 + 4 * 256
    smoothing = 4 * (3 * 3 * 256 * 256 + 256)
    r = report("fpn-resnet50")
    assert r.totals.params == backbone + laterals + smoothing
    assert [(o.name, o.shape) for o in r.outputs] == [
        ("p2", (256, 224 // 4, 224 // 4)),
        ("p3", (256, 224 // 8, 224 // 8)),
        ("p4", (256, 224 // 16, 224 // 16)),
        ("p5", (256, 224 // 32, 224 // 32)),
    ]
    # the top-down merges read the backbone stages by name: crossing connections, no nesting
    assert r.find("top2/lateral").inputs == ("layer1/2/bottleneck1/relu1",)  # type: ignore[union-attr]
    assert r.find("top4/sum").inputs == ("top4/up", "top4/lateral")  # type: ignore[union-attr]
    assert not [w for w in r.warnings if w.kind == "graph" or "not aligned" in w.message]


# ---------------------------------------------------------------------------------------- ShuffleNetV2


def test_shufflenet_v2_parameters() -> None:
    # torchvision's docs: shufflenet_v2_x1_0 has 2,278,604 parameters. Derived from Ma et al. 2018,
    # figure 3 and table 5 (stages of 4, 8, 4 units, 116-232-464 channels): convs without bias, batchnorm 2C.
    def down_unit(c_in: int, c_out: int) -> int:
        h = c_out // 2
        left = 3 * 3 * c_in + 2 * c_in + c_in * h + 2 * h  # depthwise 3×3/2, then 1×1
        right = c_in * h + 2 * h + 3 * 3 * h + 2 * h + h * h + 2 * h  # 1×1, depthwise 3×3/2, 1×1
        return left + right

    def unit(c: int) -> int:
        h = c // 2  # the first half passes through a slice untouched
        return h * h + 2 * h + 3 * 3 * h + 2 * h + h * h + 2 * h

    params = 3 * 3 * 3 * 24 + 2 * 24
    for c_in, c_out, units in ((24, 116, 4), (116, 232, 8), (232, 464, 4)):
        params += down_unit(c_in, c_out) + (units - 1) * unit(c_out)
    params += 464 * 1024 + 2 * 1024 + (1024 * 1000 + 1000)
    assert params == 2_278_604
    r = report("shufflenet_v2_x1_0")
    assert r.totals.params == 2_278_604
    split = r.find("stage2/1/unit1/parallel1/b1/slice1")
    assert split is not None and split.output_shape == (116 // 2, 28, 28)


# -------------------------------------------------------------------------------------------- ConvNeXt


def test_convnext_tiny_parameters() -> None:
    # torchvision's docs: convnext_tiny has 28,589,128 parameters and 4.46 GFLOPS (MACs). Derived from
    # Liu et al. 2022 (stages 3-3-9-3, widths 96-192-384-768): convs with biases, LayerNorm 2C, layer scale C.
    def block(c: int) -> int:
        return (7 * 7 * c + c) + 2 * c + (c * 4 * c + 4 * c) + (4 * c * c + c) + c

    params = 4 * 4 * 3 * 96 + 96 + 2 * 96  # stem and its LayerNorm
    for c, depth in ((96, 3), (192, 3), (384, 9), (768, 3)):
        params += depth * block(c)
        if c != 768:
            params += 2 * c + (2 * 2 * c * 2 * c + 2 * c)  # LayerNorm, 2×2/2 conv doubling the channels
    params += 2 * 768 + (768 * 1000 + 1000)  # head LayerNorm, classifier
    assert params == 28_589_128
    r = report("convnext_tiny")
    assert r.totals.params == 28_589_128
    assert round(r.totals.macs / 1e9, 2) == 4.46
    scale = r.find("stage1/1/block1/b1/scale1")
    assert scale is not None and (scale.params, scale.macs) == (96, 0)  # type: ignore[union-attr]
