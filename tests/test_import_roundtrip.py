"""Round trips through PyTorch and ONNX: preset → `export --to pytorch` → `import --from torch` (and → the
exported module → torch.onnx.export → `import`) gives the preset's totals and every row's shape; the
imported Caffe files, exported to PyTorch, agree with a PyTorch forward pass. Torch and onnx are the
`torch`/`onnx` extras: skipped without them locally, required in CI (tests/torch_support.py)."""

from __future__ import annotations

import io
import sys
import types
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

import cnncalc
from cnncalc.export.pytorch import to_pytorch
from cnncalc.importers import import_model

from .conftest import FIXTURES
from .torch_support import disagreements, load_module, need


def rows(report: cnncalc.Report, onnx: bool = False) -> Counter[tuple[tuple[int, ...], int, int]]:
    """Every row's output shape, parameters and MACs. As a multiset: the rows are one topological order of
    the graph, and an import lists a concat's branches in the concat's order (U-Net's crop before the
    up-convolution it is cropped to), where the preset may list them otherwise. Through ONNX: an inference
    export has no dropout, and the import leaves out a Flatten read only by a Gemm (cnncalc's fc flattens its
    input itself, as Caffe's InnerProduct does)."""
    left_out = {"dropout", "flatten"} if onnx else set()
    return Counter((r.output_shape, r.params, r.macs) for r in report.layers if r.type not in left_out)


@pytest.fixture
def exported_module() -> Iterator[types.ModuleType]:
    """The preset's export as an importable module (``module.path:factory`` is how --from torch reads)."""
    made: list[str] = []

    def make(name: str) -> tuple[str, str]:
        export = to_pytorch(cnncalc.preset(name))
        module = load_module(export)
        module.__name__ = f"cnncalc_roundtrip_{name.replace('-', '_')}"
        sys.modules[module.__name__] = module
        made.append(module.__name__)
        return module.__name__, export.class_name

    yield make  # type: ignore[misc]
    for name in made:
        sys.modules.pop(name, None)


@pytest.mark.parametrize("name", cnncalc.preset_names())
def test_preset_through_pytorch_and_back(name: str, exported_module) -> None:  # type: ignore[no-untyped-def]
    need("torch")
    module, factory = exported_module(name)
    preset = cnncalc.preset(name)
    spec = import_model(f"{module}:{factory}", "torch", preset.input_shape).text
    ours, theirs = cnncalc.analyze(cnncalc.loads(spec)), cnncalc.analyze(preset)
    assert (ours.totals.params, ours.totals.macs) == (theirs.totals.params, theirs.totals.macs)
    assert rows(ours) == rows(theirs)


@pytest.mark.parametrize("name", cnncalc.preset_names())
def test_preset_through_onnx_and_back(name: str, tmp_path: Path) -> None:
    torch = need("torch")
    onnx = need("onnx")
    export = to_pytorch(cnncalc.preset(name))
    with torch.device("meta"):  # weights need shapes, not values: allocate without initialising
        model = getattr(load_module(export), export.class_name)()
    model = model.to_empty(device="cpu").eval()
    shape = cnncalc.preset(name).input_shape
    buffer = io.BytesIO()
    torch.onnx.export(
        model,
        (torch.zeros(1, *shape),),
        buffer,
        dynamo=False,
        export_params=False,
        do_constant_folding=False,  # folding would fuse batchnorm into the conv before it
        input_names=["x"],
    )
    # export_params=False leaves the weights as graph inputs: make them initializers again (shape, no
    # data, as a model with external weights has) so the file has the one input a real model has
    model_proto = onnx.load_model_from_string(buffer.getvalue())
    for value in list(model_proto.graph.input):
        if value.name != "x":
            dims = [d.dim_value for d in value.type.tensor_type.shape.dim]
            weight = onnx.TensorProto(name=value.name, data_type=value.type.tensor_type.elem_type, dims=dims)
            model_proto.graph.initializer.append(weight)
            model_proto.graph.input.remove(value)
    path = tmp_path / f"{name}.onnx"
    path.write_bytes(model_proto.SerializeToString())
    ours = cnncalc.analyze(cnncalc.loads(import_model(str(path)).text))
    theirs = cnncalc.analyze(cnncalc.preset(name))
    assert (ours.totals.params, ours.totals.macs) == (theirs.totals.params, theirs.totals.macs)
    assert rows(ours, onnx=True) == rows(theirs, onnx=True)


@pytest.mark.parametrize(
    "path",
    [
        FIXTURES / "caffe/bvlc_alexnet/deploy.prototxt",
        FIXTURES / "caffe/bvlc_googlenet/deploy.prototxt",
        FIXTURES / "caffe/bvlc_googlenet/train_val.prototxt",
        FIXTURES / "caffe/resnet50_kaiminghe/deploy.prototxt",
        FIXTURES / "caffe/squeezenet_v1.1/deploy.prototxt",
    ],
    ids=lambda p: f"{p.parent.name}-{p.stem}",
)
def test_imported_caffe_agrees_with_a_pytorch_forward_pass(path: Path) -> None:
    need("google.protobuf")
    assert disagreements(cnncalc.loads(import_model(str(path)).text)) == []


@pytest.mark.parametrize("name", ["yolov3-tiny", "yolov3"])
def test_imported_darknet_agrees_with_a_pytorch_forward_pass(name: str) -> None:
    spec = import_model(str(FIXTURES / "darknet" / f"{name}.cfg"), input_shape=(3, 416, 416)).text
    assert disagreements(cnncalc.loads(spec)) == []


def onnx_tool_profile(name: str, path: Path, distinct: bool) -> tuple[int, int]:
    """onnx-tool 1.0.1's MACs and parameters for the ONNX file PyTorch exports of preset ``name``: its
    weights freshly initialised as PyTorch does (batchnorm's scale 1, shift 0, running mean 0, variance 1)
    or, with ``distinct``, all different."""
    torch = need("torch")
    onnx_tool = need("onnx_tool")
    export = to_pytorch(cnncalc.preset(name))
    torch.manual_seed(0)
    model = getattr(load_module(export), export.class_name)().eval()
    if distinct:
        with torch.no_grad():
            for tensor in [*model.parameters(), *model.buffers()]:
                if tensor.is_floating_point():
                    tensor.uniform_(0.5, 1.5)  # a positive variance; no two tensors equal
    shape = cnncalc.preset(name).input_shape
    torch.onnx.export(model, (torch.zeros(1, *shape),), str(path), dynamo=False, do_constant_folding=False)
    tool = onnx_tool.Model(str(path))
    tool.graph.shape_infer()
    tool.graph.profile()
    return round(tool.graph.macs[0]), int(tool.graph.params)


@pytest.mark.parametrize("name", ["lenet5", "resnet18", "squeezenet1_0", "mobilenet_v3_small", "resnet50"])
def test_onnx_tool_convention_matches_the_real_tool(name: str, tmp_path: Path) -> None:
    """`--convention onnx-tool` on an imported ONNX file gives onnx-tool 1.0.1's own totals for that file:
    its MACs, and its parameters — every initializer a node reads, batchnorm's running statistics too."""
    path = tmp_path / f"{name}.onnx"
    macs, params = onnx_tool_profile(name, path, distinct=True)
    ours = cnncalc.analyze(cnncalc.loads(import_model(str(path)).text), convention="onnx-tool").totals
    assert (ours.macs, ours.convention_params) == (macs, params)
    assert ours.convention_params == ours.params + ours.non_trainable_params
    if name == "resnet50":
        # the figures onnx-tool prints for a ResNet-50 ONNX file, where torchvision says 4.09 G and 25,557,032
        assert ours.macs == 4_450_761_704
        assert ours.convention_params == 25_557_032 + 53_120  # + running mean and variance of 26,560 channels


def test_onnx_tool_counts_a_freshly_initialised_resnet50_as_25_511_976_parameters(tmp_path: Path) -> None:
    """The issue's figure: onnx-tool's 25,511,976 for a freshly initialised ResNet-50. PyTorch's exporter
    stores initializers of equal value once (the others read it through Identity nodes) and onnx-tool counts
    each stored initializer once. Fresh batchnorm vectors — scale and variance all ones, shift and mean all
    zeros — are equal for every layer of the same width, so of the 4 × 26,560 = 106,240 batchnorm values
    one vector of ones and one of zeros per width remain: 2 × (64 + 128 + 256 + 512 + 1024 + 2048) = 8,064.
    A spec holds no values, so cnncalc's onnx-tool convention counts the file whose weights all differ."""
    macs, params = onnx_tool_profile("resnet50", tmp_path / "resnet50.onnx", distinct=False)
    assert macs == 4_450_761_704
    assert params == 25_557_032 - 2 * 26_560 + 2 * (64 + 128 + 256 + 512 + 1024 + 2048) == 25_511_976
