"""`cnncalc export --to pytorch` without PyTorch: the text, the names, the notes and the errors.

Running the exported modules is test_pytorch_differential.py's job (it needs torch).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import cnncalc
from cnncalc.export.lowering import lowered_kinds, pytorch_notes
from cnncalc.export.pytorch import class_name, to_pytorch
from cnncalc.layers import REGISTRY

from .conftest import ROOT, Result

SPECS = sorted([*(ROOT / "specs").glob("*.yaml"), *(ROOT / "docs" / "examples").glob("*.yaml")])


def export_of(layers: list[Any], input_shape: list[int]) -> str:
    return to_pytorch(cnncalc.from_dict({"name": "t", "input": input_shape, "layers": layers})).text


def notes(layer: Any, input_shape: list[int]) -> list[str]:
    report = cnncalc.analyze(cnncalc.from_dict({"name": "t", "input": input_shape, "layers": [layer]}))
    assert not any(w.kind == "pytorch" for w in report.warnings)  # the analysis does not lower
    return [w.message for w in pytorch_notes(report)]


def test_every_layer_kind_has_a_pytorch_lowering() -> None:
    assert set(REGISTRY) <= lowered_kinds()


@pytest.mark.parametrize("name", cnncalc.preset_names())
def test_every_preset_exports_to_valid_python(name: str) -> None:
    export = to_pytorch(cnncalc.preset(name))
    compile(export.text, name, "exec")
    assert f"class {export.class_name}(Sequence):" in export.text
    assert set(export.module_names) == {row.name for row in export.report.layers}


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_example_spec_exports_to_valid_python(path: Path) -> None:
    compile(to_pytorch(cnncalc.load(path)).text, str(path), "exec")


def test_googlenet_modules_keep_cnncalc_names() -> None:
    export = to_pytorch(cnncalc.preset("googlenet"))
    assert '("conv1", nn.Conv2d(3, 64, 7, stride=2, padding=3)),' in export.text
    assert '("pool1", nn.MaxPool2d(3, stride=2, ceil_mode=True)),' in export.text
    assert '("norm1", nn.LocalResponseNorm(5, alpha=0.0001, beta=0.75, k=1.0)),' in export.text
    assert '("3x3", nn.Conv2d(96, 128, 3, padding=1)),' in export.text
    assert export.module_names["inception_3a/b2/3x3"] == "inception_3a.b2.3x3"
    assert export.module_names["inception_3a/concat"] == "inception_3a.concat"
    assert export.module_names["classifier"] == "classifier"


@pytest.mark.parametrize(
    ("spec_name", "expected"),
    [
        ("googlenet-aux", "GooglenetAux"),
        ("small resnet", "SmallResnet"),
        ("3d-net", "Net3dNet"),
        ("Add", "AddNet"),
        ("false", "FalseNet"),
        ("none", "NoneNet"),
    ],
)
def test_class_names(spec_name: str, expected: str) -> None:
    assert class_name(spec_name) == expected


def test_dots_in_names_become_underscores() -> None:
    export = to_pytorch(
        cnncalc.from_dict(
            {"name": "t", "input": [3, 8, 8], "layers": [{"conv": {"name": "conv1.1", "filters": 4, "kernel": 3}}]}
        )
    )
    assert export.module_names == {"conv1.1": "conv1_1"}


def test_side_outputs_are_returned_after_the_main_output() -> None:
    text = export_of(
        [{"conv": {"filters": 4, "kernel": 3}}, {"side": {"name": "aux", "layers": [{"fc": {"units": 3}}]}}, "relu"],
        [3, 8, 8],
    )
    assert '("aux", Side(' in text
    assert "def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:" in text
    assert "the main output [4, 6, 6], then the side outputs aux [3]" in " ".join(text.split())


@pytest.mark.parametrize(
    ("layer", "input_shape", "line", "note"),
    [
        pytest.param(  # (9 + 2 + 2 − 3) // 2 + 1 = 6; PyTorch allows at most 3 // 2 = 1 padding
            {"maxpool": {"kernel": 3, "stride": 2, "padding": 2}},
            [8, 9, 9],
            '("pad", nn.ConstantPad2d((2, 2, 2, 2), float("-inf"))),',
            "PyTorch's MaxPool2d allows padding up to half the kernel, here 1",
            id="pool-padding-above-half-kernel",
        ),
        pytest.param(  # TF same at stride 2 on 224: total padding 1, after the input
            {"conv": {"filters": 4, "kernel": 3, "stride": 2, "padding": "same"}},
            [3, 224, 224],
            '("pad", nn.ZeroPad2d((0, 1, 0, 1))),',
            "PyTorch's Conv2d rejects padding='same' with stride > 1 and pads both sides of an axis equally; "
            "`cnncalc export` writes nn.ZeroPad2d((0, 1, 0, 1)) before it for the padding (0,1)×(0,1)",
            id="same-stride-2-asymmetric",
        ),
        pytest.param(  # on 225 the same padding is 1 on both sides: plain integers
            {"conv": {"filters": 4, "kernel": 3, "stride": 2, "padding": "same"}},
            [3, 225, 225],
            '("conv1", nn.Conv2d(3, 4, 3, stride=2, padding=1)),',
            "PyTorch's Conv2d rejects padding='same' with stride > 1 (it is 1 here); `cnncalc export` writes "
            "that padding as integers",
            id="same-stride-2-symmetric",
        ),
        pytest.param(  # (10 − 1)·2 − 1 − 0 + 3 = 20: PyTorch crops both ends equally, so crop 1 at the start
            {"deconv": {"filters": 4, "kernel": 3, "stride": 2, "padding": [[1, 0], [1, 0]]}},
            [3, 10, 10],
            '("crop", nn.ZeroPad2d((-1, 0, -1, 0))),',
            "PyTorch's ConvTranspose2d crops both sides of an axis equally",
            id="deconv-asymmetric",
        ),
        pytest.param(  # output_padding 3 ≥ stride 2, padding 2: a legal transposed conv, then a crop
            {"deconv": {"filters": 4, "kernel": 3, "stride": 2, "padding": 2, "output_padding": 3}},
            [3, 10, 10],
            '("deconv", nn.ConvTranspose2d(3, 4, 3, stride=2, output_padding=1)),',
            "needs output_padding smaller than stride or dilation",
            id="deconv-output-padding",
        ),
        pytest.param(
            {"avgpool": {"kernel": 3, "padding": 1}},
            [3, 2, 2, 2],
            '("pad", nn.ConstantPad3d((1, 1, 1, 1, 1, 1), 0.0)),',
            "PyTorch's AvgPool3d rejects an input side shorter than the kernel",
            id="avgpool3d-short-input",
        ),
    ],
)
def test_layers_pytorch_rejects_are_rewritten_and_noted(
    layer: Any, input_shape: list[int], line: str, note: str
) -> None:
    text = export_of([layer], input_shape)
    assert line in text
    (message,) = notes(layer, input_shape)
    assert note in message
    assert "# PyTorch's" in text or "padding as integers" in message


def test_same_padding_at_stride_1_is_accepted_by_pytorch_but_written_explicitly() -> None:
    # PyTorch's padding='same' at stride 1 is TensorFlow's (2×2 kernel: 0 before, 1 after), so nothing is
    # noted; the export still pads explicitly, since fvcore does not count convs with padding='same'
    layer = {"conv": {"filters": 4, "kernel": 2, "padding": "same"}}
    assert notes(layer, [3, 8, 8]) == []
    assert '("pad", nn.ZeroPad2d((0, 1, 0, 1))),' in export_of([layer], [3, 8, 8])


def test_ceil_mode_window_in_the_right_padding_is_cropped() -> None:
    # N = 5, k = 2, S = 2, padding (0, 2): PyTorch's rule drops the ceil-mode window starting at 6 ≥ 5 + 0,
    # so 3 windows; on the explicitly padded input (length 7) ceil mode keeps it: 4, cropped to 3
    layer = {"maxpool": {"kernel": 2, "padding": [[0, 2]], "ceil_mode": True}}
    text = export_of([layer], [1, 5])
    assert '("crop", nn.ZeroPad1d((0, -1))),' in text
    assert cnncalc.analyze(cnncalc.from_dict({"name": "t", "input": [1, 5], "layers": [layer]})).output_shape == (1, 3)


@pytest.mark.parametrize(
    ("layer", "input_shape", "message"),
    [
        pytest.param(
            {"deconv": {"filters": 4, "kernel": 3, "stride": 2, "output_padding": 2}},
            [3, 10, 10],
            "the output reaches 2 positions past the last one any input reaches",
            id="deconv-beyond-reach",
        ),
        pytest.param("lrn", [8], "PyTorch's LocalResponseNorm needs spatial axes", id="lrn-on-vector"),
    ],
)
def test_layers_pytorch_cannot_express(layer: Any, input_shape: list[int], message: str) -> None:
    (note,) = notes(layer, input_shape)
    assert note.startswith("`cnncalc export` cannot write this layer for PyTorch: ") and message in note
    with pytest.raises(cnncalc.SpecError, match=message):
        export_of([layer], input_shape)


# ------------------------------------------------------------------------------------------------ CLI


def test_cli_export_file(cli: Callable[..., Result]) -> None:
    result = cli("export", str(ROOT / "specs" / "small-resnet.yaml"), "--to", "pytorch")
    assert result.exit_code == 0, result
    assert "class SmallResnet(Sequence):" in result.stdout
    assert "written by `cnncalc export` (cnncalc" in result.stdout


def test_cli_export_preset_with_input(cli: Callable[..., Result]) -> None:
    result = cli("export", "--preset", "alexnet-torchvision", "--input", "3x256x256")
    assert result.exit_code == 0, result
    assert "INPUT_SHAPE = (3, 256, 256)" in result.stdout
    assert "from preset alexnet-torchvision" in result.stdout


def test_cli_export_stdin(cli: Callable[..., Result]) -> None:
    spec = "name: t\ninput: [4]\nlayers:\n  - fc: {units: 2}\n"
    result = cli("export", "-", input=spec)
    assert result.exit_code == 0, result
    assert '("fc1", nn.Linear(4, 2)),' in result.stdout


@pytest.mark.parametrize("args", [[], ["net.yaml", "--preset", "alexnet"]], ids=["neither", "both"])
def test_cli_export_needs_one_spec(cli: Callable[..., Result], args: list[str]) -> None:
    result = cli("export", *args)
    assert result.exit_code == 2
    assert "give a spec file or --preset NAME" in result.stderr


def test_cli_export_unexportable_layer_is_located(cli: Callable[..., Result], spec_file: Callable[..., Path]) -> None:
    path = spec_file("name: t\ninput: [8]\nlayers:\n  - lrn: {size: 3}\n")
    result = cli("export", str(path))
    assert result.exit_code == 2
    assert f"{path}:4:10: lrn1: PyTorch's LocalResponseNorm needs spatial axes" in result.stderr


def test_summarize_notes_layers_pytorch_rejects(cli: Callable[..., Result], spec_file: Callable[..., Path]) -> None:
    path = spec_file("name: t\ninput: [8, 9, 9]\nlayers:\n  - maxpool: {kernel: 3, stride: 2, padding: 2}\n")
    result = cli("summarize", str(path), "--format", "json")
    assert result.exit_code == 0, result
    (warning,) = json.loads(result.stdout)["warnings"]
    assert warning["kind"] == "pytorch" and warning["layer"] == "maxpool1"
    table = cli("summarize", str(path))
    assert "note: maxpool1: PyTorch's MaxPool2d allows padding up to half the kernel" in table.stderr


def test_avgpool3d_smaller_input_than_kernel_is_not_exportable() -> None:
    """ATen's avg_pool3d refuses an input smaller than its kernel even where ceil mode or padding leaves
    a window (found by the random differential test); its 1-D and 2-D forms accept it."""
    layer = {"avgpool": {"kernel": [1, 1, 3], "stride": 3, "ceil_mode": True}}
    spec = cnncalc.from_dict({"name": "t", "input": [1, 2, 2, 2], "layers": [layer]})
    with pytest.raises(cnncalc.SpecError, match="PyTorch's AvgPool3d refuses an input of 2×2×2 smaller than"):
        to_pytorch(spec)
