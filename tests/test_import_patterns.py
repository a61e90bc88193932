"""What `cnncalc import` follows, written the way people write it rather than the way `cnncalc export`
does: layer scale as ``x * self.gamma[:, None, None]``, timm's LayerNorm2d and the original ConvNeXt block
(permute, LayerNorm, Linear on channels-last maps), torchvision's ``channel_shuffle`` and ShuffleNetV2's
``chunk``, crops by indexing and by negative padding, darknet's ``-inf`` padded max pool; ONNX's Split,
Slice and PRelu and Caffe's Slice and PReLU on models built here. Torch, onnx and protobuf are the
`torch`/`onnx` extras: skipped without them locally, required in CI (tests/torch_support.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import cnncalc
from cnncalc.errors import CnncalcError
from cnncalc.importers import import_model

from .torch_support import need

Row = tuple[str, tuple[int, ...], int]


def rows(text: str) -> list[Row]:
    """Each row's kind, output shape and parameters."""
    return [(r.type, r.output_shape, r.params) for r in cnncalc.analyze(cnncalc.loads(text)).layers]


def from_torch(factory: str, shape: tuple[int, ...]) -> str:
    need("torch")
    return import_model(f"{__name__}:{factory}", "torch", shape).text


# ------------------------------------------------------------------------------------------- PyTorch

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError:  # the modules below are only built by tests that need("torch")
    pass
else:

    class LayerScale(nn.Module):
        """A residual branch scaled by a learned per-channel gamma, written as timm and DeiT-III do."""

        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(8, 8, 3, padding=1)
            self.gamma = nn.Parameter(1e-6 * torch.ones(8))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x + self.conv(x) * self.gamma[:, None, None]

    class LayerNorm2d(nn.LayerNorm):
        """timm's LayerNorm2d: F.layer_norm over the channels of a permuted map."""

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = x.permute(0, 2, 3, 1)
            x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
            return x.permute(0, 3, 1, 2)

    class ConvNeXtBlock(nn.Module):
        """The block of facebookresearch/ConvNeXt (models/convnext.py): the 1×1 convs are Linear layers
        on a channels-last map, the layer scale a parameter multiplied before permuting back."""

        def __init__(self, dim: int = 16) -> None:
            super().__init__()
            self.stem = nn.Conv2d(3, dim, 4, stride=4)
            self.norm0 = LayerNorm2d(dim, eps=1e-6)
            self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
            self.norm = nn.LayerNorm(dim, eps=1e-6)
            self.pwconv1 = nn.Linear(dim, 4 * dim)
            self.act = nn.GELU()
            self.pwconv2 = nn.Linear(4 * dim, dim)
            self.gamma = nn.Parameter(1e-6 * torch.ones(dim))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = self.norm0(self.stem(x))
            y = self.dwconv(x).permute(0, 2, 3, 1)
            y = self.pwconv2(self.act(self.pwconv1(self.norm(y))))
            return x + (self.gamma * y).permute(0, 3, 1, 2)

    def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
        """torchvision.models.shufflenetv2.channel_shuffle, verbatim in what it calls."""
        batchsize, num_channels, height, width = x.size()
        channels_per_group = num_channels // groups
        x = x.view(batchsize, groups, channels_per_group, height, width)
        x = torch.transpose(x, 1, 2).contiguous()
        return x.view(batchsize, -1, height, width)

    class ShuffleUnit(nn.Module):
        """ShuffleNetV2's basic unit as torchvision writes it: chunk, a branch on one half, cat, shuffle;
        then a second unit that splits by indexing."""

        def __init__(self) -> None:
            super().__init__()
            self.branch = nn.Sequential(nn.Conv2d(8, 8, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
            self.branch2 = nn.Conv2d(6, 6, 3, padding=1, groups=6)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x1, x2 = x.chunk(2, dim=1)
            out = channel_shuffle(torch.cat((x1, self.branch(x2)), dim=1), 2)
            return torch.cat((out[:, :10], self.branch2(out[:, 10:])), dim=1)

    class Crops(nn.Module):
        """A U-Net skip cropped by indexing, and one cropped by negative padding."""

        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(4, 4, 3)
            self.conv2 = nn.Conv2d(4, 4, 3)
            self.crop = nn.ZeroPad2d(-2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = self.conv2(self.conv1(x))  # 20 → 18 → 16
            return torch.cat((x[:, :, 2:-2, 2:-2], self.crop(x), y), dim=1)

    class PaddedPool(nn.Module):
        """Darknet's stride-1 max pool as PyTorch needs it: -inf padding on one side, then the pool."""

        def __init__(self) -> None:
            super().__init__()
            self.pad = nn.ConstantPad2d((0, 1, 0, 1), float("-inf"))
            self.pool = nn.MaxPool2d(2, stride=1)
            self.act = nn.PReLU(4)
            self.shared = nn.PReLU()

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.shared(self.act(self.pool(self.pad(x))))

    class LonePad(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return F.relu(F.pad(x, (1, 1, 1, 1), value=float("-inf")))

    class OffCentre(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return F.relu(x[:, :, 1:5, 0:4])

    class Bias(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 1)
            self.shift = nn.Parameter(torch.zeros(4, 1, 1))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.conv(x) + self.shift


def test_layer_scale_by_indexing_a_parameter() -> None:
    assert rows(from_torch("LayerScale", (8, 5, 5))) == [
        ("conv", (8, 5, 5), 3 * 3 * 8 * 8 + 8),
        ("scale", (8, 5, 5), 8),  # gamma: one factor per channel
        ("add", (8, 5, 5), 0),
    ]


def test_original_convnext_block_with_linear_layers_on_channels_last_maps() -> None:
    dim = 16
    assert rows(from_torch("ConvNeXtBlock", (3, 32, 32))) == [
        ("conv", (dim, 8, 8), 4 * 4 * 3 * dim + dim),
        ("layernorm", (dim, 8, 8), 2 * dim),  # timm's LayerNorm2d: over the channels, a scale and a shift each
        ("conv", (dim, 8, 8), 7 * 7 * dim + dim),  # depthwise
        ("layernorm", (dim, 8, 8), 2 * dim),  # nn.LayerNorm(dim) on the permuted map
        ("conv", (4 * dim, 8, 8), dim * 4 * dim + 4 * dim),  # nn.Linear on channels-last = a 1×1 conv
        ("gelu", (4 * dim, 8, 8), 0),
        ("conv", (dim, 8, 8), 4 * dim * dim + dim),
        ("scale", (dim, 8, 8), dim),
        ("add", (dim, 8, 8), 0),
    ]
    text = from_torch("ConvNeXtBlock", (3, 32, 32))
    assert "layernorm: {name: norm0, over: channels, eps: 1e-06}" in text
    assert "conv: {name: pwconv1, filters: 64, kernel: 1}" in text


def test_shufflenet_chunk_channel_shuffle_and_index_slices() -> None:
    text = from_torch("ShuffleUnit", (16, 6, 6))
    assert rows(text) == [
        ("slice", (8, 6, 6), 0),  # x.chunk(2, dim=1): channels 0…7
        ("slice", (8, 6, 6), 0),  # and 8…15
        ("conv", (8, 6, 6), 8 * 8),
        ("batchnorm", (8, 6, 6), 2 * 8),
        ("relu", (8, 6, 6), 0),
        ("concat", (16, 6, 6), 0),
        ("channel_shuffle", (16, 6, 6), 0),  # view → transpose(1, 2) → contiguous → view
        ("slice", (10, 6, 6), 0),  # out[:, :10]
        ("slice", (6, 6, 6), 0),  # out[:, 10:]
        ("conv", (6, 6, 6), 3 * 3 * 6 + 6),
        ("concat", (16, 6, 6), 0),
    ]
    assert "channel_shuffle: {name: channel_shuffle, groups: 2}" in text
    assert "slice: {name: slice_4, channels: [10, 16]}" in text


def test_crops_by_indexing_and_by_negative_padding() -> None:
    text = from_torch("Crops", (4, 20, 20))
    assert "crop: {name: crop, size: 16}" in text  # nn.ZeroPad2d(-2): 20 − 2 − 2
    assert sorted(rows(text)) == sorted(
        [
            ("crop", (4, 16, 16), 0),  # x[:, :, 2:-2, 2:-2]
            ("crop", (4, 16, 16), 0),
            ("conv", (4, 18, 18), 3 * 3 * 4 * 4 + 4),
            ("conv", (4, 16, 16), 3 * 3 * 4 * 4 + 4),
            ("concat", (4 + 4 + 4, 16, 16), 0),
        ]
    )


def test_minus_infinity_padding_is_the_max_pools_own_and_prelu_counts_its_slopes() -> None:
    text = from_torch("PaddedPool", (4, 13, 13))
    assert "maxpool: {name: pool, kernel: 2, stride: 1, padding: [[0, 1], [0, 1]]}" in text
    assert rows(text) == [
        ("maxpool", (4, 13, 13), 0),  # (13 + 0 + 1 − 2) // 1 + 1 = 13: the size is kept, as darknet's
        ("prelu", (4, 13, 13), 4),  # nn.PReLU(4): one slope per channel
        ("prelu", (4, 13, 13), 1),  # nn.PReLU(): one shared slope
    ]


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        pytest.param(
            "LonePad", r"pad pads with -inf: cnncalc follows that only right before a max pool", id="lone-inf"
        ),
        pytest.param("OffCentre", r"cropping \[\(1, 1\), \(0, 2\)\].*cnncalc's crop is centred", id="off-centre"),
        pytest.param("Bias", r"adding the parameter shift to a map \(followed only right after a scale\)", id="bias"),
    ],
)
def test_torch_patterns_cnncalc_cannot_express_are_errors(factory: str, message: str) -> None:
    need("torch")
    with pytest.raises(CnncalcError, match=message):
        from_torch(factory, (3, 6, 6))


# ---------------------------------------------------------------------------------------------- ONNX


def onnx_file(tmp_path: Path, nodes: list[Any], weights: list[Any], shape: list[int], opset: int = 17) -> str:
    onnx = need("onnx")
    h, t = onnx.helper, onnx.TensorProto
    x = h.make_tensor_value_info("x", t.FLOAT, ["N", *shape])
    y = h.make_tensor_value_info("y", t.FLOAT, None)
    graph = h.make_graph(nodes, "patterns", [x], [y], weights)
    path = tmp_path / "patterns.onnx"
    path.write_bytes(h.make_model(graph, opset_imports=[h.make_opsetid("", opset)]).SerializeToString())
    return str(path)


def test_onnx_split_and_slice_on_channels_and_a_spatial_slice_as_crop(tmp_path: Path) -> None:
    onnx = need("onnx")
    h, t = onnx.helper, onnx.TensorProto
    ints = lambda name, values: h.make_tensor(name, t.INT64, [len(values)], values)  # noqa: E731
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[1, 1], name="conv"),  # 4 → 8 channels
        h.make_node("Split", ["c", "parts"], ["a", "b"], axis=1, name="split"),  # 3 + 5 channels
        h.make_node("Slice", ["b", "s0", "s1", "s2"], ["b1"], name="narrow"),  # channels 1…3 of b
        h.make_node("Concat", ["a", "b1"], ["ab"], axis=1, name="cat"),  # 3 + 3
        h.make_node("Slice", ["ab", "c0", "c1", "c2"], ["cropped"], name="centre"),  # 10×10 → 6×6 from (2, 2)
        h.make_node("PRelu", ["cropped", "slope"], ["y"], name="prelu"),
    ]
    weights = [
        h.make_tensor("w", t.FLOAT, [8, 4, 1, 1], [0.0] * 32),
        ints("parts", [3, 5]),
        ints("s0", [1]),
        ints("s1", [-1]),
        ints("s2", [1]),
        ints("c0", [2, 2]),
        ints("c1", [-2, 8]),
        ints("c2", [2, 3]),
        h.make_tensor("slope", t.FLOAT, [6, 1, 1], [0.25] * 6),
    ]
    text = import_model(onnx_file(tmp_path, nodes, weights, [4, 10, 10])).text
    assert "- - slice: {name: split, channels: [0, 3]}" in text  # one slice per output of the Split
    assert "- - slice: {name: split_2, channels: [3, 8]}" in text
    assert "slice: {name: narrow, channels: [1, 4]}" in text
    assert "crop: {name: centre, size: 6}" in text
    assert rows(text) == [
        ("conv", (8, 10, 10), 8 * 4),  # no B input: no bias
        ("slice", (3, 10, 10), 0),
        ("slice", (5, 10, 10), 0),
        ("slice", (3, 10, 10), 0),  # [1, −1) of 5 channels: 1, 2, 3
        ("concat", (6, 10, 10), 0),
        ("crop", (6, 6, 6), 0),  # 10 − 2 − 2 = 6 on each axis
        ("prelu", (6, 6, 6), 6),  # a [6, 1, 1] slope: one per channel
    ]


def test_onnx_equal_split_opset_18(tmp_path: Path) -> None:
    onnx = need("onnx")
    h = onnx.helper
    nodes = [
        h.make_node("Split", ["x"], ["a", "b", "c"], axis=1, num_outputs=3, name="split"),
        h.make_node("Concat", ["c", "a", "b"], ["y"], axis=1, name="cat"),
    ]
    text = import_model(onnx_file(tmp_path, nodes, [], [7, 4, 4], opset=18)).text
    # ceil(7 / 3) = 3 channels per part, the last one smaller (7 − 3 − 3 = 1), as ONNX defines it
    assert "slice: {name: split_3, channels: [6, 7]}" in text
    assert sorted(r[:2] for r in rows(text)) == [
        ("concat", (7, 4, 4)),
        ("slice", (1, 4, 4)),
        ("slice", (3, 4, 4)),
        ("slice", (3, 4, 4)),
    ]


def test_onnx_negative_transpose_perm_is_read_as_counted_from_the_end(tmp_path: Path) -> None:
    """PyTorch's TorchScript exporter writes movedim(-1, 1) as perm [0, -1, 1, 2], which ONNX's inference
    rejects: the import reads it as [0, 3, 1, 2] and ConvNeXt's LayerNorm2d follows."""
    onnx = need("onnx")
    h, t = onnx.helper, onnx.TensorProto
    nodes = [
        h.make_node("Transpose", ["x"], ["last"], perm=[0, 2, 3, 1], name="to_last"),
        h.make_node("LayerNormalization", ["last", "g", "b"], ["n"], axis=-1, epsilon=1e-6, name="norm"),
        h.make_node("Transpose", ["n"], ["y"], perm=[0, -1, 1, 2], name="to_first"),
    ]
    weights = [h.make_tensor("g", t.FLOAT, [8], [1.0] * 8), h.make_tensor("b", t.FLOAT, [8], [0.0] * 8)]
    imported = import_model(onnx_file(tmp_path, nodes, weights, [8, 5, 5]))
    text = imported.text
    assert imported.notes == (
        "1 Transpose node of the file has a negative perm axis, which ONNX does not allow (PyTorch's TorchScript "
        "exporter writes movedim(-1, 1) so): read as counted from the end",
    )
    assert "layernorm: {name: norm, over: channels, eps: 1e-06}" in text
    assert rows(text) == [("layernorm", (8, 5, 5), 8 + 8)]


# --------------------------------------------------------------------------------------------- Caffe

CAFFE_SLICES = """
name: "slices"
input: "data"
input_shape { dim: 1 dim: 8 dim: 6 dim: 6 }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
        convolution_param { num_output: 10 kernel_size: 1 } }
layer { name: "split" type: "Slice" bottom: "conv" top: "a" top: "b" top: "c"
        slice_param { axis: 1 slice_point: 2 slice_point: 4 } }
layer { name: "halves" type: "Slice" bottom: "c" top: "c1" top: "c2" }
layer { name: "act" type: "PReLU" bottom: "a" top: "a" }
layer { name: "act_shared" type: "PReLU" bottom: "b" top: "b" prelu_param { channel_shared: true } }
layer { name: "cat" type: "Concat" bottom: "c2" bottom: "a" bottom: "b" bottom: "c1" top: "cat" }
"""


def test_caffe_slice_and_prelu(tmp_path: Path) -> None:
    need("google.protobuf")
    path = tmp_path / "slices.prototxt"
    path.write_text(CAFFE_SLICES, encoding="utf-8")
    text = import_model(str(path)).text
    assert "slice: {name: a, channels: [0, 2]}" in text  # from: only where a row reads something else
    assert "slice: {name: c, from: conv, channels: [4, 10]}" in text
    assert sorted(rows(text)) == sorted(
        [
            ("conv", (10, 6, 6), 8 * 10 + 10),
            ("slice", (2, 6, 6), 0),  # slice_point 2: channels 0…1
            ("slice", (2, 6, 6), 0),  # slice_point 4: 2…3
            ("slice", (6, 6, 6), 0),  # 4…9, to the end
            ("slice", (3, 6, 6), 0),  # no slice_point, two tops: 6 channels halved
            ("slice", (3, 6, 6), 0),
            ("prelu", (2, 6, 6), 2),  # one slope per channel
            ("prelu", (2, 6, 6), 1),  # channel_shared: one slope
            ("concat", (3 + 2 + 2 + 3, 6, 6), 0),
        ]
    )


def test_caffe_slice_that_does_not_divide_is_an_error(tmp_path: Path) -> None:
    need("google.protobuf")
    path = tmp_path / "odd.prototxt"
    path.write_text(CAFFE_SLICES.replace("slice_point: 4", "slice_point: 5"), encoding="utf-8")
    with pytest.raises(CnncalcError, match=r"odd.prototxt:9:1: halves: Slice: 5 channels do not split into 2"):
        import_model(str(path))
