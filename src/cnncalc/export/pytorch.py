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

import json
import math
import re
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .. import __version__
from ..analysis import analyze
from ..errors import SpecError, Unexportable
from ..layers.base import fmt_shape
from ..report import LayerResult, Report
from ..spec import LayerNode, Node, ParallelNode, Spec
from .lowering import HELPERS, Lowering, TorchModule, lower_row

CONTAINERS = ("Sequence", "Parallel", "Side")


@dataclass(frozen=True, slots=True)
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


@dataclass(slots=True)
class _Writer:
    spec: Spec
    rows: Iterator[LayerResult]
    names: dict[str, str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def sequence(self, nodes: Sequence[Node], prefix: str) -> list[_Item]:
        items: list[_Item] = []
        taken: set[str] = set()
        for node in nodes:
            name = _child_name(node.name, taken)
            fqn = f"{prefix}.{name}" if prefix else name
            if isinstance(node, LayerNode):
                items.append(self.layer(node, name, fqn))
            elif isinstance(node, ParallelNode):
                items.append(self.parallel(node, name, fqn))
            else:
                cls = "Side" if node.is_side else "Sequence"
                self.used.add(cls)
                items.append(_Item(name, cls, self.sequence(node.children, fqn), fqn=fqn))
        return items

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
        branches = [
            _Item(b.name, "Sequence", self.sequence(b.children, f"{fqn}.{b.name}"), fqn=f"{fqn}.{b.name}")
            for b in node.branches
        ]
        self.used.add("Sequence")
        merge = next(self.rows)
        assert merge.name == node.merge_path
        self.names[merge.name] = f"{fqn}.{node.merge}"
        (module,) = lower_row(merge).modules
        self.used.add(module.cls)
        return _Item(name, "Parallel", [*branches, _Item(node.merge, _constructor(module))], fqn=fqn)


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
    if name in (*CONTAINERS, *HELPERS, "F", "nn", "torch"):
        name += "Net"
    return name


def _py(value: object) -> str:
    """A constructor argument as Python source."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, float):
        if math.isinf(value):
            return 'float("-inf")' if value < 0 else 'float("inf")'
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
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
            lines.extend(pad + "# " + line for line in textwrap.wrap(item.comment, 100))
        if item.children is None:
            lines.append(f"{pad}({json.dumps(item.name)}, {item.expr}),")
        elif not item.children:
            lines.append(f"{pad}({json.dumps(item.name)}, {item.expr}()),")
        else:
            lines.append(f"{pad}({json.dumps(item.name)}, {item.expr}(")
            lines.extend(_render(item.children, indent + 4))
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
    """Children applied in order. An nn.Linear flattens its input first, as cnncalc's fc does."""

    def __init__(self, *children: tuple[str, nn.Module]) -> None:
        super().__init__()
        for name, child in children:
            _add(self, name, child)

    def forward(self, x: torch.Tensor, sides: list[torch.Tensor] | None = None) -> torch.Tensor:
        for child in self._modules.values():
            if isinstance(child, Sequence):
                x = child(x, sides)
            else:
                if isinstance(child, nn.Linear) and x.dim() > 2:
                    x = torch.flatten(x, 1)
                x = child(x)
        return x
''',
    "Parallel": '''
class Parallel(Sequence):
    """Branches applied to the same input; the last child merges their outputs."""

    def forward(self, x: torch.Tensor, sides: list[torch.Tensor] | None = None) -> torch.Tensor:
        *branches, merge = self._modules.values()
        return merge(*(branch(x, sides) for branch in branches))
''',
    "Side": '''
class Side(Sequence):
    """A side output: its layers run on the input, the result is kept as an extra network output, and
    the input itself is passed on unchanged."""

    def forward(self, x: torch.Tensor, sides: list[torch.Tensor] | None = None) -> torch.Tensor:
        out = super().forward(x, sides)
        if sides is not None:
            sides.append(out)
        return x
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
    "ChannelLayerNorm": '''
class ChannelLayerNorm(nn.LayerNorm):
    """LayerNorm over the channels at every position of a channels-first map (ConvNeXt's LayerNorm2d)."""

    def __init__(self, num_channels: int, eps: float = 1e-5, elementwise_affine: bool = True) -> None:
        super().__init__(num_channels, eps=eps, elementwise_affine=elementwise_affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.movedim(1, -1)).movedim(-1, 1)
''',
}


def _docstring(spec: Spec, report: Report, origin: str | None) -> str:
    written = f"written by `cnncalc export` (cnncalc {__version__})" + (f" from {origin}" if origin else "")
    lines = [f'"""{spec.name} as a PyTorch module, {written}.', ""]
    if spec.description:
        lines += [*textwrap.wrap(" ".join(spec.description.split()), 100), ""]
    if spec.source:
        lines += [*textwrap.wrap("Source: " + " ".join(spec.source.split()), 100), ""]
    outputs = f"Input {fmt_shape(report.input_shape)} (channels first, without the batch dimension); "
    if report.side_outputs:
        sides = ", ".join(f"{o.name} {fmt_shape(o.shape)}" for o in report.side_outputs)
        outputs += (
            f"forward returns a tuple: the main output {fmt_shape(report.output_shape)}, then the side outputs {sides}."
        )
    else:
        outputs += f"output {fmt_shape(report.output_shape)}."
    lines += textwrap.wrap(outputs, 100)
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
    writer = _Writer(spec, iter(report.layers))
    items = writer.sequence(spec.layers, "")
    writer.used.add("Sequence")
    name = class_name(spec.name)
    network = [
        f"class {name}(Sequence):",
        f'    """{spec.name}: {fmt_shape(report.input_shape)} → {fmt_shape(report.output_shape)}."""',
        "",
        "    def __init__(self) -> None:",
        "        super().__init__(",
        *_render(items, 12),
        "        )",
    ]
    if report.side_outputs:
        network += [
            "",
            "    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:  # type: ignore[override]",
            f'        """The main output, then the side outputs ({", ".join(o.name for o in report.side_outputs)})."""',
            "        sides: list[torch.Tensor] = []",
            "        main = super().forward(x, sides)",
            "        return (main, *sides)",
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
