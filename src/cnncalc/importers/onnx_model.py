"""ONNX → graph, with ONNX's own shape inference as a cross-check of every shape cnncalc computes.

Nodes are read in the file's (topological) order. Weights come from the initializers: a Conv's weight
``[M, C/group, kH, kW]`` gives its filters and kernel, a Gemm's ``B`` its units (``transB``), a MatMul by a
``[K, N]`` initializer followed by an Add of an ``[N]`` initializer is one ``fc`` with bias. Nodes that
only compute shapes (Shape → Gather → Concat → Reshape, as ``x.view(x.size(0), -1)`` exports) are
followed as constants; a Reshape to ``[batch, features]`` is a flatten. After the import every row's
shape, computed by cnncalc's own layer kinds, is compared with what ``onnx.shape_inference`` inferred
for the node's output; a disagreement is an error naming the node.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import Location, UsageError
from .graph import INPUT, Graph, Op, clean_name, located

_SAME_SHAPE = {
    "Relu": "relu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "HardSwish": "hardswish",
    "HardSigmoid": "hardsigmoid",
    "Gelu": "gelu",
    "Softmax": "softmax",
}
_ALIASES = {"Identity"}
_MERGES = {"Add": "add", "Mul": "mul", "Sum": "add"}


def read(raw: bytes, file: str, input_shape: tuple[int, ...] | None, name: str | None, allow_unknown: bool) -> Graph:
    import onnx
    from onnx import numpy_helper, shape_inference

    try:
        model = onnx.load_model_from_string(raw)
    except Exception as exc:  # the protobuf decoder's errors carry no position in the file
        raise located(
            f"not a valid ONNX model: {type(exc).__name__}: {exc}",
            Location(file, 1, 1),
            "is the file complete? an ONNX model is a binary protobuf (ModelProto)",
        ) from None
    graph = model.graph
    # protobuf's pure-Python decoder keeps a proto2 string that is not UTF-8 as bytes (a damaged file)
    broken = next((what for what, text in _texts(graph) if not isinstance(text, str)), None)
    if broken is not None:
        raise located(
            f"not a valid ONNX model: {broken} is not UTF-8 text",
            Location(file, 1, 1),
            "is the file complete? an ONNX model is a binary protobuf (ModelProto)",
        )
    if not graph.node:
        raise located("the ONNX model has no nodes (a truncated or empty file?)", Location(file, 1, 1))
    # weights are only needed for their shapes: small initializers (pads, scales, shapes) are read as
    # values, and large ones lose their data here, which also keeps shape inference fast
    constants: dict[str, Any] = {}
    for t in graph.initializer:
        if _numel(t.dims) <= 64 and t.data_location != onnx.TensorProto.EXTERNAL:
            try:
                constants[t.name] = numpy_helper.to_array(t)
            except ValueError:  # no data (a weight kept elsewhere): its shape is what counts
                constants[t.name] = _Dims(tuple(t.dims))
        else:
            constants[t.name] = _Dims(tuple(t.dims))
            for data in ("raw_data", "float_data", "int64_data", "int32_data", "double_data"):
                t.ClearField(data)
    inputs = [i for i in graph.input if i.name not in constants]
    if len(inputs) != 1:
        raise UsageError(
            f"{file}: cnncalc imports networks with one input; this one has {len(inputs)}",
            "inputs: " + ", ".join(i.name for i in inputs),
        )
    dims = inputs[0].type.tensor_type.shape.dim
    declared = [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in dims]
    if input_shape is None:
        symbolic = [d for d in declared[1:] if not isinstance(d, int)]
        if symbolic:
            raise located(
                f"input {inputs[0].name!r} has symbolic sizes {declared}: only the batch may be dynamic",
                Location(file, 1, 1),
                "give the shape: cnncalc import MODEL.onnx --input 3x224x224",
            )
        input_shape = tuple(int(d) for d in declared[1:])
    for dim, size in zip(dims[1:], input_shape, strict=False):
        dim.Clear()
        dim.dim_value = size
    if dims and not dims[0].HasField("dim_value"):
        dims[0].Clear()
        dims[0].dim_value = 1
    del graph.value_info[:]  # shapes are inferred afresh from this input
    for output in graph.output:
        output.type.tensor_type.ClearField("shape")
    try:
        inferred_model = shape_inference.infer_shapes(model, strict_mode=True)
    except Exception as exc:
        raise located(f"ONNX shape inference rejects this model: {exc}", Location(file, 1, 1)) from None
    inferred: dict[str, tuple[int, ...]] = {}
    for info in [*inferred_model.graph.value_info, *inferred_model.graph.output]:
        shape = info.type.tensor_type.shape
        if all(d.HasField("dim_value") for d in shape.dim):
            inferred[info.name] = tuple(d.dim_value for d in shape.dim)
    reader = _Reader(file, constants, inferred, allow_unknown)
    reader.tensor[inputs[0].name] = INPUT
    for index, node in enumerate(graph.node):
        reader.node(index, node)
    reader.fold_silu()
    outputs = [reader.tensor[o.name] for o in graph.output if o.name in reader.tensor]
    result = Graph(
        name or _model_name(graph.name, file),
        tuple(input_shape),
        reader.ops,
        f"{file} (ONNX)",
        outputs=outputs if len(outputs) > 1 else [],
    )
    reader.cross_check(tuple(input_shape))
    return result


def _model_name(graph_name: str, file: str) -> str:
    """The graph's name, unless it is an exporter's placeholder: then the file's."""
    if graph_name and graph_name not in ("main_graph", "torch_jit", "torch-jit-export"):
        return clean_name(graph_name)
    return clean_name(file.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0])


class _Reader:
    def __init__(
        self, file: str, constants: dict[str, Any], inferred: dict[str, tuple[int, ...]], unknown: bool
    ) -> None:
        self.file, self.constants, self.inferred, self.unknown = file, constants, inferred, unknown
        self.tensor: dict[str, str] = {}  # ONNX value → the op whose output it is
        self.ops: list[Op] = []
        self.by_name: dict[str, Op] = {}
        self.onnx_output: dict[str, str] = {}  # op → the ONNX value it produces
        self.readers: dict[str, int] = {}

    def where(self, index: int, node: Any) -> Location:
        # a binary file has no lines: the location names the node's index instead
        return Location(self.file, index + 1, 1, f"node {index}: {node.op_type} {node.name!r}")

    def attrs(self, node: Any) -> dict[str, Any]:
        from onnx import helper

        return {a.name: helper.get_attribute_value(a) for a in node.attribute}

    def emit(self, node: Any, kind: str, args: dict[str, Any], sources: list[str], index: int) -> Op:
        base = _node_name(node.name, node.op_type) or f"{node.op_type.lower()}{index}"
        name, n = base, 1
        while name in self.by_name or name == INPUT:
            n += 1
            name = f"{base}_{n}"
        op = Op(name, kind, args, sources, self.where(index, node))
        self.ops.append(op)
        self.by_name[name] = op
        self.tensor[node.output[0]] = name
        self.onnx_output[name] = node.output[0]
        return op

    def activation(self, value: str) -> bool:
        return value in self.tensor

    def node(self, index: int, node: Any) -> None:
        kind, attrs = node.op_type, self.attrs(node)
        live = [v for v in node.input if v and self.activation(v)]
        if not live:  # shape arithmetic on constants, or a Constant: fold what numpy can
            self.fold(node, attrs)
            return
        src = [self.tensor[v] for v in live]
        if kind == "Shape":
            return  # a shape is known: it only feeds Reshape targets, checked by inference
        if kind in ("Conv", "ConvTranspose"):
            weight = self.constant(node, 1, index)
            args: dict[str, Any] = {}
            group = int(attrs.get("group", 1))
            filters = weight.shape[0] if kind == "Conv" else weight.shape[1] * group
            args = {"filters": int(filters), "kernel": _one(attrs.get("kernel_shape", weight.shape[2:]))}
            self.window(args, attrs, node, index, dilation=True)
            if kind == "ConvTranspose" and any(attrs.get("output_padding", [])):
                args["output_padding"] = _one(attrs["output_padding"])
            if group != 1:
                args["groups"] = group
            if len(node.input) < 3 or not node.input[2]:
                args["bias"] = False
            self.emit(node, "conv" if kind == "Conv" else "deconv", args, src[:1], index)
        elif kind in ("MaxPool", "AveragePool"):
            args = {"kernel": _one(attrs["kernel_shape"]), "stride": _one(attrs.get("strides", [1]))}
            self.window(args, attrs, node, index, dilation=kind == "MaxPool")
            if attrs.get("ceil_mode"):
                args["ceil_mode"] = True
            self.emit(node, "maxpool" if kind == "MaxPool" else "avgpool", args, src, index)
        elif kind in ("GlobalAveragePool", "GlobalMaxPool"):
            self.emit(node, "global_avgpool" if kind == "GlobalAveragePool" else "global_maxpool", {}, src, index)
        elif kind == "Gemm":
            weight = self.constant(node, 1, index)
            units = weight.shape[0] if attrs.get("transB") else weight.shape[1]
            args = {"units": int(units)}
            if len(node.input) < 3 or not node.input[2]:
                args["bias"] = False
            self.emit(node, "fc", args, src, index)
        elif kind == "MatMul" and node.input[1] in self.constants and self.constants[node.input[1]].ndim == 2:
            self.emit(node, "fc", {"units": int(self.constants[node.input[1]].shape[1]), "bias": False}, src, index)
        elif kind == "Add" and len(live) == 1 and self.fold_bias(node, src[0]):
            pass
        elif kind in ("Flatten", "Reshape"):
            out = self.inferred.get(node.output[0])
            if (kind == "Flatten" and attrs.get("axis", 1) != 1) or (out is not None and len(out) != 2):
                self.unsupported(node, index, src, f"{kind} to {out} (only to [batch, features])")
                return
            self.emit(node, "flatten", {}, src, index)
        elif kind == "BatchNormalization":
            eps = float(f"{attrs.get('epsilon', 1e-5):.7g}")
            self.emit(node, "batchnorm", {"eps": eps} if eps != 1e-5 else {}, src, index)
        elif kind in _SAME_SHAPE:
            self.emit(node, _SAME_SHAPE[kind], {}, src, index)
        elif kind == "LeakyRelu":
            self.emit(node, "leaky_relu", {"negative_slope": float(f"{attrs.get('alpha', 0.01):.7g}")}, src, index)
        elif kind == "Elu":
            self.emit(node, "elu", {"alpha": float(f"{attrs.get('alpha', 1.0):.7g}")}, src, index)
        elif kind == "Clip":
            low, high = self.optional(node, 1, attrs.get("min")), self.optional(node, 2, attrs.get("max"))
            if low == 0 and high == 6:
                self.emit(node, "relu6", {}, src, index)
            elif low == 0 and high is None:
                self.emit(node, "relu", {}, src, index)
            else:
                self.unsupported(node, index, src, f"Clip to [{low}, {high}]")
        elif kind in ("Dropout",):
            self.emit(node, "dropout", {"rate": float(f"{attrs.get('ratio', 0.5):.7g}")}, src[:1], index)
        elif kind in _ALIASES:
            self.tensor[node.output[0]] = src[0]
        elif kind == "Concat" and attrs.get("axis") == 1 and len(src) >= 2:
            self.emit(node, "concat", {}, src, index)
        elif kind in _MERGES and len(live) >= 2:
            self.emit(node, _MERGES[kind], {}, src, index)
        elif kind == "LRN":
            args = {"size": int(attrs["size"]), "alpha": float(f"{attrs.get('alpha', 1e-4):.7g}")}
            args["beta"] = float(f"{attrs.get('beta', 0.75):.7g}")
            if attrs.get("bias", 1.0) != 1.0:
                args["k"] = float(f"{attrs['bias']:.7g}")
            self.emit(node, "lrn", args, src, index)
        elif kind == "Pad" and self.pads(node, attrs) is not None:
            self.emit(node, "zeropad", {"padding": self.pads(node, attrs)}, src, index)
        elif kind in ("Resize", "Upsample"):
            shape_in, shape_out = self.shape_of(live[0]), self.inferred.get(node.output[0])
            if (
                shape_in is None
                or shape_out is None
                or any(o % i for i, o in zip(shape_in[2:], shape_out[2:], strict=True))
            ):
                self.unsupported(node, index, src, f"{kind} to a size that is no whole multiple")
                return
            factors = [o // i for i, o in zip(shape_in[2:], shape_out[2:], strict=True)]
            mode = attrs.get("mode", b"nearest")
            mode = mode.decode() if isinstance(mode, bytes) else mode
            args = {"scale_factor": _one(factors)}
            if mode == "linear":
                args["mode"] = "bilinear" if len(factors) == 2 else "linear"
                args["align_corners"] = attrs.get("coordinate_transformation_mode", b"") == b"align_corners"
            self.emit(node, "upsample", args, src, index)
        else:
            self.unsupported(node, index, src, None)

    def fold_silu(self) -> None:
        """``x * sigmoid(x)`` is one SiLU row (ONNX has no SiLU before opset 24; exporters write the pair)."""
        readers: dict[str, int] = {}
        for op in self.ops:
            for src in op.inputs:
                readers[src] = readers.get(src, 0) + 1
        dropped: set[str] = set()
        for op in self.ops:
            gates = [self.by_name[s] for s in op.inputs if s in self.by_name and self.by_name[s].kind == "sigmoid"]
            gate = gates[0] if op.kind == "mul" and gates else None
            others = [s for s in op.inputs if gate is None or s != gate.name]
            if gate is None or readers[gate.name] != 1 or gate.inputs != others:
                continue
            op.kind, op.inputs = "silu", others
            dropped.add(gate.name)
        self.ops[:] = [op for op in self.ops if op.name not in dropped]

    def shape_of(self, value: str) -> tuple[int, ...] | None:
        op = self.tensor.get(value)
        return self.inferred.get(value) or (self.inferred.get(self.onnx_output.get(op, "")) if op else None)

    def window(self, args: dict[str, Any], attrs: dict[str, Any], node: Any, index: int, dilation: bool) -> None:
        strides = attrs.get("strides")
        if strides and any(s != 1 for s in strides):
            args["stride"] = _one(strides)
        auto = attrs.get("auto_pad", b"NOTSET")
        auto = auto.decode() if isinstance(auto, bytes) else auto
        if auto == "SAME_UPPER":
            args["padding"] = "same"
        elif auto not in ("NOTSET", "VALID"):
            raise located(f"auto_pad {auto} is not supported", self.where(index, node), layer=node.name)
        pads = list(attrs.get("pads", []))
        if auto == "NOTSET" and any(pads):
            half = len(pads) // 2
            begin, end = pads[:half], pads[half:]
            args["padding"] = _one(begin) if begin == end else [[b, e] for b, e in zip(begin, end, strict=True)]
        dilations = attrs.get("dilations")
        if dilation and dilations and any(d != 1 for d in dilations):
            args["dilation"] = _one(dilations)

    def pads(self, node: Any, attrs: dict[str, Any]) -> Any:
        mode = attrs.get("mode", b"constant")
        pads = self.optional(node, 1, attrs.get("pads"))
        value = self.optional(node, 2, 0)
        if mode not in (b"constant", "constant") or pads is None or value not in (0, None):
            return None
        pads = [int(p) for p in pads]
        half = len(pads) // 2
        begin, end = pads[:half], pads[half:]
        if begin[:2] != [0, 0] or end[:2] != [0, 0] or min(pads) < 0:
            return None
        return [[b, e] for b, e in zip(begin[2:], end[2:], strict=True)]

    def optional(self, node: Any, position: int, default: Any) -> Any:
        if len(node.input) > position and node.input[position]:
            value = self.constants.get(node.input[position])
            if value is None or isinstance(value, _Dims):
                return default
            return value.tolist() if value.ndim else value.item()
        return default

    def constant(self, node: Any, position: int, index: int) -> Any:
        value = self.constants.get(node.input[position]) if len(node.input) > position else None
        if value is None:
            raise located(
                f"{node.op_type} {node.name!r}: its weights are not an initializer (computed weights are "
                "not supported)",
                self.where(index, node),
                layer=node.name,
            )
        return value

    def fold_bias(self, node: Any, source: str) -> bool:
        """Add of an ``[N]`` initializer right after a MatMul fc: the fc's bias."""
        op = self.by_name.get(source)
        other = next((v for v in node.input if v in self.constants), None)
        if op is None or op.kind != "fc" or op.args.get("bias", True) or other is None:
            return False
        if self.ops[-1] is not op or self.constants[other].shape != (op.args["units"],):
            return False
        del op.args["bias"]
        self.tensor[node.output[0]] = op.name
        return True

    def fold(self, node: Any, attrs: dict[str, Any]) -> None:
        from onnx import numpy_helper

        if node.op_type == "Constant" and "value" in attrs:
            self.constants[node.output[0]] = numpy_helper.to_array(attrs["value"])
        elif node.op_type == "Identity" and node.input[0] in self.constants:  # a shared weight
            self.constants[node.output[0]] = self.constants[node.input[0]]

    def unsupported(self, node: Any, index: int, src: list[str], what: str | None) -> None:
        label = what or f"ONNX operation {node.op_type}"
        if not self.unknown:
            raise located(
                f"{label} is not supported",
                self.where(index, node),
                "--allow-unknown imports it as an opaque row (shape kept, cost unknown)",
                node.name or node.op_type,
            )
        out = self.inferred.get(node.output[0])
        if out is None:
            raise located(f"{label}: ONNX infers no shape for it, so it cannot be opaque", self.where(index, node))
        params = sum(_numel(self.constants[v].shape) for v in node.input if v in self.constants)
        args = {"op": node.op_type, "output_shape": list(out[1:])} | ({"params": params} if params else {})
        self.emit(node, "opaque", args, src, index)

    def cross_check(self, input_shape: tuple[int, ...]) -> None:
        """Every op's output shape by cnncalc's own layer kinds = ONNX's inferred shape (batch dropped)."""
        from ..analysis import analyze
        from ..errors import CnncalcError
        from ..loader import from_dict

        shapes: dict[str, tuple[int, ...]] = {INPUT: input_shape}
        for op in self.ops:
            ins = [shapes[s] for s in op.inputs]
            theirs = self.inferred.get(self.onnx_output[op.name])
            theirs = theirs[1:] if theirs else None
            if op.kind == "concat":
                ours: tuple[int, ...] | None = (sum(s[0] for s in ins), *ins[0][1:])
            elif op.kind in ("add", "mul"):
                ours = max(ins, key=len) if op.kind == "add" else ins[0]
            elif op.kind == "opaque":
                ours = theirs
            else:
                spec = {
                    "name": "check",
                    "input": list(ins[0]),
                    "layers": [{op.kind: dict(op.args)} if op.args else op.kind],
                }
                try:
                    ours = analyze(from_dict(spec)).output_shape
                except CnncalcError as exc:
                    raise located(f"{op.name}: cnncalc cannot compute this node: {exc.render()}", op.location) from None
            if theirs is not None and ours != theirs:
                raise located(
                    f"{op.name}: cnncalc computes {list(ours or ())}, ONNX's shape inference {list(theirs)}",
                    op.location,
                    "a disagreement is a bug in one of them; please report it with the model",
                    op.name,
                )
            shapes[op.name] = ours or theirs or ()


def _texts(graph: Any) -> Iterator[tuple[str, object]]:
    """Every name the importer reads, with what it names."""
    yield "the graph's name", graph.name
    for i, node in enumerate(graph.node):
        yield f"the name of node {i}", node.name
        yield f"the op type of node {i}", node.op_type
        yield f"the domain of node {i}", node.domain
        yield from ((f"an input of node {i}", t) for t in node.input)
        yield from ((f"an output of node {i}", t) for t in node.output)
        yield from ((f"an attribute of node {i}", a.name) for a in node.attribute)
    for kind in ("input", "output", "initializer", "value_info"):
        yield from ((f"the name of a graph {kind}", v.name) for v in getattr(graph, kind))


def _node_name(name: str, op_type: str) -> str:
    """A node's name as its module's path: PyTorch's exporter writes ``/layer1/layer1.0/conv1/Conv``
    for the module ``layer1.0.conv1`` (each scope repeats its parent's path, then the op type)."""
    parts = [p for p in name.split("/") if p]
    if len(parts) > 1 and parts[-1].split("_")[0] == op_type:
        parts = parts[:-1]
    kept = [p for i, p in enumerate(parts) if not (i + 1 < len(parts) and parts[i + 1].startswith(p + "."))]
    return clean_name(".".join(kept))


class _Dims:
    """A weight known by its shape alone."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape
        self.ndim = len(shape)


def _numel(dims: Any) -> int:
    n = 1
    for d in dims:
        n *= d
    return n


def _one(values: Any) -> Any:
    values = [int(v) for v in values]
    return values[0] if len(set(values)) == 1 else values
