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
from mmap import mmap
from typing import Any

from ..errors import Location, UsageError
from .graph import INPUT, Graph, Op, clean_name, located
from .onnx_wire import KEPT_VALUES, without_weights

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
_RESHAPES = {"Reshape", "Unsqueeze", "Squeeze", "Expand", "Flatten"}
_MERGES = {"Add": "add", "Mul": "mul", "Sum": "add"}


def read(
    raw: bytes | mmap, file: str, input_shape: tuple[int, ...] | None, name: str | None, allow_unknown: bool
) -> Graph:
    import onnx
    from onnx import numpy_helper

    try:
        model = onnx.load_model_from_string(without_weights(raw))
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
    # values, and large ones were read without their data (onnx_wire), which also keeps shape inference fast
    constants: dict[str, Any] = {}
    for t in graph.initializer:
        if _numel(t.dims) <= KEPT_VALUES and t.data_location != onnx.TensorProto.EXTERNAL:
            try:
                constants[t.name] = numpy_helper.to_array(t)
            except ValueError:  # no data (a weight kept elsewhere): its shape is what counts
                constants[t.name] = _Dims(tuple(t.dims))
        else:
            constants[t.name] = _Dims(tuple(t.dims))
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
    fixed = _valid_perms(graph)
    nodes = list(enumerate(graph.node))  # with each node's index in the file, for locations
    inferred = _infer(model, file)
    # exporters compute pads, slice bounds and resize scales with small constant subgraphs (Shape → Gather →
    # Concat …); ONNX's inference does not evaluate them, so the shapes after such a node stay unknown.
    # Evaluate them, give their results to the graph as initializers, and infer again
    while _fold_constants(graph, nodes, constants, inferred):
        inferred = _infer(model, file)
    reader = _Reader(file, constants, inferred, allow_unknown)
    for _, node in nodes:
        for value in node.input:
            reader.consumers.setdefault(value, []).append(node)
    reader.tensor[inputs[0].name] = INPUT
    for index, node in nodes:
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
    if fixed:
        result.notes.append(
            f"{fixed} Transpose node{'s' if fixed > 1 else ''} of the file {'have' if fixed > 1 else 'has'} a negative "
            "perm axis, which ONNX does not allow (PyTorch's TorchScript exporter writes movedim(-1, 1) so): "
            "read as counted from the end"
        )
    reader.cross_check(tuple(input_shape))
    return result


def _infer(model: Any, file: str) -> dict[str, tuple[int, ...]]:
    """Every value's shape as ONNX's own shape inference gives it (values it cannot size are left out)."""
    from onnx import shape_inference

    try:
        inferred_model = shape_inference.infer_shapes(model, strict_mode=True)
    except Exception as exc:
        raise located(f"ONNX shape inference rejects this model: {exc}", Location(file, 1, 1)) from None
    inferred: dict[str, tuple[int, ...]] = {}
    for info in [*inferred_model.graph.input, *inferred_model.graph.value_info, *inferred_model.graph.output]:
        shape = info.type.tensor_type.shape
        if all(d.HasField("dim_value") for d in shape.dim):
            inferred[info.name] = tuple(d.dim_value for d in shape.dim)
    return inferred


def _valid_perms(graph: Any) -> int:
    """Make every Transpose's ``perm`` non-negative. PyTorch's TorchScript exporter writes ``movedim(-1, 1)``
    as ``perm = [0, -1, 1, 2]``, which the ONNX standard forbids and its shape inference rejects ("Invalid
    attribute perm"), leaving every later value untyped; the meaning is plain (an axis counted from the end).
    How many nodes were mended."""
    mended = 0
    for node in graph.node:
        if node.op_type != "Transpose":
            continue
        for attr in node.attribute:
            if attr.name == "perm" and any(p < 0 for p in attr.ints):
                fixed = [p % len(attr.ints) for p in attr.ints]
                del attr.ints[:]
                attr.ints.extend(fixed)
                mended += 1
    return mended


_NOT_FOLDED = {"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli"}


def _fold_constants(
    graph: Any, nodes: list[tuple[int, Any]], constants: dict[str, Any], inferred: dict[str, tuple[int, ...]]
) -> bool:
    """Evaluate the nodes that compute on constants alone (and ``Shape`` of a value of inferred shape), remove
    them from ``graph`` and ``nodes``, and give the values the remaining nodes read to the graph as
    initializers. Whether anything was folded."""
    import numpy as np
    from onnx import numpy_helper
    from onnx.reference import ReferenceEvaluator

    def value(name: str) -> Any:
        found = constants.get(name)
        return None if found is None or isinstance(found, _Dims) else found

    folded: set[int] = set()  # positions in nodes (several nodes share a file index once an If is inlined)
    inlined: dict[int, list[Any]] = {}
    for at, (_, node) in enumerate(nodes):
        inputs = [v for v in node.input if v]
        if node.op_type == "If" and inputs and value(inputs[0]) is not None:
            inlined[at] = _taken_branch(node, bool(value(inputs[0]).reshape(-1)[0]))
            continue
        if node.op_type == "Shape" and inputs and value(inputs[0]) is None and inputs[0] in inferred:
            attrs = {a.name: a.i for a in node.attribute}
            dims = np.array(inferred[inputs[0]], dtype=np.int64)
            results: Any = [dims[attrs.get("start", 0) : attrs.get("end", len(dims))]]
        elif node.op_type not in _NOT_FOLDED and not node.domain and all(value(v) is not None for v in inputs):
            try:
                results = ReferenceEvaluator(node).run(None, {v: value(v) for v in inputs})
            except Exception:  # an operation numpy cannot evaluate here: left to the reader
                continue
        else:
            continue
        for name, result in zip(node.output, results, strict=False):
            constants[name] = np.asarray(result)
        folded.add(at)
    if not folded and not inlined:
        return False
    produced = {o for at, (_, n) in enumerate(nodes) if at in folded for o in n.output}
    kept: list[tuple[int, Any]] = []
    for at, (index, node) in enumerate(nodes):  # an inlined If's branch takes its place and its index
        if at in inlined:
            kept += [(index, n) for n in inlined[at]]
        elif at not in folded:
            kept.append((index, node))
    del graph.node[:]
    graph.node.extend(n for _, n in kept)
    nodes[:] = [(i, n) for (i, _), n in zip(kept, graph.node, strict=True)]
    read = {v for _, n in nodes for v in n.input} | {o.name for o in graph.output}
    have = {t.name for t in graph.initializer}
    for name in sorted(produced & read - have):
        graph.initializer.append(numpy_helper.from_array(constants[name], name))
    return True


def _taken_branch(node: Any, condition: bool) -> list[Any]:
    """The nodes of the branch an ``If`` with a known condition takes, and an Identity from each of the
    branch's outputs to the If's (PyTorch's exporter writes ``squeeze(1)`` as an If on the axis' size)."""
    from onnx import helper

    graph = next(
        helper.get_attribute_value(a)
        for a in node.attribute
        if a.name == ("then_branch" if condition else "else_branch")
    )
    nodes = list(graph.node)
    for inner, outer in zip(graph.output, node.output, strict=True):
        nodes.append(helper.make_node("Identity", [inner.name], [outer], name=f"{node.name}/{outer}"))
    return nodes


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
        self.moved: set[str] = set()  # values that are an op's map with the channels moved last
        self.grouped: dict[str, tuple[int, bool]] = {}  # value → (groups, swapped): a channel shuffle under way
        self.consumers: dict[str, list[Any]] = {}  # value → the nodes that read it
        self.absorbed: set[int] = set()  # id() of nodes already read as part of a pattern (PyTorch's LRN)

    def where(self, index: int, node: Any) -> Location:
        # a binary file has no lines: the location names the node's index instead
        return Location(self.file, index + 1, 1, f"node {index}: {node.op_type} {node.name!r}")

    def attrs(self, node: Any) -> dict[str, Any]:
        from onnx import helper

        return {a.name: helper.get_attribute_value(a) for a in node.attribute}

    def emit(
        self, node: Any, kind: str, args: dict[str, Any], sources: list[str], index: int, output: str | None = None
    ) -> Op:
        base = _node_name(node.name, node.op_type) or f"{node.op_type.lower()}{index}"
        name, n = base, 1
        while name in self.by_name or name == INPUT:
            n += 1
            name = f"{base}_{n}"
        op = Op(name, kind, args, sources, self.where(index, node))
        self.ops.append(op)
        self.by_name[name] = op
        value = output or node.output[0]
        self.tensor[value] = name
        self.onnx_output[name] = value
        if any(v in self.moved for v in node.input if v) and kind != "concat":
            self.moved.add(value)
        return op

    def activation(self, value: str) -> bool:
        return value in self.tensor

    def node(self, index: int, node: Any) -> None:
        if id(node) in self.absorbed:
            return
        kind, attrs = node.op_type, self.attrs(node)
        live = [v for v in node.input if v and self.activation(v)]
        if kind == "Mul" and len(live) == 2 and live[0] == live[1] and self.local_response_norm(index, node):
            return
        if not live:  # shape arithmetic on constants, or a Constant: fold what numpy can
            self.fold(node, attrs)
            return
        src = [self.tensor[v] for v in live]
        if kind == "Shape":
            return  # a shape is known: it only feeds Reshape targets, checked by inference
        if any(v in self.grouped for v in live):
            self.regroup(index, node, attrs, live[0], src)
            return
        if any(v in self.moved for v in live) and not self.channels_last(index, node, attrs, live, src):
            self.unsupported(node, index, src, f"{kind} of a map whose channels were moved last")
            return
        if any(v in self.moved for v in live):
            return
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
        elif kind in ("Mul", "Add") and len(live) == 1 and self.per_channel(node, live[0]) is not None:
            self.scale(index, node, live[0], src)
        elif kind == "Transpose" and list(attrs.get("perm", [])) == _to_last(self.shape_of(live[0])):
            self.tensor[node.output[0]] = src[0]
            self.moved.add(node.output[0])
        elif kind == "Reshape" and _splits_channels(self.shape_of(live[0]), self.inferred.get(node.output[0])):
            self.tensor[node.output[0]] = src[0]
            self.grouped[node.output[0]] = (self.inferred[node.output[0]][1], False)
        elif kind == "LayerNormalization" and int(attrs.get("axis", -1)) % len(self.shape_of(live[0]) or [0]) == 1:
            self.emit(node, "layernorm", self.norm_options(node, attrs), src[:1], index)
        elif kind == "Slice":
            self.slice(index, node, live[0], src)
        elif kind == "Split":
            self.split(index, node, attrs, live[0], src)
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
        elif kind == "PRelu" and len(live) == 1:
            slope = self.constants.get(node.input[1])
            if slope is None or (_numel(slope.shape) != 1 and self.per_channel(node, live[0]) is None):
                self.unsupported(node, index, src, "PRelu whose slope is neither one value nor one per channel")
                return
            self.emit(node, "prelu", {"shared": True} if _numel(slope.shape) == 1 else {}, src, index)
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
        elif kind == "Pad":
            self.pad(index, node, attrs, live[0], src)
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

    def local_response_norm(self, index: int, node: Any) -> bool:
        """PyTorch's ``F.local_response_norm`` as its exporter writes it — ``x * x``, a view to
        ``[N, 1, C, H, W]``, a Pad of the channels, an AveragePool of ``[size, 1, 1]``, a view back, ``· alpha``,
        ``+ k``, ``^ beta``, and ``x`` divided by that — is one ``lrn`` (ONNX has an LRN op; PyTorch does not use
        it). Whether ``node`` (the square) begins that chain; if so the chain is read, its nodes skipped."""
        x = node.input[0]
        chain: list[Any] = []
        found: dict[str, float] = {}
        value = node.output[0]
        while True:
            readers = self.consumers.get(value, [])
            if len(readers) != 1:
                return False
            nxt = readers[0]
            chain.append(nxt)
            other = [v for v in nxt.input if v and v != value]
            if nxt.op_type == "Div" and nxt.input[0] == x and nxt.input[1] == value:
                break
            if nxt.op_type in ("Reshape", "Unsqueeze", "Squeeze", "Pad", "Cast", "Identity"):
                pass
            elif nxt.op_type == "AveragePool" and "size" not in found:
                kernel = list(self.attrs(nxt).get("kernel_shape", []))
                if len(kernel) < 2 or any(k != 1 for k in kernel[1:]):
                    return False
                found["size"] = kernel[0]
            elif nxt.op_type in ("Mul", "Add", "Pow") and len(other) == 1 and other[0] in self.constants:
                number = self.constants[other[0]]
                if isinstance(number, _Dims) or number.size != 1:
                    return False
                found[{"Mul": "alpha", "Add": "k", "Pow": "beta"}[nxt.op_type]] = float(number.reshape(-1)[0])
            else:
                return False
            value = nxt.output[0]
        if set(found) != {"size", "alpha", "beta", "k"}:
            return False
        args: dict[str, Any] = {"size": int(found["size"])}
        args |= {key: float(f"{found[key]:.7g}") for key in ("alpha", "beta")}
        if found["k"] != 1.0:
            args["k"] = float(f"{found['k']:.7g}")
        self.emit(node, "lrn", args, [self.tensor[x]], index, chain[-1].output[0])
        self.absorbed.update(id(n) for n in chain)
        return True

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

    def pad(self, index: int, node: Any, attrs: dict[str, Any], value: str, src: list[str]) -> None:
        """Constant padding of the spatial axes: zeros are a ``zeropad``; negative widths a centred ``crop``;
        ``-inf`` is padding the max pool right after it takes as its own (darknet's stride-1 pool)."""
        mode = attrs.get("mode", b"constant")
        pads = self.optional(node, 1, attrs.get("pads"))
        fill = self.optional(node, 2, 0.0)
        shape = self.shape_of(value)
        if mode not in (b"constant", "constant") or pads is None or shape is None:
            return self.unsupported(node, index, src, f"Pad in mode {mode!r} or with pads computed at run time")
        pads = [int(p) for p in pads]
        axes = self.optional(node, 3, None)
        if axes is not None:  # opset 18: pads for the listed axes only
            full = [0] * (2 * len(shape))
            for i, axis in enumerate(int(a) % len(shape) for a in axes):
                full[axis], full[axis + len(shape)] = pads[i], pads[i + len(axes)]
            pads = full
        half = len(pads) // 2
        pairs = list(zip(pads[:half], pads[half:], strict=True))
        if any(b or a for b, a in pairs[:2]):
            return self.unsupported(node, index, src, "Pad of the batch or the channels")
        spatial = pairs[2:]
        if all(b <= 0 and a <= 0 for b, a in spatial) and any(b or a for b, a in spatial):
            return self.crop(index, node, shape, [(-b, -a) for b, a in spatial], src)
        if any(b < 0 or a < 0 for b, a in spatial):
            return self.unsupported(node, index, src, f"Pad by {spatial}: growing one side and cropping another")
        fill = float(fill if fill is not None else 0.0)
        if fill not in (0.0, float("-inf")):
            return self.unsupported(node, index, src, f"Pad with {fill} (only zeros, or -inf before a max pool)")
        self.emit(node, "zeropad", {"padding": [[b, a] for b, a in spatial]}, src, index).fill = fill
        return None

    def crop(self, index: int, node: Any, shape: tuple[int, ...], cut: list[tuple[int, int]], src: list[str]) -> None:
        """Dropping ``(before, after)`` positions per spatial axis: cnncalc's ``crop``, which is centred."""
        if any(b != (b + a) // 2 for b, a in cut):
            return self.unsupported(node, index, src, f"cropping {cut} (before, after) positions off-centre")
        sizes = [n - b - a for n, (b, a) in zip(shape[2:], cut, strict=True)]
        self.emit(node, "crop", {"size": _one(sizes)}, src, index)
        return None

    def slice(self, index: int, node: Any, value: str, src: list[str]) -> None:
        """``Slice`` of the channels is a ``slice``; of the spatial axes, from the centre, a ``crop``."""
        shape = self.shape_of(value)
        starts, ends = self.optional(node, 1, None), self.optional(node, 2, None)
        if shape is None or starts is None or ends is None:
            return self.unsupported(node, index, src, "Slice with bounds computed at run time")
        rank = len(shape)
        axes = self.optional(node, 3, list(range(len(starts))))
        steps = self.optional(node, 4, [1] * len(starts))
        ranges = [(0, n) for n in shape]
        for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
            if int(step) != 1:
                return self.unsupported(node, index, src, f"Slice with step {step}")
            first, stop, _ = slice(int(start), int(end)).indices(shape[int(axis) % rank])
            ranges[int(axis) % rank] = (first, max(first, stop))
        whole = [r == (0, n) for r, n in zip(ranges, shape, strict=True)]
        if not whole[0]:
            return self.unsupported(node, index, src, "Slice of the batch")
        if all(whole):
            self.tensor[node.output[0]] = src[0]
            return None
        if all(whole[2:]):
            self.emit(node, "slice", {"channels": list(ranges[1])}, src, index)
            return None
        if whole[1]:
            cut = [(b, n - e) for (b, e), n in zip(ranges[2:], shape[2:], strict=True)]
            return self.crop(index, node, shape, cut, src)
        return self.unsupported(node, index, src, "Slice of channels and positions at once")

    def split(self, index: int, node: Any, attrs: dict[str, Any], value: str, src: list[str]) -> None:
        """``Split`` along the channels: one ``slice`` per output, named after the output."""
        shape = self.shape_of(value)
        axis = int(attrs.get("axis", 0))
        if shape is None or axis % len(shape) != 1:
            return self.unsupported(node, index, src, f"Split along axis {axis} (only the channels, axis 1)")
        sizes = self.optional(node, 1, attrs.get("split"))
        if sizes is None:  # equal parts (opset 18's num_outputs, or as many as the outputs): the last may be smaller
            parts = int(attrs.get("num_outputs", len(node.output)))
            size = -(-shape[1] // parts)
            sizes = [min(size, shape[1] - i * size) for i in range(parts)]
        start = 0
        for output, size in zip(node.output, [int(n) for n in sizes], strict=True):
            self.emit(node, "slice", {"channels": [start, start + size]}, src, index, output)
            start += size
        return None

    def per_channel(self, node: Any, value: str) -> tuple[int, ...] | None:
        """The shape of the weight ``node`` applies to ``value`` if it holds one value per channel (``[C, 1, 1]``,
        ``[1, C, 1, 1]``; ``[C]`` on a map with its channels moved last)."""
        other = next((v for v in node.input if v and v != value), None)
        weight = self.constants.get(other) if other else None
        shape = self.shape_of(value)
        if weight is None or shape is None or len(weight.shape) > len(shape):
            return None
        spread = [1] * (len(shape) - len(weight.shape)) + [int(d) for d in weight.shape]
        wanted = [1] * len(shape)
        wanted[-1 if value in self.moved else 1] = shape[-1 if value in self.moved else 1]
        return tuple(weight.shape) if spread == wanted else None

    def scale(self, index: int, node: Any, value: str, src: list[str]) -> None:
        """A map times a per-channel weight is a ``scale`` (layer scale); a per-channel weight added right after
        a scale is that scale's bias (Caffe's Scale with ``bias_term``)."""
        if node.op_type == "Mul":
            self.emit(node, "scale", {}, src, index)
            return None
        op = self.by_name.get(src[0])
        if op is None or op.kind != "scale" or op.args.get("bias") or self.ops[-1] is not op:
            return self.unsupported(node, index, src, "Add of a per-channel weight (followed right after a scale)")
        op.args["bias"] = True
        self.tensor[node.output[0]] = op.name
        if value in self.moved:
            self.moved.add(node.output[0])
        return None

    def norm_options(self, node: Any, attrs: dict[str, Any]) -> dict[str, Any]:
        eps = float(f"{attrs.get('epsilon', 1e-5):.7g}")
        return {} if eps == 1e-5 else {"eps": eps}

    def channels_last(self, index: int, node: Any, attrs: dict[str, Any], live: list[str], src: list[str]) -> bool:
        """What a map with its channels moved last may go through: per-position operations (which cnncalc
        records on the channels-first map), a LayerNormalization over the last axis (ConvNeXt's LayerNorm2d),
        a per-channel scale, a MatMul by a ``[C, K]`` weight (a 1×1 conv), and the Transpose back."""
        kind = node.op_type
        value = live[0]
        if len(live) != 1:
            return False
        rank = len(self.shape_of(value) or ())
        if kind == "Transpose" and list(attrs.get("perm", [])) == [0, rank - 1, *range(1, rank - 1)]:
            self.tensor[node.output[0]] = src[0]
            return True
        if kind == "LayerNormalization" and int(attrs.get("axis", -1)) % rank == rank - 1:
            self.emit(node, "layernorm", {"over": "channels"} | self.norm_options(node, attrs), src, index)
            return True
        if kind in _SAME_SHAPE and kind != "Softmax":
            self.emit(node, _SAME_SHAPE[kind], {}, src, index)
            return True
        if kind in ("Mul", "Add") and self.per_channel(node, value) is not None:
            self.scale(index, node, value, src)
            return True
        weight = self.constants.get(node.input[1]) if kind == "MatMul" and len(node.input) > 1 else None
        if weight is not None and len(weight.shape) == 2:
            self.emit(node, "conv", {"filters": int(weight.shape[1]), "kernel": 1, "bias": False}, src, index)
            return True
        return False

    def regroup(self, index: int, node: Any, attrs: dict[str, Any], value: str, src: list[str]) -> None:
        """Follow a map through a channel shuffle as exported: Reshape to ``[N, g, C/g, …]``, Transpose of the
        two channel axes, Reshape back to ``[N, C, …]``."""
        groups, swapped = self.grouped[value]
        shape, out = self.shape_of(value), self.inferred.get(node.output[0])
        if node.op_type == "Transpose" and shape and list(attrs.get("perm", [])) == [0, 2, 1, *range(3, len(shape))]:
            self.tensor[node.output[0]] = src[0]
            self.grouped[node.output[0]] = (groups, not swapped)
            return None
        back = shape is not None and out is not None and _splits_channels(out, shape)
        if node.op_type in ("Reshape", "Flatten") and back:
            if swapped:
                self.emit(node, "channel_shuffle", {"groups": groups}, src, index)
            else:  # viewed and viewed back: the map itself
                self.tensor[node.output[0]] = src[0]
            return None
        return self.unsupported(node, index, src, f"{node.op_type} of a map whose channels are viewed as groups")

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
        elif node.op_type in _RESHAPES and node.input[0] in self.constants and node.output[0] in self.inferred:
            self.constants[node.output[0]] = _Dims(self.inferred[node.output[0]])  # a weight given another shape

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
            value = self.onnx_output[op.name]
            theirs = self.inferred.get(value)
            if theirs and value in self.moved:  # ONNX's shape is channels-last; cnncalc's channels-first
                theirs = (theirs[0], theirs[-1], *theirs[1:-1])
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


def _to_last(shape: tuple[int, ...] | None) -> list[int] | None:
    """The Transpose perm that moves the channels of a ``shape`` map last (``[0, 2, 3, 1]``)."""
    return None if shape is None or len(shape) < 3 else [0, *range(2, len(shape)), 1]


def _splits_channels(shape: tuple[int, ...] | None, out: tuple[int, ...] | None) -> bool:
    """``out`` is ``shape`` ([N, C, …]) viewed as [N, g, C/g, …] with 1 < g < C."""
    if shape is None or out is None or len(shape) < 3 or len(out) != len(shape) + 1:
        return False
    return out[0] == shape[0] and 1 < out[1] < shape[1] and out[1] * out[2] == shape[1] and out[3:] == shape[2:]


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
