"""``cnncalc export --to pytorch``: a spec as a self-contained Python file defining an ``nn.Module``.

The file needs only PyTorch. Its structure mirrors the spec: every block instance, repeat, repeat copy,
branch and side output is a container module named as in cnncalc's paths, so cnncalc's
``inception_3a/b2/3x3`` is ``model.get_submodule("inception_3a.b2.3x3")``. Containers are three small
classes written into the file: ``Sequence`` (children in order; an ``nn.Linear`` flattens its input first,
as cnncalc's fc does), ``Parallel`` (branches on the same input, merged by its last child: ``Concat``,
``Add`` or ``Mul``) and ``Side`` (runs its layers, keeps the result as an extra output, passes its input
on). Layers PyTorch would reject as written become a ``Sequence`` of the explicit equivalent (see
:mod:`cnncalc.export.lowering`), with the reason as a comment.

Names: a name containing ``.`` (PyTorch's path separator) has it replaced by ``_``, and gains a trailing
``_`` if that collides with a sibling; every other name is kept as it is, even ``1x1`` or ``2`` (they
are registered with ``add_module``, or directly when the name is also an attribute of ``nn.Module``,
such as ``train``).
"""

from __future__ import annotations

import keyword
import math
import re
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .. import __version__
from ..analysis import analyze
from ..errors import SpecError, Unexportable
from ..layers.base import fmt_shape
from ..record import record
from ..report import LayerResult, Report
from ..spec import GroupNode, LayerNode, MergeNode, Node, ParallelNode, Spec
from .lowering import HELPERS, Lowering, TorchModule, lower_row

CONTAINERS = ("Sequence", "Parallel", "Side")


@record
class PyTorchExport:
    """The exported file and, for every cnncalc row, the name of its module in ``named_modules()``."""

    text: str
    class_name: str
    module_names: dict[str, str]  # cnncalc row path → PyTorch module name
    report: Report


@dataclass(slots=True)
class _Item:
    """One module of the tree being written: a container with children, or a leaf expression."""

    name: str
    expr: str  # the constructor, e.g. nn.Conv2d(3, 64, kernel_size=7) or Sequence
    children: list[_Item] | None = None
    comment: str | None = None
    fqn: str = ""
    wiring: list[str] = field(default_factory=list)  # a container's reads=…, keeps=… argument lines


@dataclass(slots=True)
class _Writer:
    spec: Spec
    rows: Iterator[LayerResult]
    names: dict[str, str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    kept: set[str] = field(default_factory=set)  # node paths whose outputs are saved (see _kept)

    def sequence(self, nodes: Sequence[Node], prefix: str) -> tuple[list[_Item], list[str]]:
        """The children of one container, and its wiring: which children read saved outputs instead of the
        previous child's (``reads``) and which save theirs for a later reader or as outputs (``keeps``)."""
        items: list[_Item] = []
        taken: set[str] = set()
        reads: dict[str, tuple[str, ...]] = {}
        keeps: dict[str, str] = {}
        for node in nodes:
            name = _child_name(node.name, taken)
            fqn = f"{prefix}.{name}" if prefix else name
            if isinstance(node, MergeNode):
                reads[name] = node.sources
                items.append(self.merge(node, name, fqn))
            else:
                if node.source is not None:
                    reads[name] = (node.source,)
                if isinstance(node, LayerNode):
                    items.append(self.layer(node, name, fqn))
                elif isinstance(node, ParallelNode):
                    items.append(self.parallel(node, name, fqn))
                else:
                    cls = "Side" if node.is_side else "Sequence"
                    self.used.add(cls)
                    children, wiring = self.sequence(node.children, fqn)
                    items.append(_Item(name, cls, children, fqn=fqn, wiring=wiring))
            if node.path in self.kept:
                keeps[name] = node.path
        return items, _wiring(reads, keeps)

    def merge(self, node: MergeNode, name: str, fqn: str) -> _Item:
        row = next(self.rows)
        assert row.name == node.path
        self.names[row.name] = fqn
        (module,) = lower_row(row).modules
        self.used.add(module.cls)
        return _Item(name, _constructor(module), fqn=fqn)

    def layer(self, node: LayerNode, name: str, fqn: str) -> _Item:
        row = next(self.rows)
        assert row.name == node.path
        self.names[row.name] = fqn
        try:
            lowering = lower_row(row)
        except Unexportable as exc:
            raise SpecError(
                [self.spec.diagnostic(exc.message, node.origin, hint=exc.hint, layer=node.path, context=node.context)]
            ) from None
        return self.lowered(lowering, name, fqn)

    def lowered(self, lowering: Lowering, name: str, fqn: str) -> _Item:
        self.used.update(m.cls for m in lowering.modules if m.cls in HELPERS)
        if len(lowering.modules) == 1 and not lowering.modules[0].role:
            return _Item(name, _constructor(lowering.modules[0]), comment=lowering.note, fqn=fqn)
        self.used.add("Sequence")
        children = [_Item(m.role, _constructor(m), fqn=f"{fqn}.{m.role}") for m in lowering.modules]
        return _Item(name, "Sequence", children, lowering.note, fqn)

    def parallel(self, node: ParallelNode, name: str, fqn: str) -> _Item:
        self.used.add("Parallel")
        branches = []
        for b in node.branches:
            children, wiring = self.sequence(b.children, f"{fqn}.{b.name}")
            branches.append(_Item(b.name, "Sequence", children, fqn=f"{fqn}.{b.name}", wiring=wiring))
        self.used.add("Sequence")
        merge = next(self.rows)
        assert merge.name == node.merge_path
        self.names[merge.name] = f"{fqn}.{node.merge}"
        (module,) = lower_row(merge).modules
        self.used.add(module.cls)
        keeps = {b.name: b.path for b in node.branches if b.path in self.kept}
        return _Item(
            name, "Parallel", [*branches, _Item(node.merge, _constructor(module))], fqn=fqn, wiring=_wiring({}, keeps)
        )


def _wiring(reads: dict[str, tuple[str, ...]], keeps: dict[str, str]) -> list[str]:
    """A container's ``reads=…`` and ``keeps=…`` constructor arguments, one entry a line."""
    lines = []
    for key, mapping in (
        ("reads", {k: _py(v) for k, v in reads.items()}),
        ("keeps", {k: _py(v) for k, v in keeps.items()}),
    ):
        if mapping:
            lines += [f"{key}={{", *(f"    {_literal(k)}: {v}," for k, v in mapping.items()), "},"]
    return lines


def _kept(spec: Spec) -> set[str]:
    """The node paths whose outputs the exported module saves: what `from:` and merges read, the `outputs:`
    and every side output."""
    kept = set(spec.outputs)
    stack: list[Node] = list(spec.layers)
    while stack:
        node = stack.pop()
        if isinstance(node, MergeNode):
            kept.update(node.sources)
            continue
        if node.source is not None:
            kept.add(node.source)
        if isinstance(node, GroupNode):
            if node.is_side:
                kept.add(node.path)
            stack.extend(node.children)
        elif isinstance(node, ParallelNode):
            stack.extend(node.branches)
    return kept


def _child_name(name: str, taken: set[str]) -> str:
    """cnncalc's name, with ``.`` (PyTorch's separator) replaced; unique among its siblings."""
    out = name.replace(".", "_")
    while out in taken:
        out += "_"
    taken.add(out)
    return out


def class_name(spec_name: str) -> str:
    """``googlenet-aux`` → ``GooglenetAux``; never one of the file's own classes."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", spec_name) if p]
    name = "".join(p[0].upper() + p[1:] for p in parts) or "Net"
    if name[0].isdigit():
        name = "Net" + name
    if name in (*CONTAINERS, *HELPERS, "F", "nn", "torch") or keyword.iskeyword(name):  # True, None, False
        name += "Net"
    return name


def _escaped(text: str) -> str:
    """``text`` as the inside of a double-quoted Python string (also safe inside a docstring and a
    comment): backslashes and double quotes escaped, every unprintable character (line breaks, controls,
    lone surrogates) written as its escape, everything else kept as written, emoji included."""
    out = []
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])
    return "".join(out)


def _literal(text: str) -> str:
    """Spec text as a Python string literal; JSON's ``\\uXXXX`` pairs would make an emoji two lone surrogates."""
    return f'"{_escaped(text)}"'


def _py(value: object) -> str:
    """A constructor argument as Python source."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, float):
        if math.isinf(value):
            return 'float("-inf")' if value < 0 else 'float("inf")'
        return repr(value)
    if isinstance(value, str):
        return _literal(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(_py(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    return repr(value)


def _constructor(module: TorchModule) -> str:
    parts = [
        _py(value) if i < module.positional else f"{key}={_py(value)}" for i, (key, value) in enumerate(module.args)
    ]
    prefix = "" if module.cls in HELPERS else "nn."
    return f"{prefix}{module.cls}({', '.join(parts)})"


def _render(items: list[_Item], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for item in items:
        if item.comment:
            lines.extend(pad + "# " + line for line in textwrap.wrap(_escaped(item.comment), 100))
        if item.children is None:
            lines.append(f"{pad}({_literal(item.name)}, {item.expr}),")
        elif not item.children:
            lines.append(f"{pad}({_literal(item.name)}, {item.expr}()),")
        else:
            lines.append(f"{pad}({_literal(item.name)}, {item.expr}(")
            lines.extend(_render(item.children, indent + 4))
            lines.extend(f"{pad}    {line}" for line in item.wiring)
            lines.append(f"{pad})),")
    return lines


_HELPER_SOURCE = {
    "Sequence": '''
def _add(parent: nn.Module, name: str, child: nn.Module) -> None:
    """Register a child under cnncalc's name, even one that is also an nn.Module attribute (such as
    "train"): such a child is reached with parent.get_submodule(name)."""
    if hasattr(parent, name):
        parent._modules[name] = child
    else:
        parent.add_module(name, child)


class Sequence(nn.Module):
    """Children applied in order. An nn.Linear flattens its input first, as cnncalc's fc does. A child
    named in reads takes the saved outputs of those cnncalc paths ("input" is the network input) instead
    of the previous child's; a child named in keeps saves its output under that path; a side output's
    result is saved, and the next child reads the side's input."""

    side_output = False

    def __init__(
        self,
        *children: tuple[str, nn.Module],
        reads: dict[str, tuple[str, ...]] | None = None,
        keeps: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.reads = reads or {}
        self.keeps = keeps or {}
        for name, child in children:
            _add(self, name, child)

    def forward(self, x: torch.Tensor, saved: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        saved = {"input": x} if saved is None else saved
        for name, child in self._modules.items():
            inputs = [saved[path] for path in self.reads[name]] if name in self.reads else [x]
            if isinstance(child, Sequence):
                out = child(inputs[0], saved)
            else:
                if isinstance(child, nn.Linear) and inputs[0].dim() > 2:
                    inputs = [torch.flatten(inputs[0], 1)]
                out = child(*inputs)
            if name in self.keeps:
                saved[self.keeps[name]] = out
            if not getattr(child, "side_output", False):
                x = out
        return x
''',
    "Parallel": '''
class Parallel(Sequence):
    """Branches applied to the same input; the last child merges their outputs."""

    def forward(self, x: torch.Tensor, saved: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        saved = {"input": x} if saved is None else saved
        *branches, (_, merge) = self._modules.items()
        outs = []
        for name, branch in branches:
            outs.append(branch(x, saved))
            if name in self.keeps:
                saved[self.keeps[name]] = outs[-1]
        return merge(*outs)
''',
    "Side": '''
class Side(Sequence):
    """A side output: its layers run on the input and the result is saved as an extra network output; the
    main path goes on from the input."""

    side_output = True
''',
    "Concat": '''
class Concat(nn.Module):
    """Concatenation along channels."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        return torch.cat(xs, dim=1)
''',
    "Add": '''
class Add(nn.Module):
    """Element-wise sum."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out
''',
    "Mul": '''
class Mul(nn.Module):
    """Element-wise product, broadcasting (a [C, 1, 1] gate scales a [C, H, W] map)."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out
''',
    "ChannelSlice": '''
class ChannelSlice(nn.Module):
    """Channels start … stop − 1 (cnncalc's slice)."""

    def __init__(self, start: int, stop: int) -> None:
        super().__init__()
        self.start, self.stop = start, stop

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, self.start : self.stop]
''',
    "ChannelShuffle": '''
class ChannelShuffle(nn.Module):
    """Channels regrouped as torchvision's shufflenet does it: viewed as [groups, C / groups], the two axes
    swapped, viewed back (nn.ChannelShuffle does the same, but torch.onnx.export cannot write it)."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, *rest = x.shape
        x = x.view(n, self.groups, c // self.groups, *rest)
        return x.transpose(1, 2).contiguous().view(n, c, *rest)
''',
    "Scale": '''
class Scale(nn.Module):
    """A learned factor per channel, and a shift with bias=True (layer scale; Caffe's Scale)."""

    def __init__(self, channels: int, bias: bool = False) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = (1, -1) + (1,) * (x.dim() - 2)
        out = x * self.weight.view(shape)
        return out if self.bias is None else out + self.bias.view(shape)
''',
    "ChannelLayerNorm": '''
class ChannelLayerNorm(nn.LayerNorm):
    """LayerNorm over the channels at every position of a channels-first map (ConvNeXt's LayerNorm2d)."""

    def __init__(self, num_channels: int, eps: float = 1e-5, elementwise_affine: bool = True) -> None:
        super().__init__(num_channels, eps=eps, elementwise_affine=elementwise_affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # permute, not movedim(-1, 1): PyTorch's TorchScript ONNX exporter writes that as a Transpose with
        # perm [0, -1, 1, 2], which ONNX forbids (its shape inference rejects the file)
        last = x.dim() - 1
        out = super().forward(x.permute(0, *range(2, last + 1), 1))
        return out.permute(0, last, *range(1, last))
''',
}


def _prose(text: str) -> str:
    """Spec text for the docstring: whitespace runs (line breaks included) read as one space, then escaped."""
    return _escaped(" ".join(text.split()))


def _wrap(text: str) -> list[str]:
    """Lines of at most 100 characters, broken only at spaces: a break inside an escape would change it."""
    return textwrap.wrap(text, 100, break_long_words=False, break_on_hyphens=False)


def _docstring(spec: Spec, report: Report, origin: str | None) -> str:
    written = f"written by `cnncalc export` (cnncalc {__version__})" + (f" from {_prose(origin)}" if origin else "")
    lines = [f'"""{_prose(spec.name)} as a PyTorch module, {written}.', ""]
    if spec.description:
        lines += [*_wrap(_prose(spec.description)), ""]
    if spec.source:
        lines += [*_wrap("Source: " + _prose(spec.source)), ""]
    outputs = f"Input {fmt_shape(report.input_shape)} (channels first, without the batch dimension); "
    if report.side_outputs:
        sides = ", ".join(f"{_prose(o.name)} {fmt_shape(o.shape)}" for o in report.side_outputs)
        outputs += (
            f"forward returns a tuple: the main output {fmt_shape(report.output_shape)}, then the side outputs {sides}."
        )
    else:
        outputs += f"output {fmt_shape(report.output_shape)}."
    lines += _wrap(outputs)
    lines += [
        "",
        "Module names follow cnncalc's layer paths with '/' read as '.': the layer a/b/c is",
        'model.get_submodule("a.b.c"). Check the file against cnncalc with `python <this file>`: it prints the',
        "output shapes and the parameter count.",
        '"""',
    ]
    return "\n".join(lines)


def to_pytorch(spec: Spec, *, input_shape: Sequence[int] | None = None, origin: str | None = None) -> PyTorchExport:
    """Write ``spec`` as a Python module defining an ``nn.Module`` (raises :class:`SpecError` for a layer
    PyTorch cannot express). ``origin`` names the spec file in the docstring."""
    report = analyze(spec, input_shape=input_shape)
    writer = _Writer(spec, iter(report.layers), kept=_kept(spec))
    items, wiring = writer.sequence(spec.layers, "")
    writer.used.add("Sequence")
    name = class_name(spec.name)
    network = [
        f"class {name}(Sequence):",
        f'    """{_prose(spec.name)}: {fmt_shape(report.input_shape)} → {fmt_shape(report.output_shape)}."""',
        "",
        "    def __init__(self) -> None:",
        "        super().__init__(",
        *_render(items, 12),
        *(f"            {line}" for line in wiring),
        "        )",
    ]
    if len(report.outputs) > 1:
        first = "main" if not spec.outputs else f"saved[{_literal(spec.outputs[0])}]"
        rest = ", ".join(f"saved[{_literal(o.name)}]" for o in report.outputs[1:])
        network += [
            "",
            "    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:  # type: ignore[override]",
            f'        """The outputs: {", ".join(_prose(o.name) for o in report.outputs)}."""',
            '        saved: dict[str, torch.Tensor] = {"input": x}',
            f"        {'main = ' if not spec.outputs else ''}super().forward(x, saved)",
            f"        return ({first}, {rest})",
        ]
    elif spec.outputs:
        network += [
            "",
            "    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]",
            '        saved: dict[str, torch.Tensor] = {"input": x}',
            "        super().forward(x, saved)",
            f"        return saved[{_literal(spec.outputs[0])}]",
        ]
    main = [
        'if __name__ == "__main__":',
        f"    model = {name}().eval()",
        "    with torch.no_grad():",
        "        result = model(torch.zeros(1, *INPUT_SHAPE))",
        "    outputs = result if isinstance(result, tuple) else (result,)",
        '    print("outputs:", ", ".join("×".join(map(str, out.shape[1:])) for out in outputs))',
        '    print("parameters:", sum(p.numel() for p in model.parameters()))',
    ]
    sections = [
        _docstring(spec, report, origin)
        + "\n\nfrom __future__ import annotations\n\nimport torch\nfrom torch import nn",
        f"INPUT_SHAPE = {_py(tuple(report.input_shape))}",
        *(_HELPER_SOURCE[h].strip() for h in (*CONTAINERS, *HELPERS) if h in writer.used),
        "\n".join(network),
        "\n".join(main),
    ]
    return PyTorchExport("\n\n\n".join(sections) + "\n", name, writer.names, report)
