"""`cnncalc import`: the real Caffe and Darknet files (tests/fixtures, copied from ../shared/reference; see
their PROVENANCE.txt) give the presets' and the papers' figures, read as specs a person would write."""

from __future__ import annotations

from pathlib import Path

import pytest

import cnncalc
from cnncalc.errors import CnncalcError
from cnncalc.importers import import_model
from cnncalc.loader import preset_text

from .conftest import FIXTURES
from .torch_support import need

CAFFE = FIXTURES / "caffe"
DARKNET = FIXTURES / "darknet"


@pytest.fixture(autouse=True)
def _protobuf() -> None:
    need("google.protobuf")


def imported(path: Path, **kw: object) -> cnncalc.Report:
    return cnncalc.analyze(cnncalc.loads(import_model(str(path), **kw).text, str(path)))  # type: ignore[arg-type]


def shown(report: cnncalc.Report) -> list[tuple[str, tuple[int, ...], int, int]]:
    """Each row's kind, output shape, parameters and MACs, in order (names differ between sources)."""
    return [(row.type, row.output_shape, row.params, row.macs) for row in report.layers]


# ------------------------------------------------------------------------------------------- Caffe


@pytest.mark.parametrize(
    ("path", "preset", "softmax"),
    [
        pytest.param(CAFFE / "bvlc_alexnet/deploy.prototxt", "alexnet", [], id="alexnet-deploy"),
        pytest.param(CAFFE / "bvlc_googlenet/deploy.prototxt", "googlenet", [], id="googlenet-deploy"),
        # train_val: data layers give the crop size, losses are skipped (so the preset's final softmax,
        # deploy's "prob", has no row here); the aux heads become side outputs
        pytest.param(
            CAFFE / "bvlc_googlenet/train_val.prototxt",
            "googlenet-aux",
            [("softmax", (1000,), 0, 0)],
            id="googlenet-train_val",
        ),
    ],
)
def test_caffe_imports_as_the_preset(path: Path, preset: str, softmax: list[object]) -> None:
    ours, theirs = imported(path), cnncalc.analyze(cnncalc.preset(preset))
    assert ours.input_shape == theirs.input_shape
    assert ours.totals.params == theirs.totals.params
    assert ours.totals.macs == theirs.totals.macs
    assert shown(ours) + softmax == shown(theirs)
    assert [o.shape for o in ours.outputs][1:] == [o.shape for o in theirs.outputs][1:]  # side outputs


def test_alexnet_train_val_is_deploy_without_the_softmax() -> None:
    # train_val ends in SoftmaxWithLoss/Accuracy (training only, skipped); deploy ends in a Softmax "prob"
    deploy = imported(CAFFE / "bvlc_alexnet/deploy.prototxt")
    train = imported(CAFFE / "bvlc_alexnet/train_val.prototxt")
    assert shown(train) == shown(deploy)[:-1] and shown(deploy)[-1][0] == "softmax"
    assert train.totals.params == 60_965_224  # the sum of bvlc_alexnet's blobs (see test_presets)


def test_resnet50_kaiminghe() -> None:
    report = imported(CAFFE / "resnet50_kaiminghe/deploy.prototxt")
    # torchvision's resnet50 lists 25,557,032 parameters; this file also keeps conv1's 64 biases.
    # BatchNorm's running mean and variance (and Caffe's moving-average factor) are not parameters.
    assert report.totals.params == 25_557_032 + 64
    bn_channels = 64 + (64 + 64 + 256 + 256) + 2 * (64 + 64 + 256)  # conv1, stage 2 (first block has branch1)
    bn_channels += (128 + 128 + 512 + 512) + 3 * (128 + 128 + 512)
    bn_channels += (256 + 256 + 1024 + 1024) + 5 * (256 + 256 + 1024)
    bn_channels += (512 + 512 + 2048 + 2048) + 2 * (512 + 512 + 2048)
    assert report.totals.non_trainable_params == 2 * bn_channels == 53_120
    # The original ResNet-50 (He et al. 2015, Table 1: 3.8×10⁹ multiply-adds): each stage's first block
    # has its stride on the first 1×1 conv, pool1 rounds up (112 → 56), pool5 is a 7×7 average.
    macs = 7 * 7 * 3 * 64 * 112 * 112  # conv1
    for blocks, c_in, width, out, size in (
        (3, 64, 64, 256, 56),
        (4, 256, 128, 512, 28),
        (6, 512, 256, 1024, 14),
        (3, 1024, 512, 2048, 7),
    ):
        first = c_in * width + 9 * width * width + width * out + c_in * out  # 2a (strided), 2b, 2c, branch1
        rest = out * width + 9 * width * width + width * out
        macs += (first + (blocks - 1) * rest) * size * size
    macs += 2048 * 1000  # fc1000
    assert macs == 3_857_973_248
    assert report.totals.macs == macs


def test_squeezenet_v1_1() -> None:
    # torchvision's squeezenet1_1: 1,235,496 parameters (its documentation's table)
    report = imported(CAFFE / "squeezenet_v1.1/deploy.prototxt")
    assert report.totals.params == 1_235_496
    assert report.output_shape == (1000, 1, 1)


# ----------------------------------------------------------------------------------- readability


@pytest.mark.parametrize(
    ("path", "preset", "slack"),
    [
        # alexnet: one line more, the softmax the preset leaves out
        pytest.param(CAFFE / "bvlc_alexnet/deploy.prototxt", "alexnet", 1.05, id="alexnet"),
        pytest.param(CAFFE / "bvlc_googlenet/deploy.prototxt", "googlenet", 1.0, id="googlenet"),
        pytest.param(CAFFE / "bvlc_googlenet/train_val.prototxt", "googlenet-aux", 1.0, id="googlenet-aux"),
        # resnet50: the preset's blocks include the ReLU after the addition; the import's blocks are the
        # addition alone, so each stage writes its ReLUs around a repeat (73 lines against 54)
        pytest.param(CAFFE / "resnet50_kaiminghe/deploy.prototxt", "resnet50", 1.4, id="resnet50"),
    ],
)
def test_imported_spec_is_as_short_as_the_hand_written_preset(path: Path, preset: str, slack: float) -> None:
    # the network's lines: from `input:` on (the presets' description and source are prose the import
    # does not have; block descriptions, one line each, are counted)
    network = preset_text(preset).split("\ninput:", 1)[1].splitlines()
    text = import_model(str(path)).text.split("\ninput:", 1)[1].splitlines()
    print(f"{preset}: imported {len(text)} lines, hand-written {len(network)}")
    assert len(text) <= len(network) * slack


def test_googlenet_inception_modules_become_one_block_used_nine_times() -> None:
    text = import_model(str(CAFFE / "bvlc_googlenet/deploy.prototxt")).text
    assert "blocks:\n  inception:\n    params: [n1x1, n3x3_reduce, n3x3, n5x5_reduce, n5x5, pool_proj]\n" in text
    uses = [line for line in text.splitlines() if line.startswith("  - inception: ")]
    assert [line.split("name: ")[1].split(",")[0] for line in uses] == [
        "inception_3a", "inception_3b", "inception_4a", "inception_4b", "inception_4c",
        "inception_4d", "inception_4e", "inception_5a", "inception_5b",
    ]  # fmt: skip
    assert "from:" not in text  # nothing crosses in GoogLeNet


def test_batch_size_in_the_file_is_not_part_of_the_spec() -> None:
    result = import_model(str(CAFFE / "bvlc_googlenet/deploy.prototxt"))
    assert result.notes == ("the file's batch size 10 (Input layer) is not part of the spec: figures are per sample",)
    # Netscope's GoogLeNet once reported ten times the MACs this way; here the figures stay per sample
    assert cnncalc.analyze(cnncalc.loads(result.text)).totals.macs == 1_582_671_872


# ----------------------------------------------------------------------------------------- Darknet


def test_yolov3_tiny_structure() -> None:
    text = import_model(str(DARKNET / "yolov3-tiny.cfg")).text
    assert "input: [3, 416, 416]\noutputs: [conv15, conv22]\n" in text  # [yolo] after layers 15 and 22
    # route -4 (layer 17) reads layer 13's output: the next conv says so; route -1,8 concatenates
    assert "  - conv: {name: conv18, from: conv13_leaky, filters: 128, kernel: 1, bias: false}\n" in text
    assert "  - concat: {name: route20, from: [upsample19, conv8_leaky]}\n" in text
    # darknet's maxpool pads size − 1 in total, the extra one after: stride 1 keeps 13×13
    assert "  - maxpool: {name: maxpool11, kernel: 2, stride: 1, padding: [[0, 1], [0, 1]]}\n" in text


# darknet's own printout of yolov3-tiny at 416×416 (`./darknet detector test cfg/yolov3-tiny.cfg …`):
# layer, output (w × h × c) and BFLOPs = 2 × multiply-adds / 10⁹ of each conv layer; 5.56 in total.
YOLOV3_TINY_PRINTOUT = [
    (0, (416, 416, 16), 0.150),
    (2, (208, 208, 32), 0.399),
    (4, (104, 104, 64), 0.399),
    (6, (52, 52, 128), 0.399),
    (8, (26, 26, 256), 0.399),
    (10, (13, 13, 512), 0.399),
    (12, (13, 13, 1024), 1.595),
    (13, (13, 13, 256), 0.089),
    (14, (13, 13, 512), 0.399),
    (15, (13, 13, 255), 0.044),
    (18, (13, 13, 128), 0.011),
    (21, (26, 26, 256), 1.196),
    (22, (26, 26, 255), 0.088),
]


def test_yolov3_tiny_reproduces_darknets_printout() -> None:
    report = imported(DARKNET / "yolov3-tiny.cfg")
    convs = {row.name: row for row in report.layers if row.type == "conv"}
    for index, (w, h, c), bflops in YOLOV3_TINY_PRINTOUT:
        row = convs[f"conv{index}"]
        assert row.output_shape == (c, h, w)
        assert round(2 * row.macs / 1e9, 3) == bflops
    assert round(2 * report.totals.macs / 1e9, 2) == 5.56  # the YOLOv3 paper / darknet site


def test_yolov3_at_416() -> None:
    report = imported(DARKNET / "yolov3.cfg", input_shape=(3, 416, 416))  # the file declares 608×608
    assert round(2 * report.totals.macs / 1e9, 2) == 65.86  # the YOLOv3 paper, Table 2
    assert report.totals.params == 61_949_149  # darknet's yolov3.weights: conv weights, biases, bn scales
    assert [o.shape for o in report.outputs] == [(255, 13, 13), (255, 26, 26), (255, 52, 52)]


# ------------------------------------------------------------------------------------------ errors


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


CONV = (
    'layer { name: "c" type: "Convolution" bottom: "data" top: "c" '
    "convolution_param { num_output: 8 kernel_size: 3 } }\n"
)


@pytest.mark.parametrize(
    ("name", "text", "fmt", "message"),
    [
        pytest.param(
            "net.prototxt",
            "[net]\nwidth=416\n",
            None,
            r"net.prototxt:1:\d+: not a valid Caffe prototxt",
            id="wrong-format",
        ),
        pytest.param(
            "net.prototxt",
            'input: "data"\ninput_shape { dim: 1 dim: 3 dim: 32 dim: 32 }\nlayer { name: "c" type: "Convolution"\n',
            None,
            r"net.prototxt:3:\d+: not a valid Caffe prototxt: the file ends inside a message \(truncated\?\)",
            id="truncated",
        ),
        pytest.param(
            "net.prototxt",
            'input: "data"\ninput_shape { dim: 1 dim: 3 dim: 32 dim: 32 }\n'
            'layer { name: "odd" type: "Frobnicate" bottom: "data" top: "odd" }\n',
            None,
            r"net.prototxt:3:1: odd: layer type 'Frobnicate' is not supported",
            id="unsupported-op",
        ),
        pytest.param(
            "net.prototxt",
            'input: "data"\ninput_shape { dim: 1 dim: 3 dim: 32 dim: 32 }\n'
            'layer { name: "a" type: "ReLU" bottom: "b" top: "a" }\n'
            'layer { name: "b" type: "ReLU" bottom: "a" top: "b" }\n',
            None,
            r"net.prototxt:3:1: a: layer 'a' reads blob 'b', which no earlier layer writes",
            id="cycle",
        ),
        pytest.param(
            "net.prototxt", CONV, None, r"net.prototxt:1:1: the file declares no input shape", id="no-input-shape"
        ),
        pytest.param(
            "net.cfg",
            "[net]\nwidth=32\nheight=32\n[convolutional]\nfilters=8\nsize=3\n[route]\nlayers=3\n",
            None,
            r"net.cfg:8:1: layers=3 in layer 1 points at layer 3, which is not an earlier layer",
            id="darknet-cycle",
        ),
        pytest.param("net.cfg", "[net]\nwidth=32\n", None, r"net.cfg:1:1: \[net\] needs height=", id="darknet-no-size"),
        pytest.param(
            "net.cfg",
            "[net]\nwidth=32\nheight=32\n[frobnicate]\n",
            None,
            r"net.cfg:4:1: frobnicate0: darknet layer \[frobnicate\] \(layer 0\) is not supported",
            id="darknet-unsupported",
        ),
        pytest.param(
            "net.cfg",
            'layer { name: "x" }\n',
            None,
            r"net.cfg:1:1: expected key=value or \[section\]",
            id="darknet-wrong-format",
        ),
    ],
)
def test_bad_files_are_located_errors(tmp_path: Path, name: str, text: str, fmt: str | None, message: str) -> None:
    with pytest.raises(CnncalcError, match=message):
        import_model(write(tmp_path, name, text), fmt)


# --------------------------------------------------------------------------------------------- CLI


def test_cli_import_to_stdout_and_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = str(CAFFE / "squeezenet_v1.1/deploy.prototxt")
    result = cli("import", source)
    assert result.exit_code == 0
    assert result.stdout.startswith("name: squeezenet_v1.1\n") or result.stdout.startswith("name: ")
    assert "note: the file's batch size 10 (Input layer)" in result.stderr
    out = tmp_path / "sq.yaml"
    assert cli("import", source, "-o", str(out)).exit_code == 0
    assert out.read_text() == result.stdout
    again = cli("import", source, "-o", str(out))
    assert again.exit_code == 2 and "exists" in again.stderr and "--force" in again.stderr
    assert cli("import", source, "-o", str(out), "--force", "--name", "sq").exit_code == 0
    assert out.read_text().startswith("name: sq\n")


def test_cli_check_and_diff_read_model_files(cli) -> None:  # type: ignore[no-untyped-def]
    alexnet = str(CAFFE / "bvlc_alexnet/deploy.prototxt")
    passed = cli("check", alexnet, "--max-params", "70M")
    assert passed.exit_code == 0, passed.stderr
    failed = cli("check", alexnet, "--max-params", "5M")
    assert failed.exit_code == 1 and "exceed max_params 5M" in failed.stdout
    diff = cli("diff", alexnet, str(CAFFE / "bvlc_alexnet/train_val.prototxt"))
    assert diff.exit_code == 0, diff.stderr


def test_cli_bad_file_exits_2_with_location(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("import", write(tmp_path, "x.cfg", "[net]\nwidth=32\nheight=32\n[frobnicate]\n"))
    assert result.exit_code == 2
    assert "x.cfg:4:1" in result.stderr and "Traceback" not in result.stderr


# -------------------------------------------------------------------------------------------- ONNX


def small_onnx(tmp_path: Path, middle: str, **attrs: object) -> str:
    """conv (4 filters of 3×3×3, pad 1) → ``middle`` → relu on an input of dynamic batch × 3 × 8 × 8."""
    onnx = need("onnx")
    h, t = onnx.helper, onnx.TensorProto
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], name="conv"),
        h.make_node(
            middle, ["c", "s", "b"] if middle == "InstanceNormalization" else ["c"], ["n"], name="mid", **attrs
        ),
        h.make_node("Relu", ["n"], ["y"], name="relu"),
    ]
    weights = [
        h.make_tensor("w", t.FLOAT, [4, 3, 3, 3], [0.0] * 108),
        h.make_tensor("s", t.FLOAT, [4], [1.0] * 4),
        h.make_tensor("b", t.FLOAT, [4], [0.0] * 4),
    ]
    x = h.make_tensor_value_info("x", t.FLOAT, ["N", 3, 8, 8])
    graph = h.make_graph(nodes, "small", [x], [h.make_tensor_value_info("y", t.FLOAT, None)], weights)
    path = tmp_path / "small.onnx"
    path.write_bytes(h.make_model(graph, opset_imports=[h.make_opsetid("", 17)]).SerializeToString())
    return str(path)


def test_onnx_unsupported_op_names_the_node(tmp_path: Path) -> None:
    with pytest.raises(
        CnncalcError, match=r"small.onnx:2:1: mid: ONNX operation InstanceNormalization is not supported"
    ):
        import_model(small_onnx(tmp_path, "InstanceNormalization"))


def test_onnx_allow_unknown_makes_an_opaque_row(tmp_path: Path) -> None:
    text = import_model(small_onnx(tmp_path, "InstanceNormalization"), allow_unknown=True).text
    # the shape from ONNX's shape inference, the parameters from its initializers (scale and bias: 4 + 4)
    assert "  - opaque: {name: mid, op: InstanceNormalization, output_shape: [4, 8, 8], params: 8}\n" in text
    report = cnncalc.analyze(cnncalc.loads(text))
    assert report.totals.params == 4 * 3 * 3 * 3 + 4 + 4
    assert report.totals.macs == 4 * 3 * 3 * 3 * 8 * 8  # the conv alone: the opaque row's cost is unknown
    assert [w.message for w in report.warnings if "cost unknown" in w.message] == [
        "cost unknown: InstanceNormalization is an opaque row (its MACs are not counted)"
    ]


def test_onnx_input_shape_and_batch(tmp_path: Path) -> None:
    path = small_onnx(tmp_path, "Sigmoid")
    assert "input: [3, 8, 8]\n" in import_model(path).text  # the dynamic batch is fine
    assert "input: [3, 16, 16]\n" in import_model(path, input_shape=(3, 16, 16)).text


def test_onnx_truncated_file_is_a_clean_error(tmp_path: Path) -> None:
    path = Path(small_onnx(tmp_path, "Sigmoid"))
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(CnncalcError, match=r"small.onnx:1:1: not a valid ONNX model"):
        import_model(str(path))


@pytest.mark.parametrize("raw_data", [pytest.param(False, id="float_data"), pytest.param(True, id="raw_data")])
def test_onnx_weights_are_left_out_by_the_wire_walk(tmp_path: Path, raw_data: bool) -> None:
    """The model without the data of its initializers of more than 64 elements equals the model parsed whole
    with that data cleared: every other field, the small initializers' values included, is kept."""
    onnx = need("onnx")
    from cnncalc.importers.onnx_wire import without_weights

    h, t = onnx.helper, onnx.TensorProto
    values = bytes(4 * 108) if raw_data else [0.5] * 108  # 108 > 64 elements
    big = h.make_tensor("w", t.FLOAT, [4, 3, 3, 3], values, raw=raw_data)
    small = h.make_tensor("s", t.INT64, [2], [1, -1])
    model = h.make_model(
        h.make_graph(
            [h.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], name="conv")],
            "g",
            [h.make_tensor_value_info("x", t.FLOAT, [1, 3, 8, 8])],
            [h.make_tensor_value_info("y", t.FLOAT, None)],
            [big, small],
            doc_string="kept",
        ),
        opset_imports=[h.make_opsetid("", 17)],
    )
    slim = onnx.load_model_from_string(without_weights(model.SerializeToString()))
    model.graph.initializer[0].ClearField("raw_data" if raw_data else "float_data")
    assert slim == model
    weight, shape = slim.graph.initializer
    assert list(weight.dims) == [4, 3, 3, 3] and list(shape.int64_data) == [1, -1]


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(b"\x3a\xff", id="length-past-the-end"),
        pytest.param(b"\x08\xff\xff", id="unfinished-varint"),
        pytest.param(b"\x0b", id="group-wire-type"),
    ],
)
def test_onnx_broken_encoding_is_a_clean_error(tmp_path: Path, cut: bytes) -> None:
    path = Path(small_onnx(tmp_path, "Sigmoid"))
    path.write_bytes(path.read_bytes() + cut)
    with pytest.raises(CnncalcError, match=r"small.onnx:1:1: not a valid ONNX model: ValueError: "):
        import_model(str(path))


def test_onnx_files_have_their_own_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model file is not a spec: the 16 MiB spec limit does not apply (a ResNet-50 is about 100 MB); the
    ONNX limit is protobuf's 2 GiB, made smaller here to test it."""
    import cnncalc.importers
    from cnncalc.loader import MAX_BYTES

    path = Path(small_onnx(tmp_path, "Sigmoid"))
    assert cnncalc.importers.MAX_MODEL_BYTES == 2**31 - 1 > MAX_BYTES
    monkeypatch.setattr(cnncalc.importers, "MAX_MODEL_BYTES", path.stat().st_size - 1)
    with pytest.raises(CnncalcError, match=r"small.onnx is \d+ bytes; an ONNX file holds at most"):
        import_model(str(path))


def test_text_models_have_the_spec_files_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Caffe prototxt or Darknet cfg is read whole: as a spec file, at most loader.MAX_BYTES (made smaller
    here to test it), and no further byte is read past it."""
    import cnncalc.importers

    path = write(tmp_path, "big.cfg", "[net]\nwidth=32\nheight=32\nchannels=3\n")
    monkeypatch.setattr(cnncalc.importers, "MAX_BYTES", 10)
    with pytest.raises(CnncalcError, match=r"big.cfg is larger than 10 bytes: it is not a darknet model"):
        import_model(path)


def test_empty_onnx_file_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.onnx"
    path.write_bytes(b"")
    with pytest.raises(CnncalcError, match=r"empty.onnx:1:1: the ONNX model has no nodes"):
        import_model(str(path))


def test_onnx_symbolic_size_needs_input(tmp_path: Path) -> None:
    onnx = need("onnx")
    h, t = onnx.helper, onnx.TensorProto
    x = h.make_tensor_value_info("x", t.FLOAT, ["N", 3, "H", "W"])
    graph = h.make_graph(
        [h.make_node("Relu", ["x"], ["y"], name="r")], "g", [x], [h.make_tensor_value_info("y", t.FLOAT, None)]
    )
    path = tmp_path / "dyn.onnx"
    path.write_bytes(h.make_model(graph, opset_imports=[h.make_opsetid("", 17)]).SerializeToString())
    with pytest.raises(CnncalcError, match=r"symbolic sizes \['N', 3, 'H', 'W'\]: only the batch may be dynamic"):
        import_model(str(path))
    assert "input: [3, 5, 7]\n" in import_model(str(path), input_shape=(3, 5, 7)).text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["no_such_module_x:f", "--from", "torch", "--input", "3x8x8"], "cannot import no_such_module_x", id="module"
        ),
        pytest.param(
            ["cnncalc:no_such_factory", "--from", "torch", "--input", "3x8x8"], "has no callable", id="factory"
        ),
        pytest.param(["cnncalc:analyze", "--from", "torch"], "--from torch needs --input", id="no-input"),
        pytest.param(["no-colon", "--from", "torch", "--input", "3x8x8"], "module.path:factory", id="grammar"),
    ],
)
def test_cli_torch_source_errors(cli, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    need("torch")
    result = cli("import", *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr
