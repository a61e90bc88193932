"""Darknet ``.cfg`` → graph.

The format is INI-like with repeated sections, read here line by line as darknet's own ``read_cfg``
(src/parser.c) does: ``[section]`` starts an entry, ``key=value`` belongs to the last one, ``#`` and ``;``
start comments. Every section after ``[net]`` is a layer with an index (``[yolo]`` and ``[route]`` count too),
which is what ``route``'s and ``shortcut``'s negative (relative) and non-negative (absolute) references
count. Darknet's rules (parser.c, convolutional_layer.c, maxpool_layer.c):

* ``[convolutional]``: ``pad=1`` means padding ``size // 2`` (else ``padding=``); ``batch_normalize=1``
  means no bias and a batch normalisation; ``activation`` follows (``linear`` is none).
* ``[maxpool]``: ``padding`` defaults to ``size − 1`` in total, ``(padding) // 2`` before and the rest after,
  and the output is ``(N + padding − size) // stride + 1`` — so a stride-1 maxpool keeps the size.
* ``[route] layers=a,b``: the outputs concatenated (one layer: that output itself; ``groups``/``group_id``
  take one channel group of it); ``[shortcut] from=-3``: added to the previous layer.
* ``[yolo]``/``[region]``/``[detection]``: the previous layer's output is a network output.

Rows are named by the section's kind and darknet's layer index (``conv13``, ``route14``), as darknet
prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..args import MAX_SIZE
from ..errors import Location
from .graph import INPUT, Graph, Op, located

_ACTIVATIONS = {
    "linear": None,
    "leaky": ("leaky_relu", {"negative_slope": 0.1}),
    "relu": ("relu", {}),
    "logistic": ("sigmoid", {}),
    "tanh": ("tanh", {}),
    "swish": ("silu", {}),
    "elu": ("elu", {}),
    "relu6": ("relu6", {}),
    "hardtan": None,
}
_OUTPUT_SECTIONS = {"yolo", "region", "detection", "cost"}


@dataclass
class _Section:
    kind: str
    line: int
    text: str
    options: dict[str, tuple[str, int]] = field(default_factory=dict)  # key → (value, line)


def parse_cfg(text: str, file: str) -> list[_Section]:
    lines = text.splitlines()
    sections: list[_Section] = []
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            if not line.endswith("]") or len(line) < 3:
                raise located(
                    f"unclosed section header {line!r}",
                    Location(file, number, 1, raw),
                    "a darknet section is written [name], e.g. [convolutional]",
                )
            sections.append(_Section(line[1:-1].strip().lower(), number, raw))
            continue
        if "=" not in line:
            raise located(
                f"expected key=value or [section], got {line!r}",
                Location(file, number, 1, raw),
                "is this a darknet .cfg file? --from names the format",
            )
        if not sections:
            raise located(
                "an option before the first [section]",
                Location(file, number, 1, raw),
                "a darknet .cfg starts with [net]",
            )
        key, value = line.split("=", 1)
        sections[-1].options[key.strip()] = (value.strip(), number)
    if not sections or sections[0].kind not in ("net", "network"):
        where = Location(file, sections[0].line if sections else 1, 1, sections[0].text if sections else None)
        raise located("a darknet .cfg starts with [net]", where, "is this a darknet .cfg file?")
    return sections


class _Reader:
    def __init__(self, sections: list[_Section], file: str, lines: list[str], unknown: bool) -> None:
        self.sections, self.file, self.lines, self.unknown = sections, file, lines, unknown
        self.ops: list[Op] = []
        self.outputs: list[str] = []
        self.tensor: list[str] = []  # darknet layer index → the op whose output it is
        self.channels: list[int] = []  # … and its channel count (for route's groups)

    def location(self, section: _Section, key: str | None = None) -> Location:
        line = section.options[key][1] if key and key in section.options else section.line
        return Location(self.file, line, 1, self.lines[line - 1])

    def number(self, section: _Section, key: str, default: int | None = None, minimum: int = 0) -> int:
        if key not in section.options:
            if default is None:
                raise located(f"[{section.kind}] needs {key}=", self.location(section), f"add a line {key}=…")
            return default
        value = section.options[key][0]
        if _long_number(value):
            n = MAX_SIZE + 1
        else:
            try:
                n = int(value)
            except ValueError:
                n = minimum - 1
        if n > MAX_SIZE:
            raise located(
                f"{key}={_cut(value)}: too large, sizes are at most {MAX_SIZE:,} (2³¹ − 1)", self.location(section, key)
            )
        if n < minimum:
            raise located(
                f"{key}={_cut(value)}: expected a whole number of at least {minimum}", self.location(section, key)
            )
        return n

    def reference(self, section: _Section, key: str, value: str, index: int) -> int:
        if _long_number(value):
            raise located(
                f"{key}={_cut(value)} in layer {index}: no layer has this index",
                self.location(section, key),
                "negative values count back from this layer, others are absolute indices of earlier layers",
            )
        try:
            ref = int(value)
        except ValueError:
            raise located(f"{key}: {_cut(value)!r} is not a layer index", self.location(section, key)) from None
        target = index + ref if ref < 0 else ref
        if not 0 <= target < index:
            raise located(
                f"{key}={value} in layer {index} points at layer {target}, which is not an earlier layer",
                self.location(section, key),
                "negative values count back from this layer, others are absolute indices of earlier layers",
            )
        return target

    def read(self, channels: int) -> None:
        previous, c = INPUT, channels
        for index, section in enumerate(self.sections[1:]):
            loc, kind, src = self.location(section), section.kind, previous
            if kind in ("convolutional", "conv"):
                filters = self.number(section, "filters", 1, 1)
                size = self.number(section, "size", 1, 1)
                stride = self.number(section, "stride", 1, 1)
                pad = size // 2 if self.number(section, "pad", 0) else self.number(section, "padding", 0)
                groups = self.number(section, "groups", 1, 1)
                bn = bool(self.number(section, "batch_normalize", 0))
                args: dict[str, object] = {"filters": filters, "kernel": size}
                if stride != 1:
                    args["stride"] = stride
                if pad:
                    args["padding"] = pad
                if groups != 1:
                    args["groups"] = groups
                if bn:
                    args["bias"] = False
                name = f"conv{index}"
                self.ops.append(Op(name, "conv", args, [previous], loc))
                last = name
                if bn:
                    self.ops.append(Op(f"{name}_bn", "batchnorm", {}, [last], loc))
                    last = f"{name}_bn"
                last = self.activation(section, last, name, loc)
                previous, c = last, filters
            elif kind == "maxpool":
                stride = self.number(section, "stride", 1, 1)
                size = self.number(section, "size", stride, 1)
                padding = self.number(section, "padding", size - 1)
                before = padding // 2
                args = {"kernel": size, "stride": stride}
                if padding:
                    args["padding"] = [[before, padding - before], [before, padding - before]]
                previous = f"maxpool{index}"
                self.ops.append(Op(previous, "maxpool", args, [src], loc))
            elif kind == "avgpool":
                previous = f"avgpool{index}"
                self.ops.append(Op(previous, "global_avgpool", {}, [src], loc))
            elif kind == "route":
                value = section.options.get("layers", ("", 0))[0]
                sources = [self.reference(section, "layers", v.strip(), index) for v in value.split(",") if v.strip()]
                if not sources:
                    raise located("[route] needs layers=", loc, "e.g. layers=-1,61")
                groups = self.number(section, "groups", 1, 1)
                if len(sources) == 1 and groups == 1:
                    previous, c = self.tensor[sources[0]], self.channels[sources[0]]
                elif len(sources) == 1:
                    group_id = self.number(section, "group_id", 0)
                    width = self.channels[sources[0]] // groups
                    previous, c = f"route{index}", width
                    args = {"channels": [group_id * width, (group_id + 1) * width]}
                    self.ops.append(Op(previous, "slice", args, [self.tensor[sources[0]]], loc))
                else:
                    previous, c = f"route{index}", sum(self.channels[s] for s in sources)
                    self.ops.append(Op(previous, "concat", {}, [self.tensor[s] for s in sources], loc))
            elif kind == "shortcut":
                origin = self.reference(section, "from", section.options.get("from", ("", 0))[0], index)
                name = f"shortcut{index}"
                self.ops.append(Op(name, "add", {}, [src, self.tensor[origin]], loc))
                previous = self.activation(section, name, name, loc)
            elif kind == "upsample":
                previous = f"upsample{index}"
                factor = self.number(section, "stride", 2, 1)
                self.ops.append(Op(previous, "upsample", {"scale_factor": factor}, [src], loc))
            elif kind == "connected":
                name = f"fc{index}"
                units = self.number(section, "output", 1, 1)
                bn = bool(self.number(section, "batch_normalize", 0))
                self.ops.append(Op(name, "fc", {"units": units} | ({"bias": False} if bn else {}), [previous], loc))
                last = name
                if bn:
                    self.ops.append(Op(f"{name}_bn", "batchnorm", {}, [last], loc))
                    last = f"{name}_bn"
                previous, c = self.activation(section, last, name, loc), units
            elif kind == "dropout":
                previous = f"dropout{index}"
                rate = float(section.options.get("probability", ("0.5", 0))[0])
                self.ops.append(Op(previous, "dropout", {"rate": rate}, [src], loc))
            elif kind == "softmax":
                previous = f"softmax{index}"
                self.ops.append(Op(previous, "softmax", {}, [src], loc))
            elif kind in _OUTPUT_SECTIONS:
                self.outputs.append(previous)
            else:
                raise located(
                    f"darknet layer [{kind}] (layer {index}) is not supported",
                    loc,
                    "supported: [convolutional] [maxpool] [avgpool] [route] [shortcut] [upsample] [connected] "
                    "[dropout] [softmax] [yolo] [region]",
                    f"{kind}{index}",
                )
            self.tensor.append(previous)
            self.channels.append(c)

    def activation(self, section: _Section, last: str, name: str, loc: Location) -> str:
        act = section.options.get("activation", ("linear", 0))[0]
        if act not in _ACTIVATIONS or (_ACTIVATIONS[act] is None and act != "linear"):
            raise located(
                f"activation={act} is not supported",
                self.location(section, "activation"),
                "supported: " + ", ".join(a for a, v in _ACTIVATIONS.items() if v or a == "linear"),
                name,
            )
        found = _ACTIVATIONS[act]
        if found is None:
            return last
        kind, args = found
        self.ops.append(Op(f"{name}_{act}", kind, dict(args), [last], loc))
        return f"{name}_{act}"


def read(text: str, file: str, input_shape: tuple[int, ...] | None, name: str | None, allow_unknown: bool) -> Graph:
    sections = parse_cfg(text, file)
    net = sections[0]
    reader = _Reader(sections, file, text.splitlines(), allow_unknown)
    notes: list[str] = []
    batch = net.options.get("batch", ("1", 0))[0]
    if batch.strip() not in ("", "1"):
        notes.append(f"the file's batch size {batch} (batch=) is not part of the spec: figures are per sample")
    if input_shape is None:
        input_shape = (
            reader.number(net, "channels", 3, 1),
            reader.number(net, "height", None, 1),
            reader.number(net, "width", None, 1),
        )
    reader.read(input_shape[0])
    stem = file.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    outputs = list(dict.fromkeys(reader.outputs))
    return Graph(name or stem, input_shape, reader.ops, f"{file} (Darknet cfg)", outputs=outputs, notes=notes)


def _cut(value: str) -> str:
    """A value from the file as a message shows it: at most 40 characters."""
    return value if len(value) <= 40 else value[:39] + "…"


def _long_number(value: str) -> bool:
    """Digits past any size (more than 12): refused without converting them (Python converts at most 4,300)."""
    digits = value.strip().lstrip("+-")
    return len(digits) > 12 and digits.isascii() and digits.isdigit()
