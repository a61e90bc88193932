"""The model-zoo presets against the figures their sources publish.

torchvision's figures: the documentation's table of classification weights
(https://pytorch.org/vision/stable/models.html — "Params" and "GFLOPS"), i.e. the ``num_params`` and
``_ops`` entries of each weights enum's metadata in torchvision 0.28 (torchvision/models/vgg.py,
resnet.py, mobilenetv2.py, mobilenetv3.py, efficientnet.py, squeezenet.py). ``num_params`` is
``sum(p.numel())`` — batchnorm running statistics excluded — and ``_ops`` (GFLOPS) counts the
multiply-accumulates of conv and linear weights: cnncalc's default convention, to the unit.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

import pytest

import cnncalc

from .caffe_reference import run as caffe_run
from .conftest import FIXTURES, Result


def totals(name: str) -> cnncalc.Totals:
    return cnncalc.analyze(cnncalc.preset(name)).totals


@pytest.mark.parametrize(
    ("name", "params", "gflops"),
    [
        # torchvision documentation: VGG16_Weights.IMAGENET1K_V1 138,357,544 params, 15.47 GFLOPS
        # (_ops 15.47); Keras's VGG16 lists the same 138,357,544
        pytest.param("vgg16", 138_357_544, 15.470, id="vgg16"),
        pytest.param("vgg11", 132_863_336, 7.609, id="vgg11"),  # VGG11_Weights.IMAGENET1K_V1, 7.61 GFLOPS
        pytest.param("resnet18", 11_689_512, 1.814, id="resnet18"),  # ResNet18_Weights.IMAGENET1K_V1, 1.81
        pytest.param("resnet50", 25_557_032, 4.089, id="resnet50"),  # ResNet50_Weights.IMAGENET1K_V1, 4.09
        pytest.param("mobilenet_v2", 3_504_872, 0.301, id="mobilenet_v2"),  # MobileNet_V2_Weights, 0.30
        pytest.param("mobilenet_v3_small", 2_542_856, 0.057, id="mobilenet_v3_small"),  # ..._Small_Weights, 0.06
        pytest.param("efficientnet_b0", 5_288_548, 0.386, id="efficientnet_b0"),  # EfficientNet_B0_Weights, 0.39
        pytest.param("squeezenet1_0", 1_248_424, 0.819, id="squeezenet1_0"),  # SqueezeNet1_0_Weights, 0.82
        pytest.param("alexnet-torchvision", 61_100_840, 0.714, id="alexnet-torchvision"),  # AlexNet_Weights, 0.71
    ],
)
def test_torchvision_figures(name: str, params: int, gflops: float) -> None:
    t = totals(name)
    assert t.params == params
    assert round(t.macs / 1e9, 3) == gflops  # torchvision's _ops has three decimals, its table two
    assert round(t.macs / 1e9, 2) == round(gflops, 2)


@pytest.mark.parametrize(
    ("name", "statistics"),
    [
        # running mean and variance, 2 per batchnorm channel; excluded from torchvision's num_params
        # stem 64; layer1 2 blocks × 2 × 64; layers 2-4: 2 blocks × 2 × width + the downsample's width
        pytest.param("resnet18", 2 * (64 + 4 * 64 + 5 * 128 + 5 * 256 + 5 * 512), id="resnet18"),
        # stem 64; per bottleneck 2·width + 4·width; + the downsample 4·width in each stage's first block
        pytest.param(
            "resnet50",
            2 * (64 + 3 * 6 * 64 + 256 + 4 * 6 * 128 + 512 + 6 * 6 * 256 + 1024 + 3 * 6 * 512 + 2048),
            id="resnet50",
        ),
        pytest.param("vgg16", 0, id="vgg16-no-batchnorm"),
    ],
)
def test_batchnorm_statistics_are_counted_apart(name: str, statistics: int) -> None:
    t = totals(name)
    assert t.non_trainable_params == statistics
    assert t.total_params == t.params + statistics


def test_vgg16_layer_arithmetic() -> None:
    # thirteen 3×3 convs with biases, then fc 25088-4096-4096-1000 (Simonyan & Zisserman, Table 1 D)
    widths = [3, 64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
    convs = sum(3 * 3 * cin * cout + cout for cin, cout in itertools.pairwise(widths))
    fcs = (512 * 7 * 7 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)
    assert convs + fcs == 138_357_544 == totals("vgg16").params


def test_mobilenet_v1_rounds_to_the_paper() -> None:
    """Howard et al. 2017, Table 2: "1.0 MobileNet-224 ... 569 [million mult-adds] 4.2 [million parameters]"."""
    r = cnncalc.analyze(cnncalc.preset("mobilenet_v1"))
    conv_weights = sum(row.weights for row in r.layers if row.type == "conv")
    conv_macs = sum(row.macs for row in r.layers if row.type == "conv")
    fc = r.find("fc")
    assert isinstance(fc, cnncalc.LayerResult)
    # 3×3×3×32 stem; per separable layer 3·3·C depthwise + C·C' pointwise (Table 1)
    separable = [(32, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 512)]
    separable += [(512, 512)] * 5 + [(512, 1024), (1024, 1024)]
    assert conv_weights == 3 * 3 * 3 * 32 + sum(9 * c + c * out for c, out in separable) == 3_185_088
    assert (fc.weights, fc.biases) == (1024 * 1000, 1000)
    assert conv_macs + fc.macs == 568_740_352 and round((conv_macs + fc.macs) / 1e6) == 569
    assert conv_weights + fc.weights == 4_209_088 and round((conv_weights + fc.weights) / 1e6, 1) == 4.2
    # Keras's MobileNet (alpha 1.0): Total params 4,253,864, trainable 4,231,976, non-trainable 21,888
    assert (r.totals.total_params, r.totals.params, r.totals.non_trainable_params) == (4_253_864, 4_231_976, 21_888)
    # the table's "s2" at 7×7 is a typo: with stride 1 the 7×7 average pool sees a 7×7 map
    assert r.find("sep13/dw").output_shape == (1024, 7, 7)  # type: ignore[union-attr]
    assert r.output_shape == (1000,)


def test_lenet5() -> None:
    # 1×32×32 → C1 6@5×5 → S2 → C3 16@5×5 → S4 → C5 120 → F6 84 → 10 (LeCun et al. 1998, Fig. 2)
    c1, c3 = 6 * 5 * 5 * 1 + 6, 16 * 5 * 5 * 6 + 16
    c5, f6, out = 16 * 5 * 5 * 120 + 120, 120 * 84 + 84, 84 * 10 + 10
    assert c1 + c3 + c5 + f6 + out == 61_706 == totals("lenet5").params
    r = cnncalc.analyze(cnncalc.preset("lenet5"))
    shapes = {name: r.find(name).output_shape for name in ("c1", "s2", "c3", "s4", "c5")}  # type: ignore[union-attr]
    assert shapes == {"c1": (6, 28, 28), "s2": (6, 14, 14), "c3": (16, 10, 10), "s4": (16, 5, 5), "c5": (120,)}


def test_googlenet_aux_matches_caffe_train_val_layer_by_layer() -> None:
    """bvlc_googlenet's train_val.prototxt: the deploy network plus loss1 and loss2."""
    caffe = caffe_run(FIXTURES / "caffe" / "bvlc_googlenet" / "train_val.prototxt")
    r = cnncalc.analyze(cnncalc.preset("googlenet-aux"))
    compared = 0
    for head in ("loss1", "loss2"):
        for leaf in ("ave_pool", "conv", "fc", "classifier"):
            row = r.find(f"{head}/{leaf}")
            assert row is not None
            assert (row.output_shape, row.params) == caffe[f"{head}/{leaf}"], f"{head}/{leaf}"
            compared += 1
    assert compared == 8
    # loss1 reads inception_4a (512 channels), loss2 inception_4d (528): 4×4 after the 5×5/3 pool
    aux1 = (512 * 128 + 128) + (128 * 4 * 4 * 1024 + 1024) + (1024 * 1000 + 1000)
    aux2 = (528 * 128 + 128) + (128 * 4 * 4 * 1024 + 1024) + (1024 * 1000 + 1000)
    assert r.totals.params == 6_998_552 + aux1 + aux2 == 13_378_280
    assert r.totals.params == sum(params for _, params in caffe.values())
    assert [(o.name, o.shape) for o in r.outputs] == [("prob", (1000,)), ("loss1", (1000,)), ("loss2", (1000,))]


def test_googlenet_aux_main_path_is_googlenet() -> None:
    aux = cnncalc.analyze(cnncalc.preset("googlenet-aux"))
    deploy = cnncalc.analyze(cnncalc.preset("googlenet"))
    main = [row for row in aux.layers if not row.name.startswith(("loss1/", "loss2/"))]
    assert [(r.name, r.output_shape, r.params, r.macs) for r in main] == [
        (r.name, r.output_shape, r.params, r.macs) for r in deploy.layers
    ]


@pytest.mark.parametrize("name", cnncalc.preset_names())
def test_every_preset_says_how_its_figures_are_counted(name: str) -> None:
    spec = cnncalc.preset(name)
    assert spec.description and spec.source
    words = " ".join(spec.description.split())
    assert "parameters" in words, name


def test_preset_list_shows_parameters_and_macs_beside_the_source(cli: Callable[..., Result]) -> None:
    result = cli("preset", "--list", "--format", "json")
    assert result.exit_code == 0, result
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert set(rows) == set(cnncalc.preset_names())
    assert (rows["vgg16"]["params"], rows["vgg16"]["macs"]) == (138_357_544, 15_470_264_320)
    assert "torchvision.models.vgg16" in rows["vgg16"]["source"]
    table = cli("preset", "--list")
    line = next(line for line in table.stdout.splitlines() if "│ resnet50 " in line)
    assert "25,557,032" in line and "4.09G" in line and "He et al." in line
