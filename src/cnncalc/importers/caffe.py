"""Caffe ``.prototxt`` → graph, read with the ``protobuf`` package's text-format parser.

The schema is a subset of caffe.proto (BVLC/caffe src/caffe/proto/caffe.proto): the messages and fields
this importer uses, with Caffe's field numbers, types and defaults, built in code with ``descriptor_pb2``
(no protoc binary and no generated module to ship). Fields it does not declare (fillers, data sources,
solver hints) are skipped by the parser, which still checks the syntax of the whole file.

Caffe's rules kept here: a convolution's ``pad``/``kernel_size``/``stride`` are one value or one per axis
(``pad_h``/``pad_w`` override them), ``bias_term`` defaults to true, pooling rounds up unless
``round_mode: FLOOR`` and clips a last window that starts in the padding (cnncalc's ``ceil_mode``, which
follows the same rule), BatchNorm is followed by Scale for its learned affine (the pair becomes one
``batchnorm``), in-place layers (``top`` = ``bottom``) are rows like any other, and data, loss and accuracy
layers of a train_val file are not part of the network.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NoReturn

from ..errors import Location
from .graph import INPUT, Graph, Op, clean_name, located

_T = {"string": 9, "bool": 8, "uint32": 13, "int32": 5, "int64": 3, "float": 2, "enum": 14, "message": 11}
_REPEATED, _OPTIONAL = 3, 1

# message → [(field, number, type, repeated, default or enum/message type)]
_SCHEMA: dict[str, list[tuple[str, int, str, bool, Any]]] = {
    "BlobShape": [("dim", 1, "int64", True, None)],
    "NetStateRule": [("phase", 1, "enum:Phase", False, None)],
    "TransformationParameter": [("crop_size", 3, "uint32", False, 0)],
    "InputParameter": [("shape", 1, "message:BlobShape", True, None)],
    "ConvolutionParameter": [
        ("num_output", 1, "uint32", False, None),
        ("bias_term", 2, "bool", False, True),
        ("pad", 3, "uint32", True, None),
        ("kernel_size", 4, "uint32", True, None),
        ("group", 5, "uint32", False, 1),
        ("stride", 6, "uint32", True, None),
        ("pad_h", 9, "uint32", False, 0),
        ("pad_w", 10, "uint32", False, 0),
        ("kernel_h", 11, "uint32", False, None),
        ("kernel_w", 12, "uint32", False, None),
        ("stride_h", 13, "uint32", False, None),
        ("stride_w", 14, "uint32", False, None),
        ("axis", 16, "int32", False, 1),
        ("dilation", 18, "uint32", True, None),
    ],
    "PoolingParameter": [
        ("pool", 1, "enum:PoolingParameter.PoolMethod", False, None),
        ("kernel_size", 2, "uint32", False, None),
        ("stride", 3, "uint32", False, 1),
        ("pad", 4, "uint32", False, 0),
        ("kernel_h", 5, "uint32", False, None),
        ("kernel_w", 6, "uint32", False, None),
        ("stride_h", 7, "uint32", False, None),
        ("stride_w", 8, "uint32", False, None),
        ("pad_h", 9, "uint32", False, 0),
        ("pad_w", 10, "uint32", False, 0),
        ("global_pooling", 12, "bool", False, False),
        ("round_mode", 13, "enum:PoolingParameter.RoundMode", False, None),
    ],
    "InnerProductParameter": [("num_output", 1, "uint32", False, None), ("bias_term", 2, "bool", False, True)],
    "LRNParameter": [
        ("local_size", 1, "uint32", False, 5),
        ("alpha", 2, "float", False, 1.0),
        ("beta", 3, "float", False, 0.75),
        ("norm_region", 4, "enum:LRNParameter.NormRegion", False, None),
        ("k", 5, "float", False, 1.0),
    ],
    "DropoutParameter": [("dropout_ratio", 1, "float", False, 0.5)],
    "ConcatParameter": [("concat_dim", 1, "uint32", False, 1), ("axis", 2, "int32", False, 1)],
    "EltwiseParameter": [
        ("operation", 1, "enum:EltwiseParameter.EltwiseOp", False, "SUM"),
        ("coeff", 2, "float", True, None),
    ],
    "BatchNormParameter": [("use_global_stats", 1, "bool", False, None), ("eps", 3, "float", False, 1e-5)],
    "ScaleParameter": [
        ("axis", 1, "int32", False, 1),
        ("num_axes", 2, "int32", False, 1),
        ("bias_term", 4, "bool", False, False),
    ],
    "SliceParameter": [
        ("slice_dim", 1, "uint32", False, 1),
        ("slice_point", 2, "uint32", True, None),
        ("axis", 3, "int32", False, 1),
    ],
    "PReLUParameter": [("channel_shared", 2, "bool", False, False)],
    "LayerParameter": [
        ("name", 1, "string", False, None),
        ("type", 2, "string", False, None),
        ("bottom", 3, "string", True, None),
        ("top", 4, "string", True, None),
        ("include", 8, "message:NetStateRule", True, None),
        ("transform_param", 100, "message:TransformationParameter", False, None),
        ("concat_param", 104, "message:ConcatParameter", False, None),
        ("convolution_param", 106, "message:ConvolutionParameter", False, None),
        ("dropout_param", 108, "message:DropoutParameter", False, None),
        ("eltwise_param", 110, "message:EltwiseParameter", False, None),
        ("inner_product_param", 117, "message:InnerProductParameter", False, None),
        ("lrn_param", 118, "message:LRNParameter", False, None),
        ("pooling_param", 121, "message:PoolingParameter", False, None),
        ("slice_param", 126, "message:SliceParameter", False, None),
        ("prelu_param", 131, "message:PReLUParameter", False, None),
        ("batch_norm_param", 139, "message:BatchNormParameter", False, None),
        ("scale_param", 142, "message:ScaleParameter", False, None),
        ("input_param", 143, "message:InputParameter", False, None),
    ],
    "NetParameter": [
        ("name", 1, "string", False, None),
        ("input", 3, "string", True, None),
        ("input_dim", 4, "int32", True, None),
        ("input_shape", 8, "message:BlobShape", True, None),
        ("layer", 100, "message:LayerParameter", True, None),
    ],
}
# enum → its values; nested in the message that uses it, as in caffe.proto (their value names clash)
_ENUMS = {
    "Phase": ["TRAIN", "TEST"],
    "PoolingParameter.PoolMethod": ["MAX", "AVE", "STOCHASTIC"],
    "PoolingParameter.RoundMode": ["CEIL", "FLOOR"],
    "LRNParameter.NormRegion": ["ACROSS_CHANNELS", "WITHIN_CHANNEL"],
    "EltwiseParameter.EltwiseOp": ["PROD", "SUM", "MAX"],
}


@cache
def _net_class() -> Any:
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    file = descriptor_pb2.FileDescriptorProto(name="cnncalc_caffe_subset.proto", package="caffe", syntax="proto2")
    messages = {}
    for message, fields in _SCHEMA.items():
        messages[message] = m = file.message_type.add(name=message)
        for fname, number, ftype, repeated, default in fields:
            base, _, ref = ftype.partition(":")
            f = m.field.add(name=fname, number=number, type=_T[base], label=_REPEATED if repeated else _OPTIONAL)
            if ref:
                f.type_name = f".caffe.{ref}"
            if default is not None:
                f.default_value = str(default).lower() if isinstance(default, bool) else str(default)
    for enum, values in _ENUMS.items():
        owner, _, short = enum.rpartition(".")
        e = (messages[owner].enum_type if owner else file.enum_type).add(name=short)
        for number, value in enumerate(values):
            e.value.add(name=value, number=number)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("caffe.NetParameter"))


_SKIPPED = {"Data", "ImageData", "HDF5Data", "MemoryData", "DummyData", "WindowData"}
_TRAINING = {"SoftmaxWithLoss", "Accuracy", "EuclideanLoss", "SigmoidCrossEntropyLoss", "HingeLoss", "Silence"}
_SAME_SHAPE = {"ReLU": "relu", "Sigmoid": "sigmoid", "TanH": "tanh", "Softmax": "softmax"}


def read(text: str, file: str, input_shape: tuple[int, ...] | None, name: str | None, allow_unknown: bool) -> Graph:
    from google.protobuf import text_format

    lines = text.splitlines()
    net = _net_class()()
    try:
        text_format.Parse(text, net, allow_unknown_field=True)
    except text_format.ParseError as exc:
        line, column = exc.GetLine() or 1, exc.GetColumn() or 1
        loc = Location(file, line, column, lines[line - 1] if 0 < line <= len(lines) else None)
        message = str(exc).split(" : ", 1)[-1]
        if line >= len(lines) and not text[text.rfind("\n", 0, len(text.rstrip())) :].strip().endswith("}"):
            message = f"the file ends inside a message (truncated?): {message}"
        raise located(
            f"not a valid Caffe prototxt: {message}",
            loc,
            'a Caffe network definition is protobuf text: layer { name: "…" type: "…" … }',
        ) from None
    if not net.layer:
        raise located(
            "no layer { … } in this file: not a Caffe network definition (or an old V1 'layers' file)",
            Location(file, 1, 1, lines[0] if lines else None),
            "upgrade V1 files with Caffe's upgrade_net_proto_text tool",
        )
    return _Reader(net, file, lines, input_shape, name, allow_unknown).graph()


def _layer_lines(lines: list[str]) -> list[int]:
    """The line of each top-level ``layer`` field, found with protobuf's own tokenizer."""
    from google.protobuf import text_format

    tok = text_format.Tokenizer(lines)
    depth, found = 0, []
    while not tok.AtEnd():
        token = tok.token
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0 and token == "layer":
            found.append(tok._line + 1)
        tok.NextToken()
    return found


class _Reader:
    def __init__(
        self, net: Any, file: str, lines: list[str], shape: tuple[int, ...] | None, name: str | None, unknown: bool
    ) -> None:
        self.net, self.file, self.lines, self.unknown = net, file, lines, unknown
        self.shape_override = shape
        self.name = name or clean_name(net.name or _file_name(file))
        self.taken: set[str] = set()  # the names given to layers so far
        self.blob: dict[str, str] = {}  # Caffe blob → the op that last wrote it
        self.ops: list[Op] = []
        self.notes: list[str] = []
        self.input_shape: tuple[int, ...] | None = None
        self.line_of = _layer_lines(lines)

    def location(self, index: int) -> Location:
        line = self.line_of[index] if index < len(self.line_of) else 1
        return Location(self.file, line, 1, self.lines[line - 1] if line <= len(self.lines) else None)

    def declared_input(self, dims: list[int], how: str) -> None:
        if len(dims) >= 2 and dims[0] != 1:
            self.notes.append(
                f"the file's batch size {dims[0]} ({how}) is not part of the spec: figures are per sample"
            )
        self.input_shape = tuple(dims[1:])

    def graph(self) -> Graph:
        net = self.net
        if net.input:
            self.blob[net.input[0]] = INPUT
            if net.input_shape:
                self.declared_input(list(net.input_shape[0].dim), "input_shape")
            elif net.input_dim:
                self.declared_input(list(net.input_dim[:4]), "input_dim")
        used: set[str] = set()
        for index, layer in enumerate(net.layer):
            self.layer(index, layer, used)
        if self.shape_override is not None:
            self.input_shape = self.shape_override
        if self.input_shape is None:
            raise located(
                "the file declares no input shape",
                Location(self.file, 1, 1, self.lines[0] if self.lines else None),
                "give one: cnncalc import FILE --input 3x224x224",
            )
        outputs = [op.name for op in self.ops if op.name not in used]
        return Graph(
            self.name,
            self.input_shape,
            self.ops,
            f"{self.file} (Caffe prototxt)",
            outputs=outputs if len(outputs) > 1 else [],
            notes=self.notes,
        )

    def layer(self, index: int, layer: Any, used: set[str]) -> None:
        kind, loc = layer.type, self.location(index)
        if kind == "Input":
            self.declared_input(list(layer.input_param.shape[0].dim) if layer.input_param.shape else [], "Input layer")
            for top in layer.top:
                self.blob[top] = INPUT
            return
        if kind in _SKIPPED:
            if layer.transform_param.crop_size and self.input_shape is None:
                crop = layer.transform_param.crop_size
                self.input_shape = (3, crop, crop)
            if layer.top:
                self.blob[layer.top[0]] = INPUT
            return
        if kind in _TRAINING:
            return
        if any(rule.phase == 0 for rule in layer.include) and not any(rule.phase == 1 for rule in layer.include):
            return  # a training-only layer
        base = name = clean_name(layer.name or f"{kind.lower()}{index}")
        n = 1
        while name in self.taken:  # Caffe does not require distinct names; a spec does
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        bottoms = []
        for bottom in layer.bottom:
            if bottom not in self.blob and INPUT not in self.blob.values():
                self.blob[bottom] = INPUT  # no input declared: the first blob read is the input
            if bottom not in self.blob:
                raise located(
                    f"layer {layer.name!r} reads blob {bottom!r}, which no earlier layer writes",
                    loc,
                    "Caffe layers may read only blobs written above them (a cycle or a typo?)",
                    layer.name,
                )
            bottoms.append(self.blob[bottom])
        used.update(bottoms)
        if kind == "Slice":
            self.slice(layer, name, bottoms, loc)
            return
        op = self.translate(layer, name, bottoms, loc)
        if op is None:  # Scale folded into the BatchNorm before it
            for top in layer.top:
                self.blob[top] = bottoms[0]
            return
        self.ops.append(op)
        for top in layer.top:
            self.blob[top] = op.name

    def channels(self, blob: str) -> int | None:
        """The channel count of an op's output, as far as the kinds a Slice may follow tell it."""
        if blob == INPUT:
            shape = self.shape_override or self.input_shape
            return shape[0] if shape else None
        op = next(o for o in reversed(self.ops) if o.name == blob)
        if op.kind in ("conv", "deconv"):
            return int(op.args["filters"])
        if op.kind == "fc":
            return int(op.args["units"])
        if op.kind == "slice":
            start, stop = op.args["channels"]
            return int(stop) - int(start)
        if op.kind == "concat":
            parts = [self.channels(b) for b in op.inputs]
            return None if None in parts else sum(p for p in parts if p is not None)
        return self.channels(op.inputs[0]) if op.inputs else None

    def slice(self, layer: Any, name: str, bottoms: list[str], loc: Location) -> None:
        """A Slice along the channels writes one ``slice`` row per top: ``slice_point`` gives where each part
        ends; without it the channels are shared equally among the tops (caffe/src/caffe/layers/slice_layer.cpp)."""
        p = layer.slice_param
        axis = p.axis if p.HasField("axis") else p.slice_dim
        if axis != 1:
            self.unknown_op(layer, name, bottoms, loc, f"Slice along axis {axis} (only the channels, axis 1)")
        points = list(p.slice_point)
        channels = self.channels(bottoms[0])
        tops = list(layer.top)
        if points and len(points) != len(tops) - 1:
            raise located(
                f"Slice with {len(points)} slice_point(s) for {len(tops)} tops",
                loc,
                "give one slice_point fewer than the tops (or none, for equal parts)",
                layer.name,
            )
        if channels is None:
            raise located(
                "Slice: cnncalc cannot tell how many channels its bottom has here",
                loc,
                "give the input shape: cnncalc import FILE --input 3x224x224",
                layer.name,
            )
        if not points:
            if channels % len(tops):
                raise located(
                    f"Slice: {channels} channels do not split into {len(tops)} equal parts",
                    loc,
                    "give slice_point values",
                    layer.name,
                )
            points = [channels // len(tops) * i for i in range(1, len(tops))]
        bounds = [0, *points, channels]
        for i, top in enumerate(tops):
            part = clean_name(top if len(tops) > 1 else name)
            self.ops.append(Op(part, "slice", {"channels": [bounds[i], bounds[i + 1]]}, bottoms[:1], loc))
            self.blob[top] = part

    def translate(self, layer: Any, name: str, bottoms: list[str], loc: Location) -> Op | None:
        kind = layer.type
        if kind in ("Convolution", "Deconvolution"):
            p = layer.convolution_param
            args = {
                "filters": p.num_output,
                "kernel": _axes(p.kernel_size, p.kernel_h, p.kernel_w, p.HasField("kernel_h")),
            }
            stride = _axes(p.stride, p.stride_h, p.stride_w, p.HasField("stride_h"), 1)
            pad = _axes(p.pad, p.pad_h, p.pad_w, p.HasField("pad_h") or p.HasField("pad_w"), 0)
            dilation = _axes(p.dilation, 1, 1, False, 1)
            for key, value, default in (("stride", stride, 1), ("padding", pad, 0), ("dilation", dilation, 1)):
                if value != default:
                    args[key] = value
            if p.group != 1:
                args["groups"] = p.group
            if not p.bias_term:
                args["bias"] = False
            return Op(name, "conv" if kind == "Convolution" else "deconv", args, bottoms, loc)
        if kind == "Pooling":
            p = layer.pooling_param
            method = ("maxpool", "avgpool", None)[p.pool]
            if method is None:
                return self.unknown_op(layer, name, bottoms, loc, "stochastic pooling")
            if p.global_pooling:
                return Op(name, f"global_{method}", {}, bottoms, loc)
            args = {
                "kernel": _axes(
                    [p.kernel_size] if p.HasField("kernel_size") else [], p.kernel_h, p.kernel_w, p.HasField("kernel_h")
                )
            }
            stride = _axes([p.stride], p.stride_h, p.stride_w, p.HasField("stride_h"), 1)
            pad = _axes([p.pad], p.pad_h, p.pad_w, p.HasField("pad_h") or p.HasField("pad_w"), 0)
            args["stride"] = stride
            if pad != 0:
                args["padding"] = pad
            if p.round_mode == 0:
                args["ceil_mode"] = True
            return Op(name, method, args, bottoms, loc)
        if kind == "InnerProduct":
            p = layer.inner_product_param
            args = {"units": p.num_output}
            if not p.bias_term:
                args["bias"] = False
            return Op(name, "fc", args, bottoms, loc)
        if kind == "LRN":
            p = layer.lrn_param
            if p.norm_region == 1:
                return self.unknown_op(layer, name, bottoms, loc, "LRN within a channel")
            args = {"size": p.local_size, "alpha": _f(p.alpha), "beta": _f(p.beta)}
            if p.k != 1:
                args["k"] = _f(p.k)
            return Op(name, "lrn", args, bottoms, loc)
        if kind in _SAME_SHAPE:
            return Op(name, _SAME_SHAPE[kind], {}, bottoms, loc)
        if kind == "PReLU":
            return Op(name, "prelu", {"shared": True} if layer.prelu_param.channel_shared else {}, bottoms, loc)
        if kind == "Dropout":
            return Op(name, "dropout", {"rate": _f(layer.dropout_param.dropout_ratio)}, bottoms, loc)
        if kind == "Flatten":
            return Op(name, "flatten", {}, bottoms, loc)
        if kind == "BatchNorm":
            eps = _f(layer.batch_norm_param.eps)
            return Op(name, "batchnorm", {"affine": False} | ({"eps": eps} if eps != 1e-5 else {}), bottoms, loc)
        if kind == "Scale":
            before = self.ops[-1] if self.ops else None
            if (
                before is not None
                and before.kind == "batchnorm"
                and bottoms == [before.name]
                and len(layer.bottom) == 1
            ):
                before.args.pop("affine", None)  # BatchNorm + Scale: one batchnorm with its learned affine
                if not layer.scale_param.bias_term:
                    return self.unknown_op(layer, name, bottoms, loc, "a Scale without bias after BatchNorm")
                return None
            args = {"bias": True} if layer.scale_param.bias_term else {}
            return Op(name, "scale", args, bottoms, loc)
        if kind == "Eltwise":
            op = ("mul", "add", None)[layer.eltwise_param.operation]
            if op is None or (layer.eltwise_param.coeff and any(c != 1 for c in layer.eltwise_param.coeff)):
                return self.unknown_op(layer, name, bottoms, loc, "Eltwise MAX or with coefficients")
            return Op(name, op, {}, bottoms, loc)
        if kind == "Concat":
            axis = layer.concat_param.axis if layer.concat_param.HasField("axis") else layer.concat_param.concat_dim
            if axis != 1:
                return self.unknown_op(layer, name, bottoms, loc, f"Concat along axis {axis}")
            return Op(name, "concat", {}, bottoms, loc)
        return self.unknown_op(layer, name, bottoms, loc, None)

    def unknown_op(self, layer: Any, name: str, bottoms: list[str], loc: Location, what: str | None) -> NoReturn:
        label = what or f"layer type {layer.type!r}"
        hint = (
            "a prototxt does not declare output shapes, so --allow-unknown cannot make it an opaque row; "
            "export the model to ONNX, whose shape inference gives it"
            if self.unknown
            else "supported: Convolution, Deconvolution, Pooling, InnerProduct, LRN, ReLU, Sigmoid, TanH, PReLU, "
            "BatchNorm (+ Scale), Scale, Eltwise SUM/PROD, Concat, Slice, Flatten, Dropout, Softmax"
        )
        raise located(f"{label} is not supported", loc, hint, layer.name)


def _file_name(file: str) -> str:
    """``models/squeezenet_v1.1/deploy.prototxt`` → ``squeezenet_v1.1``: Caffe's usual file names say
    which variant, the folder which network."""
    parts = file.replace("\\", "/").split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    if stem in ("deploy", "train_val", "train", "test", "solver", "model", "net") and len(parts) > 1:
        return parts[-2]
    return stem


def _axes(values: Any, h: int | None, w: int | None, per_axis: bool, default: int | None = None) -> Any:
    """Caffe's one-or-per-axis numbers (``kernel_size: 3`` or ``kernel_h``/``kernel_w``) as cnncalc's."""
    if per_axis:
        return h if h == w else [h, w]
    values = list(values)
    if not values:
        return default
    if len(values) == 1 or len(set(values)) == 1:
        return values[0]
    return values


def _f(value: float) -> float:
    """A float32 field as the decimal written in the file (0.0001, not 9.999999747378752e-05)."""
    return float(f"{value:.7g}")
