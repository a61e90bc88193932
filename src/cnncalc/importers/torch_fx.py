"""PyTorch ``module.path:factory`` → graph, by running the model once on the meta device.

``torch.fx.symbolic_trace`` cannot follow Python control flow that depends on shapes (``if x.dim() > 2``,
which real models and cnncalc's own exports contain), so the model is run instead — built and fed on the
``meta`` device, where tensors have shapes and no data, so this costs no memory and little time. Two
observers record what runs: a forward hook on every *leaf* module of a known type (``nn.Conv2d``,
``nn.BatchNorm2d``, ``nn.LocalResponseNorm``, … — what happens inside it is that kind's own arithmetic), and a
``TorchFunctionMode`` for the functional calls people write between modules (``torch.cat``, ``+``, ``*``,
``torch.flatten``, ``F.relu``, ``F.adaptive_avg_pool2d``, ``x.mean((2, 3))``, ``chunk``,
``channel_shuffle`` …). Layer names are the module paths (``layer1.0.conv1``).
"""

from __future__ import annotations

import importlib
import operator
import sys
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .graph import INPUT, Graph, Op, clean_name, located


def _load(source: str) -> Any:
    module_name, _, factory_name = source.partition(":")
    if not module_name or not factory_name:
        raise UsageError(
            f"--from torch reads module.path:factory, got {source!r}",
            "e.g. cnncalc import torchvision.models:resnet18 --from torch --input 3x224x224",
        )
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"cannot import {module_name}: {exc}", "is it on PYTHONPATH (or in this directory)?") from None
    factory = getattr(module, factory_name, None)
    if not callable(factory):
        raise UsageError(
            f"{module_name} has no callable {factory_name!r}", "name a class or a function returning a module"
        )
    return factory


def read(source: str, input_shape: tuple[int, ...] | None, name: str | None) -> Graph:
    import torch

    if input_shape is None:
        raise UsageError("--from torch needs --input (a model file declares no input shape)", "e.g. --input 3x224x224")
    factory = _load(source)
    with torch.device("meta"):
        try:
            model = factory()
        except Exception as exc:
            raise UsageError(f"{source}() failed: {type(exc).__name__}: {exc}") from None
    if not isinstance(model, torch.nn.Module):
        raise UsageError(f"{source}() returned {type(model).__name__}, not a torch.nn.Module")
    tracer = _Tracer(model)
    ops = tracer.run(torch.zeros((1, *input_shape), device="meta"), source)
    label = name or clean_name(getattr(factory, "__name__", source.rsplit(":", 1)[-1]))
    return Graph(label, tuple(input_shape), ops, f"{source} (PyTorch)", outputs=tracer.outputs)


def _leaf_kinds() -> dict[type, Any]:
    """nn module type → (cnncalc kind, its arguments from the module)."""
    from torch import nn

    def conv(m: Any) -> dict[str, Any]:
        padding = m.padding if isinstance(m.padding, str) else _one(m.padding)
        args = {"filters": m.out_channels, "kernel": _one(m.kernel_size)}
        for key, value, default in (
            ("stride", _one(m.stride), 1),
            ("padding", padding, 0),
            ("dilation", _one(m.dilation), 1),
        ):
            if value != default:
                args[key] = value
        if isinstance(m, nn.modules.conv._ConvTransposeNd) and any(m.output_padding):
            args["output_padding"] = _one(m.output_padding)
        if m.groups != 1:
            args["groups"] = m.groups
        if m.bias is None:
            args["bias"] = False
        return args

    def pool(m: Any) -> dict[str, Any]:
        stride = m.stride if m.stride is not None else m.kernel_size
        args = {"kernel": _one(m.kernel_size), "stride": _one(stride)}
        if _one(m.padding) != 0:
            args["padding"] = _one(m.padding)
        if getattr(m, "dilation", 1) not in (1, (1, 1)):
            args["dilation"] = _one(m.dilation)
        if m.ceil_mode:
            args["ceil_mode"] = True
        return args

    def adaptive(kind: str) -> Any:
        def args(m: Any) -> tuple[str, dict[str, Any]]:
            size = _one(m.output_size)
            return (f"global_{kind}", {}) if size == 1 else (f"adaptive_{kind}", {"output_size": size})

        return args

    plain = {
        nn.ReLU: "relu", nn.ReLU6: "relu6", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.Hardswish: "hardswish",
        nn.Hardsigmoid: "hardsigmoid", nn.SiLU: "silu", nn.GELU: "gelu", nn.Softmax: "softmax", nn.Flatten: "flatten",
    }  # fmt: skip
    table: dict[type, Any] = {cls: _argument_free(kind) for cls, kind in plain.items()}
    table |= {
        nn.Conv1d: lambda m: ("conv", conv(m)),
        nn.Conv2d: lambda m: ("conv", conv(m)),
        nn.Conv3d: lambda m: ("conv", conv(m)),
        nn.ConvTranspose2d: lambda m: ("deconv", conv(m)),
        nn.MaxPool2d: lambda m: ("maxpool", pool(m)),
        nn.AvgPool2d: lambda m: ("avgpool", pool(m)),
        nn.AdaptiveAvgPool2d: adaptive("avgpool"),
        nn.AdaptiveMaxPool2d: adaptive("maxpool"),
        nn.Linear: lambda m: ("fc", {"units": m.out_features} | ({} if m.bias is not None else {"bias": False})),
        nn.BatchNorm1d: lambda m: ("batchnorm", _bn(m)),
        nn.BatchNorm2d: lambda m: ("batchnorm", _bn(m)),
        nn.LocalResponseNorm: lambda m: ("lrn", {"size": m.size, "alpha": m.alpha, "beta": m.beta, "k": m.k}),
        nn.GroupNorm: lambda m: ("groupnorm", {"groups": m.num_groups} | ({} if m.affine else {"affine": False})),
        nn.Dropout: lambda m: ("dropout", {"rate": m.p}),
        nn.Dropout2d: lambda m: ("dropout", {"rate": m.p}),
        nn.LeakyReLU: lambda m: ("leaky_relu", {"negative_slope": m.negative_slope}),
        nn.ELU: lambda m: ("elu", {"alpha": m.alpha}),
        nn.PReLU: lambda m: ("prelu", {"shared": True} if m.num_parameters == 1 else {}),
        nn.ZeroPad1d: "pad",
        nn.ZeroPad2d: "pad",
        nn.ZeroPad3d: "pad",
        nn.ConstantPad1d: "pad",
        nn.ConstantPad2d: "pad",
        nn.ConstantPad3d: "pad",
        nn.Upsample: lambda m: ("upsample", _upsample(m.scale_factor, m.size, m.mode, m.align_corners)),
        nn.Identity: None,
        nn.LayerNorm: "layernorm",
    }
    return table


def _argument_free(kind: str) -> Any:
    return lambda _module: (kind, {})


def _bn(m: Any) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if m.eps != 1e-5:
        args["eps"] = m.eps
    if not m.affine:
        args["affine"] = False
    return args


def _upsample(scale: Any, size: Any, mode: str, align: bool | None) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if scale is not None:
        scale = _one(scale if isinstance(scale, tuple | list) else [scale])
        args["scale_factor"] = int(scale) if float(scale) == int(scale) else scale
    if size is not None:
        args["size"] = _one(size if isinstance(size, tuple | list) else [size])
    if mode != "nearest":
        args["mode"] = mode
        if align:
            args["align_corners"] = True
    return args


def _views() -> tuple[Any, ...]:
    """Calls that give a parameter another shape without changing its values."""
    import torch

    return (
        torch.Tensor.view, torch.Tensor.reshape, torch.reshape, torch.Tensor.__getitem__, torch.Tensor.unsqueeze,
        torch.unsqueeze, torch.Tensor.expand, torch.Tensor.squeeze, torch.squeeze, torch.Tensor.contiguous,
    )  # fmt: skip


def _carries() -> tuple[Any, ...]:
    """Calls whose result is their input's values."""
    import torch

    return (torch.Tensor.contiguous, torch.Tensor.clone, torch.Tensor.detach)


def _splits_channels(x: Any, out: Any) -> bool:
    """``out`` is ``x`` ([N, C, …]) viewed as [N, g, C/g, …] with 1 < g < C."""
    return bool(
        x.dim() >= 3
        and out.dim() == x.dim() + 1
        and out.shape[0] == x.shape[0]
        and 1 < out.shape[1] < x.shape[1]
        and out.shape[1] * out.shape[2] == x.shape[1]
        and out.shape[3:] == x.shape[2:]
    )


# per-position operations, which may run on a map whose channels were moved last
_PER_POSITION = frozenset(
    ("relu", "relu6", "sigmoid", "tanh", "hardswish", "hardsigmoid", "silu", "gelu", "dropout", "leaky_relu", "elu",
     "prelu", "scale")
)  # fmt: skip


def _one(values: Any) -> Any:
    if isinstance(values, int | float):
        return values
    values = list(values)
    return values[0] if len(set(values)) == 1 else values


class _Tracer:
    def __init__(self, model: Any) -> None:
        self.model = model
        self.kinds = _leaf_kinds()
        self.paths = {id(m): path for path, m in model.named_modules()}
        self.producer: dict[int, str] = {}  # id(tensor) → op name
        self.keep: list[Any] = []  # tensors whose ids are in producer stay alive
        self.ops: list[Op] = []
        self.names: set[str] = set()
        self.depth = 0  # > 0 inside a leaf module: its inner calls are its own arithmetic
        self.outputs: list[str] = []
        self.scope: list[str] = []  # the paths of the modules running now
        self.channels_last: dict[int, str] = {}  # id(tensor) → the op whose map it is, with channels moved last
        # id(tensor) → (the op whose map it is, groups, swapped): the channels viewed as [groups, C / groups], the
        # two axes swapped or not yet (a channel shuffle under way)
        self.grouped: dict[int, tuple[str, int, bool]] = {}
        self.weights: dict[int, str] = {id(p): name for name, p in model.named_parameters()}  # views of parameters

    def op(self, base: str, kind: str, args: dict[str, Any], inputs: list[Any], output: Any, fill: float = 0.0) -> None:
        """Record an operation reading ``inputs`` (tensors, or op names). On a map whose channels were moved
        last, a per-position operation is recorded on the channels-first map it is (an ``nn.Linear`` there is
        a 1×1 conv, as in ConvNeXt's blocks), and its output stays channels-last."""
        moved = len(inputs) == 1 and not isinstance(inputs[0], str) and id(inputs[0]) in self.channels_last
        if moved:
            if kind == "fc":
                kind, args = (
                    "conv",
                    {"filters": args["units"], "kernel": 1, **{k: args[k] for k in ("bias",) if k in args}},
                )
            elif kind not in _PER_POSITION and not (kind == "layernorm" and args.get("over") == "channels"):
                return self.unsupported(None, f"{kind} on a map whose channels were moved last")
            inputs = [self.channels_last[id(inputs[0])]]
        if kind == base and self.scope and self.scope[-1]:  # a functional call: named inside its module
            base = f"{self.scope[-1]}.{base}"
        name, n = clean_name(base), 1
        while name in self.names or name == INPUT:
            n += 1
            name = f"{clean_name(base)}_{n}"
        sources = [t if isinstance(t, str) else self.source(t) for t in inputs]
        self.ops.append(Op(name, kind, args, sources, fill=fill))
        self.names.add(name)
        if moved:
            self.channels_last[id(output)] = name
            self.keep.append(output)
        else:
            self.mark(output, name)
        return None

    def mark(self, tensor: Any, name: str) -> None:
        self.producer[id(tensor)] = name
        self.keep.append(tensor)

    def source(self, tensor: Any) -> str:
        found = self.producer.get(id(tensor))
        if found is None:
            raise located(
                "the model reads a tensor that is neither its input nor made by a layer cnncalc follows "
                "(a constant or a parameter used directly?)",
                None,
                "--from torch follows standard modules and the functional calls listed in docs/import.md",
            )
        return found

    def run(self, x: Any, source: str) -> list[Op]:
        import torch
        from torch.overrides import TorchFunctionMode

        tracer = self

        def known(module: Any) -> type | None:
            return next((cls for cls in type(module).__mro__ if cls in tracer.kinds), None)

        def pre(module: Any, args: Any) -> None:
            tracer.scope.append(tracer.paths.get(id(module), ""))
            if known(module) is not None:
                tracer.depth += 1

        def post(module: Any, args: Any, output: Any) -> None:
            tracer.scope.pop()
            cls = known(module)
            if cls is None:
                return
            tracer.depth -= 1
            if tracer.depth:
                return
            make = tracer.kinds[cls]
            path = tracer.paths.get(id(module), type(module).__name__.lower())
            if make is None:  # nn.Identity: the output is the input
                tracer.mark(output, tracer.source(args[0]))
                return
            if make == "layernorm":
                tracer.layer_norm(path, args[0], tuple(module.normalized_shape), module, output)
                return
            if make == "pad":
                tracer.pad(path, args[0], tuple(module.padding), float(getattr(module, "value", 0.0)), output)
                return
            kind, kwargs = make(module)
            tracer.op(path, kind, kwargs, [args[0]], output)

        class Mode(TorchFunctionMode):
            def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
                kwargs = kwargs or {}
                out = func(*args, **kwargs)
                if tracer.depth == 0:
                    tracer.function(func, args, kwargs, out)
                return out

        self.mark(x, INPUT)
        hooks = [
            torch.nn.modules.module.register_module_forward_pre_hook(pre),
            torch.nn.modules.module.register_module_forward_hook(post),
        ]
        try:
            with Mode(), torch.no_grad():
                result = self.model(x)
        except Exception as exc:
            if isinstance(exc, UsageError) or type(exc).__module__.startswith("cnncalc"):
                raise
            raise UsageError(
                f"running {source} on a {list(x.shape)} input failed: {type(exc).__name__}: {exc}"
            ) from None
        finally:
            for hook in hooks:
                hook.remove()
        results = list(result) if isinstance(result, tuple | list) else [result]
        self.outputs = [self.source(t) for t in results] if len(results) > 1 else []
        return self.ops

    def function(self, func: Any, args: Any, kwargs: Any, result: Any) -> None:
        import torch
        import torch.nn.functional as F

        if isinstance(result, torch.Size) or not isinstance(result, torch.Tensor | tuple | list):
            return None
        if not isinstance(result, torch.Tensor) and not all(isinstance(o, torch.Tensor) for o in result):
            return None
        out: Any = result
        name = getattr(func, "__name__", str(func)).strip("_")
        if args and isinstance(args[0], torch.Tensor) and isinstance(out, torch.Tensor):
            if self.weight_of(args[0]) and func in _views():  # self.gamma[:, None, None], weight.view(1, -1, 1, 1)
                self.weights[id(out)] = self.weight_of(args[0]) or ""
                self.keep.append(out)
                return None
            if id(args[0]) in self.grouped or (id(args[0]) in self.channels_last and func in _carries()):
                return self.regroup(func, name, args, kwargs, out)
        tensors = [a for a in args if isinstance(a, torch.Tensor) and id(a) in self.producer]
        if func in (torch.cat, torch.concat):
            parts = list(args[0])
            if (kwargs.get("dim", args[1] if len(args) > 1 else 0)) not in (1, -3):
                return self.unsupported(func, "torch.cat along a dimension other than channels")
            return self.op("concat", "concat", {}, parts, out)
        if func in (
            torch.add,
            torch.Tensor.add,
            torch.Tensor.__add__,
            torch.Tensor.__iadd__,
            torch.Tensor.__radd__,
            torch.Tensor.add_,
            operator.add,
        ):
            return self.merge("add", args, out)
        if func in (
            torch.mul,
            torch.Tensor.mul,
            torch.Tensor.mul_,
            torch.Tensor.__mul__,
            torch.Tensor.__imul__,
            torch.Tensor.__rmul__,
        ):
            return self.merge("mul", args, out)
        if func is F.pad:
            pad = kwargs.get("pad", args[1] if len(args) > 1 else ())
            mode = kwargs.get("mode", args[2] if len(args) > 2 else "constant")
            value = kwargs.get("value", args[3] if len(args) > 3 else None)
            if mode != "constant":
                return self.unsupported(func, f"F.pad in mode {mode!r} (only constant)")
            return self.pad("pad", args[0], tuple(pad), float(value or 0.0), out)
        if func in (torch.movedim, torch.Tensor.movedim, torch.permute, torch.Tensor.permute):
            return self.move_channels(func, args, kwargs, out)
        if func is F.layer_norm:
            shape = kwargs.get("normalized_shape", args[1] if len(args) > 1 else None)
            weight = kwargs.get("weight", args[2] if len(args) > 2 else None)
            eps = kwargs.get("eps", args[4] if len(args) > 4 else 1e-5)
            return self.layer_norm("layer_norm", args[0], tuple(shape), None, out, weight is not None, eps)
        if not tensors:
            return None
        first = tensors[0]
        same = {
            F.relu: "relu", torch.relu: "relu", torch.Tensor.relu: "relu", F.relu6: "relu6", torch.sigmoid: "sigmoid",
            torch.Tensor.sigmoid: "sigmoid", F.sigmoid: "sigmoid", torch.tanh: "tanh", F.hardswish: "hardswish",
            F.hardsigmoid: "hardsigmoid", F.silu: "silu", F.gelu: "gelu", F.softmax: "softmax",
            torch.softmax: "softmax",
        }  # fmt: skip
        if func in same:
            return self.op(same[func], same[func], {}, [first], out)
        if func in (torch.flatten, torch.Tensor.flatten, torch.Tensor.view, torch.Tensor.reshape, torch.reshape):
            if _splits_channels(first, out):  # [N, C, …] → [N, g, C/g, …]: torchvision's channel_shuffle begins
                self.grouped[id(out)] = (self.source(first), int(out.shape[1]), False)
                self.keep.append(out)
                return None
            if out.dim() != 2:
                return self.unsupported(func, f"{name} to {list(out.shape)} (only to [batch, features])")
            return self.op("flatten", "flatten", {}, [first], out)
        if func in (F.adaptive_avg_pool2d, F.adaptive_max_pool2d):
            size = _one(out.shape[2:])
            kind = "avgpool" if func is F.adaptive_avg_pool2d else "maxpool"
            if size == 1:
                return self.op(f"global_{kind}", f"global_{kind}", {}, [first], out)
            return self.op(f"adaptive_{kind}", f"adaptive_{kind}", {"output_size": size}, [first], out)
        if func in (torch.mean, torch.Tensor.mean, torch.amax, torch.Tensor.amax):
            dims = kwargs.get("dim", args[1] if len(args) > 1 else None)
            dims = sorted(d % first.dim() for d in ([dims] if isinstance(dims, int) else dims or []))
            if dims != list(range(2, first.dim())):
                return self.unsupported(func, f"{name} over dimensions {dims} (only the spatial ones)")
            kind = "global_avgpool" if "mean" in name else "global_maxpool"
            self.op(kind, kind, {}, [first], out)
            if out.dim() == 2:  # without keepdim: [N, C], as a flatten of the [N, C, 1, 1] pool
                self.op("flatten", "flatten", {}, [out], out)
            return None
        if func in (F.dropout, torch.dropout):
            return self.op(
                "dropout", "dropout", {"rate": kwargs.get("p", args[1] if len(args) > 1 else 0.5)}, [first], out
            )
        if func in (torch.chunk, torch.Tensor.chunk, torch.split, torch.Tensor.split):
            dim = kwargs.get("dim", args[2] if len(args) > 2 else 0)
            if dim not in (1, -3):
                return self.unsupported(func, f"{name} along dimension {dim} (only channels)")
            start = 0
            for part in out:
                stop = start + part.shape[1]
                self.op("slice", "slice", {"channels": [start, stop]}, [first], part)
                start = stop
            return None
        if func is F.channel_shuffle or func is torch.channel_shuffle or name == "channel_shuffle":
            return self.op("channel_shuffle", "channel_shuffle", {"groups": args[1]}, [first], out)
        if func in (F.interpolate,):
            scale = kwargs.get("scale_factor")
            size = kwargs.get("size", args[1] if len(args) > 1 else None)
            args_ = _upsample(scale, size, kwargs.get("mode", "nearest"), kwargs.get("align_corners"))
            return self.op("upsample", "upsample", args_, [first], out)
        if func is torch.Tensor.__getitem__:
            return self.index(first, args[1], out)
        if func in _carries():
            self.mark(out, self.source(first))
            return None
        return self.unsupported(func, None)

    def move_channels(self, func: Any, args: Any, kwargs: Any, out: Any) -> None:
        """``movedim``/``permute`` that move the channels last and back around a per-position operation
        (ConvNeXt's LayerNorm2d): the moved map is remembered, not a layer."""
        import torch

        tensor = args[0]
        rank = tensor.dim()
        if func in (torch.movedim, torch.Tensor.movedim):
            source = kwargs.get("source", args[1] if len(args) > 1 else None)
            dest = kwargs.get("destination", args[2] if len(args) > 2 else None)
            order = list(range(rank))
            if isinstance(source, int) and isinstance(dest, int):
                order.insert(dest % rank, order.pop(source % rank))
        else:
            dims = args[1:] if len(args) > 1 and isinstance(args[1], int) else (args[1] if len(args) > 1 else ())
            order = [d % rank for d in kwargs.get("dims", dims)]
        to_last = [0, *range(2, rank), 1]
        to_first = [0, rank - 1, *range(1, rank - 1)]
        if id(tensor) in self.producer and order == to_last:
            self.channels_last[id(out)] = self.source(tensor)
            self.keep.append(out)
            return None
        if id(tensor) in self.channels_last and order == to_first:
            self.mark(out, self.channels_last[id(tensor)])
            return None
        return self.unsupported(None, f"moving dimensions to the order {order} (only channels last and back)")

    def layer_norm(
        self, base: str, x: Any, shape: tuple[int, ...], module: Any, out: Any, affine: bool = True, eps: float = 1e-5
    ) -> None:
        if module is not None:
            affine, eps = bool(module.elementwise_affine), float(module.eps)
        options: dict[str, Any] = ({} if affine else {"affine": False}) | ({} if eps == 1e-5 else {"eps": eps})
        if id(x) in self.channels_last and shape == (x.shape[-1],):
            return self.op(base, "layernorm", {"over": "channels"} | options, [x], out)
        if id(x) in self.producer and shape == tuple(x.shape[1:]):
            return self.op(base, "layernorm", options, [x], out)
        from torch import nn

        moves = module is not None and type(module) is not nn.LayerNorm
        if moves and id(x) in self.producer and x.dim() > 2 and shape == (x.shape[1],) and out.shape == x.shape:
            # a LayerNorm subclass fed a channels-first map, normalising its C channels (LayerNorm2d, which moves
            # the channels last inside its forward)
            return self.op(base, "layernorm", {"over": "channels"} | options, [x], out)
        return self.unsupported(None, f"layer_norm over {list(shape)} of a {list(x.shape)} tensor")

    def merge(self, kind: str, args: Any, out: Any) -> None:
        import torch

        parts = [a for a in args if isinstance(a, torch.Tensor)]
        weights = [p for p in parts if self.weight_of(p)]
        if len(parts) == 2 and len(weights) == 1:
            (x,) = [p for p in parts if p is not weights[0]]
            if id(x) in self.producer or id(x) in self.channels_last:
                return self.scale(kind, x, weights[0], out)
        if len(parts) != 2 or any(id(p) not in self.producer for p in parts):
            return self.unsupported(None, f"{kind} with a constant or a parameter")
        return self.op(kind, kind, {}, parts, out)

    def weight_of(self, tensor: Any) -> str | None:
        """The model parameter ``tensor`` is (or is a view of), by its name in the model."""
        return self.weights.get(id(tensor))

    def scale(self, kind: str, x: Any, weight: Any, out: Any) -> None:
        """A map times a parameter with one value per channel is a ``scale`` (layer scale:
        ``x * self.gamma[:, None, None]``, ``self.gamma * x`` on a channels-last map); adding a second such
        parameter right after it is that scale's bias (Caffe's Scale with ``bias_term``)."""
        name = self.weight_of(weight) or ""
        last = id(x) in self.channels_last
        channels = int(x.shape[-1] if last else x.shape[1])
        spread = [1] * (x.dim() - weight.dim()) + list(weight.shape)
        per_channel = [1] * x.dim()
        per_channel[-1 if last else 1] = channels
        if weight.dim() > x.dim() or spread[1:] != per_channel[1:] or spread[0] != 1:
            what = "times" if kind == "mul" else "plus"
            return self.unsupported(
                None, f"a map {what} the parameter {name} of shape {list(weight.shape)} (only one value per channel)"
            )
        if kind == "mul":
            return self.op(name.removesuffix(".weight"), "scale", {}, [x], out)
        source = self.channels_last.get(id(x)) if last else self.producer.get(id(x))
        scale = self.ops[-1] if self.ops and self.ops[-1].name == source else None
        if scale is None or scale.kind != "scale" or scale.args.get("bias"):
            return self.unsupported(None, f"adding the parameter {name} to a map (followed only right after a scale)")
        scale.args["bias"] = True
        if last:
            self.channels_last[id(out)] = scale.name
            self.keep.append(out)
        else:
            self.mark(out, scale.name)
        return None

    def regroup(self, func: Any, name: str, args: Any, kwargs: Any, out: Any) -> None:
        """Follow a map through torchvision's ``channel_shuffle`` — ``view`` to ``[N, g, C/g, …]``, swap the
        two channel axes, ``view`` back to ``[N, C, …]`` — and through ``contiguous()`` of a moved map."""
        import torch

        x = args[0]
        if id(x) in self.channels_last:
            self.channels_last[id(out)] = self.channels_last[id(x)]
            self.keep.append(out)
            return None
        source, groups, swapped = self.grouped[id(x)]
        if func in _carries():
            self.grouped[id(out)] = (source, groups, swapped)
            self.keep.append(out)
            return None
        if func in (torch.transpose, torch.Tensor.transpose, torch.swapaxes, torch.Tensor.swapaxes):
            dims = sorted(d % x.dim() for d in (args[1], args[2]))
            if dims == [1, 2]:
                self.grouped[id(out)] = (source, groups, not swapped)
                self.keep.append(out)
                return None
        elif func in (torch.permute, torch.Tensor.permute):
            listed = args[1:] if len(args) > 1 and isinstance(args[1], int) else (args[1] if len(args) > 1 else ())
            order = [d % x.dim() for d in kwargs.get("dims", listed)]
            if order == [0, 2, 1, *range(3, x.dim())]:
                self.grouped[id(out)] = (source, groups, not swapped)
                self.keep.append(out)
                return None
        elif func in (torch.flatten, torch.Tensor.flatten, torch.Tensor.view, torch.Tensor.reshape, torch.reshape):
            if _splits_channels(out, x) and not swapped:  # viewed and viewed back: the map itself
                self.mark(out, source)
                return None
            if _splits_channels(out, x):
                return self.op("channel_shuffle", "channel_shuffle", {"groups": groups}, [source], out)
        return self.unsupported(func, f"{name} of a map whose channels are viewed as [groups, channels per group]")

    def index(self, x: Any, index: Any, out: Any) -> None:
        """``x[:, a:b]`` is a channel ``slice``; ``x[:, :, a:b, c:d]`` cut from the centre is a ``crop``."""
        items = list(index) if isinstance(index, tuple) else [index]
        if any(item is not Ellipsis and not isinstance(item, slice) for item in items) or items.count(Ellipsis) > 1:
            return self.unsupported(None, f"indexing a map with {index!r} (only slices of channels or a centre crop)")
        if Ellipsis in items:
            at = items.index(Ellipsis)
            items[at : at + 1] = [slice(None)] * (x.dim() - len(items) + 1)
        items += [slice(None)] * (x.dim() - len(items))
        ranges = [item.indices(int(n)) for item, n in zip(items, x.shape, strict=True)]
        whole = [r == (0, int(n), 1) for r, n in zip(ranges, x.shape, strict=True)]
        if any(step != 1 for _, _, step in ranges) or not whole[0]:
            return self.unsupported(None, f"indexing a map with {index!r} (only slices of channels or a centre crop)")
        if all(whole):
            self.mark(out, self.source(x))
            return None
        if all(whole[2:]):
            start, stop, _ = ranges[1]
            return self.op("slice", "slice", {"channels": [start, stop]}, [x], out)
        if whole[1]:
            cut = [(start, int(n) - stop) for (start, stop, _), n in zip(ranges[2:], x.shape[2:], strict=True)]
            return self.crop("crop", x, cut, out)
        return self.unsupported(None, f"indexing a map with {index!r} (channels and positions at once)")

    def crop(self, base: str, x: Any, cut: list[tuple[int, int]], out: Any) -> None:
        """Dropping ``(before, after)`` positions per spatial axis: cnncalc's ``crop``, which is centred."""
        sizes = [int(n) - b - a for n, (b, a) in zip(x.shape[2:], cut, strict=True)]
        if any(b != (b + a) // 2 for b, a in cut):
            return self.unsupported(None, f"cropping {cut} (before, after) positions: cnncalc's crop is centred")
        return self.op(base, "crop", {"size": _one(sizes)}, [x], out)

    def pad(self, base: str, x: Any, padding: tuple[int, ...], value: float, out: Any) -> None:
        """Constant padding (``nn.ZeroPad2d``, ``nn.ConstantPad2d``, ``F.pad``; PyTorch lists the last axis
        first): zeros are a ``zeropad``; negative widths crop; ``-inf`` before a max pool is that pool's
        own padding (darknet's stride-1 max pool as exported)."""
        pairs = [(int(padding[i]), int(padding[i + 1])) for i in range(0, len(padding), 2)][::-1]
        spatial = x.dim() - 2
        if len(pairs) > spatial:
            return self.unsupported(None, "padding the channels or the batch")
        pairs = [(0, 0)] * (spatial - len(pairs)) + pairs
        widths = [w for pair in pairs for w in pair]
        if all(w <= 0 for w in widths) and any(widths):
            return self.crop(base, x, [(-b, -a) for b, a in pairs], out)
        if any(w < 0 for w in widths):
            return self.unsupported(None, f"padding {pairs} that grows one side and crops another")
        if value not in (0.0, float("-inf")):
            return self.unsupported(None, f"padding with the value {value} (only zeros, or -inf before a max pool)")
        padded: Any = widths[0] if len(set(widths)) == 1 else [list(pair) for pair in pairs]
        return self.op(base, "zeropad", {"padding": padded}, [x], out, fill=value)

    def unsupported(self, func: Any, what: str | None) -> None:
        label = what or f"the call {getattr(func, '__qualname__', func)}"
        raise located(
            f"{label} is not supported",
            None,
            "write it with a standard module, or see docs/import.md for the calls --from torch follows",
        )
