"""The graph every importer builds, and its translation into a readable spec.

An importer reads its format into a :class:`Graph`: operations in the file's order, each naming the
operations it reads (``"input"`` is the network's input). :func:`structure` then writes the spec a person
would: a fork whose branches meet again in one merge becomes ``parallel`` (a branch that ends nowhere
becomes a ``side`` output), recurring parallels that differ only in numbers become one block with
parameters, identical consecutive rows become ``repeat``, and ``from:`` appears only where the graph really
crosses (a row reading something other than the row before it). :func:`to_yaml` writes the result as YAML
text in the presets' style, quoting every string that could be read as something else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..args import unsafe_character
from ..errors import Location, SpecError

INPUT = "input"
MERGES = ("concat", "add", "mul")


@dataclass
class Op:
    """One operation: a cnncalc layer kind with its arguments, or a merge (``concat``/``add``/``mul``)."""

    name: str
    kind: str
    args: dict[str, Any]
    inputs: list[str]
    location: Location | None = None
    fill: float = 0.0  # a zeropad's value: -inf is padding a max pool right after it takes as its own

    @property
    def is_merge(self) -> bool:
        return self.kind in MERGES


@dataclass
class Graph:
    name: str
    input_shape: tuple[int, ...]
    ops: list[Op]
    source: str
    description: str | None = None
    outputs: list[str] = field(default_factory=list)  # network outputs besides the last operation
    notes: list[str] = field(default_factory=list)  # what the importer wants the user to know


def located(message: str, location: Location | None, hint: str | None = None, layer: str | None = None) -> SpecError:
    return SpecError.single(
        message, hint=hint, location=location, layer=layer, file=location.file if location else None
    )


def check_acyclic(graph: Graph) -> None:
    """Every operation reads only operations before it (or the input): a cycle or a forward read is an
    error at the operation that closes it."""
    seen = {INPUT}
    for op in graph.ops:
        for src in op.inputs:
            if src not in seen:
                known = {o.name for o in graph.ops}
                what = "a cycle or a read of a later operation" if src in known else "an unknown input"
                raise located(
                    f"{op.name} reads {src!r}: {what}",
                    op.location,
                    "an operation may read only the input and operations defined before it",
                    op.name,
                )
        seen.add(op.name)


def _fold_into_reader(graph: Graph) -> None:
    """Leave out a flatten whose only reader is an fc (cnncalc's fc flattens its input itself, as Caffe's
    InnerProduct does), and fold zero padding whose only reader is an unpadded conv into the conv's own
    padding (what exporters write for a strided ``same`` conv, which PyTorch refuses), as -inf padding
    into the unpadded max pool after it (darknet's stride-1 pool as exported)."""
    readers: dict[str, list[Op]] = {}
    for op in graph.ops:
        for src in op.inputs:
            readers.setdefault(src, []).append(op)
    renamed: dict[str, str] = {}
    kept = []
    for op in graph.ops:
        op.inputs = [renamed.get(src, src) for src in op.inputs]
        after = readers.get(op.name, [])
        alone = len(after) == 1 and op.name not in graph.outputs and len(op.inputs) == 1
        if alone and op.kind == "flatten" and after[0].kind == "fc":
            renamed[op.name] = op.inputs[0]
            continue
        if alone and op.kind == "zeropad" and not after[0].args.get("padding") and _pads_for(op, after[0]):
            after[0].args["padding"] = op.args["padding"]
            renamed[op.name] = op.inputs[0]
            continue
        if op.fill != 0.0:
            raise located(
                f"{op.name} pads with {op.fill}: cnncalc follows that only right before a max pool without padding",
                op.location,
                "a max pool pads with -inf itself: give the pool the padding",
                op.name,
            )
        kept.append(op)
    graph.ops[:] = kept


def _pads_for(pad: Op, reader: Op) -> bool:
    """Whether ``reader`` takes ``pad`` as its own padding: zeros before a conv, -inf before a max pool
    (what each pads with itself; ceil mode's extra window depends on the padding being the pool's own)."""
    if reader.kind == "conv":
        return pad.fill == 0.0
    return reader.kind == "maxpool" and pad.fill == float("-inf") and not reader.args.get("ceil_mode")


def clean_name(name: str) -> str:
    """A name cnncalc accepts, whatever the model file holds: each run of '/', spaces (both separate or end
    names in a spec), control, format (bidi) or line-separator characters (they steer terminals and text
    layout) becomes one '_'; a leading '$' (a block parameter) is dropped; ``input`` (the network's input)
    becomes ``input_``."""
    out = "".join("/" if unsafe_character(ch) else ch for ch in name)
    out = re.sub(r"[/\s]+", "_", out).strip("_").lstrip("$")
    if out == INPUT:
        return "input_"
    return out or "layer"


# --------------------------------------------------------------------------------------------- structure


@dataclass
class _Parallel:
    merge: Op
    source: str  # what every branch reads
    branches: list[list[Any]]  # items: Op, _Parallel or _Side


@dataclass
class _Side:
    source: str
    items: list[Any]
    name: str


def structure(graph: Graph) -> dict[str, Any]:
    """The spec (as plain data) of ``graph``; see the module docstring."""
    check_acyclic(graph)
    _fold_into_reader(graph)
    consumers: dict[str, list[Op]] = {INPUT: []}
    for op in graph.ops:
        consumers[op.name] = []
        for src in dict.fromkeys(op.inputs):
            consumers[src].append(op)
    walker = _Walker(consumers, set(graph.outputs))
    items: list[Any] = []
    done: set[str] = set()
    for tensor in [INPUT, *(op.name for op in graph.ops)]:
        if tensor != INPUT and tensor in done:
            continue
        if tensor != INPUT:
            items.append(walker.by_name[tensor])
            done.add(tensor)
        region = walker.region(tensor)
        while region is not None:
            items.extend(region)
            done.update(walker.covered(region))
            tail = region[-1]
            if not isinstance(tail, _Parallel):
                break
            region = walker.region(tail.merge.name)
    layers = _rows(items, INPUT, set(graph.outputs))
    blocks = _extract_blocks(layers)
    layers = _repeats(layers)
    spec: dict[str, Any] = {"name": graph.name}
    if graph.description:
        spec["description"] = graph.description
    spec["source"] = graph.source
    spec["input"] = list(graph.input_shape)
    sides = _side_ends(items)
    outs = [clean_name(o) for o in graph.outputs if o not in sides]
    last = clean_name(graph.ops[-1].name) if graph.ops else INPUT
    if outs and outs != [last]:
        spec["outputs"] = outs
    if blocks:
        spec["blocks"] = blocks
    spec["layers"] = layers
    return spec


class _Walker:
    def __init__(self, consumers: dict[str, list[Op]], outputs: set[str]) -> None:
        self.consumers = consumers
        self.outputs = outputs
        self.by_name = {op.name: op for ops in consumers.values() for op in ops}

    def region(self, tensor: str) -> list[Any] | None:
        """The sides and the parallel that start at ``tensor``, if its readers form one."""
        readers = self.consumers[tensor]
        if len(readers) < 2 or tensor in self.outputs:
            return None
        sides: list[Any] = []
        branches: list[tuple[list[Any], str]] = []
        for reader in readers:
            if reader.is_merge:
                branches.append(([], tensor))
                continue
            walked = self.chain(reader)
            if walked is None:
                return None
            chain, end = walked
            if not self.consumers[end]:
                sides.append(_Side(tensor, chain, clean_name(end)))
            else:
                branches.append((chain, end))
        if len(branches) < 2:
            return None
        merges = {id(self.consumers[end][0]) if end != tensor else None for _, end in branches if end != tensor}
        ends = sorted(end for _, end in branches)
        merge_ops = [self.consumers[end][0] for _, end in branches if end != tensor]
        if len(merges) != 1 or any(len(self.consumers[e]) != 1 for _, e in branches if e != tensor):
            return None
        merge = merge_ops[0]
        if not merge.is_merge or sorted(merge.inputs) != ends:
            return None
        if tensor in merge.inputs and len(self.consumers[tensor]) - len(sides) != len(branches):
            return None
        order = {src: i for i, src in enumerate(merge.inputs)}
        branches.sort(key=lambda b: order[b[1]])
        return [*sides, _Parallel(merge, tensor, [chain for chain, _ in branches])]

    def chain(self, first: Op) -> tuple[list[Any], str] | None:
        """``first`` and what follows it while each row has one reader; nested regions included."""
        if len(first.inputs) != 1:
            return None
        items: list[Any] = [first]
        tensor = first.name
        while True:
            if tensor in self.outputs:
                return items, tensor
            readers = self.consumers[tensor]
            if len(readers) == 1 and not readers[0].is_merge and len(readers[0].inputs) == 1:
                items.append(readers[0])
                tensor = readers[0].name
            elif len(readers) <= 1:
                return items, tensor
            else:
                region = self.region(tensor)
                if region is None:
                    return None
                items.extend(region)
                tensor = region[-1].merge.name

    def covered(self, region: Sequence[Any]) -> set[str]:
        names: set[str] = set()
        for item in region:
            if isinstance(item, Op):
                names.add(item.name)
            elif isinstance(item, _Side):
                names |= self.covered(item.items)
            else:
                names.add(item.merge.name)
                for branch in item.branches:
                    names |= self.covered(branch)
        return names


def _side_ends(items: Sequence[Any]) -> set[str]:
    """The operations whose outputs a ``side`` makes a network output."""
    ends: set[str] = set()
    for item in items:
        if isinstance(item, _Side):
            ends.add(_output_of(item.items[-1]))
            ends |= _side_ends(item.items)
        elif isinstance(item, _Parallel):
            for branch in item.branches:
                ends |= _side_ends(branch)
    return ends


def _output_of(item: Op | _Parallel | _Side) -> str:
    if isinstance(item, Op):
        return item.name
    if isinstance(item, _Parallel):
        return item.merge.name
    return item.source  # a side passes its input on


def _rows(items: Sequence[Any], previous: str, outputs: set[str]) -> list[Any]:
    """Spec rows for ``items`` read in order from ``previous``: ``from:`` only where a row reads
    something else."""
    rows: list[Any] = []
    for item in items:
        if isinstance(item, _Side):
            body = {"name": item.name, "layers": _rows(item.items, item.source, outputs)}
            rows.append({"side": _with_from(body, [item.source], previous)})
            continue
        if isinstance(item, _Parallel):
            body = {
                "name": clean_name(item.merge.name),
                "merge": item.merge.kind,
                "branches": [_rows(branch, item.source, outputs) for branch in item.branches],
            }
            rows.append({"parallel": _with_from(body, [item.source], previous)})
        else:
            args = {"name": clean_name(item.name), **item.args}
            rows.append(_layer_row(item.kind, _with_from(args, item.inputs, previous)))
        previous = _output_of(item)
    return rows


def _with_from(body: dict[str, Any], inputs: list[str], previous: str) -> dict[str, Any]:
    if inputs == [previous] and not (len(inputs) > 1):
        return body
    refs = [clean_name(i) for i in inputs]
    return {"name": body.pop("name"), "from": refs[0] if len(refs) == 1 else refs, **body}


def _layer_row(kind: str, args: dict[str, Any]) -> Any:
    return {kind: args} if args else kind


# ------------------------------------------------------------------------------------------------ blocks

_NUMERIC_ARGS = ("filters", "units", "stride", "kernel", "padding", "groups", "dilation")


def _extract_blocks(layers: list[Any]) -> dict[str, Any]:
    """Top-level parallels of one shape that recur, differing only in names and numbers, become one block.

    Each instance keeps its name (shortened to what all its rows' names begin with: ``inception_3a``);
    inside the block a row is named by what its names have in common across the instances
    (``inception_3a/1x1``, ``inception_3b/1x1`` → ``1x1``; ``res2a_branch1``, ``res3a_branch1`` →
    ``res_branch1``). A number that differs between instances becomes a parameter, one per distinct
    column of values (so two widths that are always equal share one)."""
    referenced = _referenced(layers)
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(layers):
        if isinstance(row, dict) and "parallel" in row and "from" not in row["parallel"]:
            row["parallel"] = _defaults(row["parallel"], add=True)
            groups.setdefault(json.dumps(_masked(row["parallel"]), sort_keys=True), []).append(i)
    blocks: dict[str, Any] = {}
    for where in groups.values():
        if len(where) < 2:
            continue
        bodies = []
        for i in where:
            body = dict(layers[i]["parallel"])
            own = body.pop("name")
            prefix = _common_prefix([*_names(body), own])
            bodies.append((own, prefix, _rename(body, _without_prefix(prefix))))
        per_position = list(zip(*(_names(body) for _, _, body in bodies), strict=True))
        shared = [_shared_name(names) for names in per_position]
        names: list[str | None] = list(shared)
        if len(set(shared)) != len(shared):  # no telling rows apart by their names: cnncalc numbers them
            names = [None] * len(shared)
        template = _rename(bodies[0][2], _in_order(names))
        columns: dict[tuple[str, ...], list[Any]] = {}
        numbered = [dict(_numbers(body)) for _, _, body in bodies]
        for path, _ in _numbers(template):
            values = [numbers[path] for numbers in numbered]
            if len(set(map(json.dumps, values))) > 1:
                columns[path] = values
        params: dict[str, tuple[str, ...]] = {}  # parameter → the first path with its column of values
        path_param: dict[tuple[str, ...], str] = {}
        for path, values in columns.items():
            same = next((p for p, first in params.items() if columns[first] == values), None)
            if same is None:
                same = _param_name(path, template, set(params))
                params[same] = path
            path_param[path] = same
        name = _block_name([own for own, _, _ in bodies], set(blocks))
        template = _defaults(_substitute(template, path_param), add=False)
        blocks[name] = {"params": list(params), "layers": [{"parallel": template}]}
        taken = {_name_of(row) for row in layers} | {own for own, _, _ in bodies}
        for i, (own, prefix, _), numbers in zip(where, bodies, numbered, strict=True):
            short = prefix.rstrip("_/.-")
            if own in referenced or not short or short in taken or not _PLAIN.match(short):
                short = own
            taken.add(short)
            layers[i] = {name: {"name": short, **{p: numbers[path] for p, path in params.items()}}}
    for i, row in enumerate(layers):
        if isinstance(row, dict) and "parallel" in row:
            layers[i] = {"parallel": _defaults(row["parallel"], add=False)}
    return blocks


_CONV_DEFAULTS = {"stride": 1, "padding": 0}


def _defaults(body: Any, add: bool) -> Any:
    """Write out (``add``) or leave out a conv's default stride and padding, so that instances which
    differ only in a stride line up."""
    if isinstance(body, list):
        return [_defaults(x, add) for x in body]
    if isinstance(body, dict):
        out = {}
        for key, value in body.items():
            if key in ("conv", "deconv") and isinstance(value, dict):
                value = dict(value)
                for arg, default in _CONV_DEFAULTS.items():
                    if add:
                        value.setdefault(arg, default)
                    elif value.get(arg) == default:
                        del value[arg]
                out[key] = value
            else:
                out[key] = _defaults(value, add)
        return out
    return body


def _without_prefix(prefix: str) -> Callable[[str], str | None]:
    return lambda name: name[len(prefix) :] or name


def _in_order(names: list[str | None]) -> Callable[[str], str | None]:
    queue = iter(names)
    return lambda _old: next(queue)


def _names(body: Any) -> list[str]:
    if isinstance(body, list):
        return [n for x in body for n in _names(x)]
    if isinstance(body, dict):
        return [n for k, v in body.items() for n in ([v] if k == "name" and isinstance(v, str) else _names(v))]
    return []


def _rename(body: Any, how: Callable[[str], str | None]) -> Any:
    if isinstance(body, list):
        return [_rename(x, how) for x in body]
    if isinstance(body, dict):
        out = {k: how(v) if k == "name" and isinstance(v, str) else _rename(v, how) for k, v in body.items()}
        return {k: v for k, v in out.items() if v is not None}
    return body


def _common_prefix(names: Sequence[str]) -> str:
    """What all ``names`` begin with, cut back to a separator (``_``) so no word is split."""
    if not names:
        return ""
    prefix = names[0]
    for other in names[1:]:
        while not other.startswith(prefix):
            prefix = prefix[:-1]
    cut = max(prefix.rfind(sep) for sep in "_.-")
    return prefix[: cut + 1] if cut >= 0 else ""


def _shared_name(names: Sequence[str]) -> str:
    """The part of one row's names that is the same in every instance: common prefix + common suffix."""
    first = names[0]
    if all(n == first for n in names):
        return first
    start = 0
    while all(len(n) > start and n[start] == first[start] for n in names):
        start += 1
    end = 0
    while all(len(n) - end > start and n[len(n) - end - 1] == first[len(first) - end - 1] for n in names):
        end += 1
    joined = first[:start] + first[len(first) - end :]
    return re.sub(r"([_.-])[_.-]+", r"\1", joined).strip("_.-") or first


def _numbers(body: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found: list[tuple[tuple[str, ...], Any]] = []
    if isinstance(body, list):
        for i, x in enumerate(body):
            found += _numbers(x, (*path, str(i)))
    elif isinstance(body, dict):
        for key, value in body.items():
            if key in _NUMERIC_ARGS and path:
                found.append(((*path, key), value))
            else:
                found += _numbers(value, (*path, key))
    return found


def _masked(body: Any) -> Any:
    if isinstance(body, list):
        return [_masked(x) for x in body]
    if isinstance(body, dict):
        return {k: ("#" if k in _NUMERIC_ARGS else _masked(v)) for k, v in body.items() if k != "name"}
    return body


def _substitute(body: Any, path_param: Mapping[tuple[str, ...], str], path: tuple[str, ...] = ()) -> Any:
    if isinstance(body, list):
        return [_substitute(x, path_param, (*path, str(i))) for i, x in enumerate(body)]
    if isinstance(body, dict):
        return {
            k: f"${path_param[key]}" if key in path_param else _substitute(v, path_param, key)
            for k, v in body.items()
            for key in [(*path, k)]
        }
    return body


def _param_name(path: tuple[str, ...], template: Any, taken: set[str]) -> str:
    """``filters`` of the layer named ``1x1`` → ``n1x1``; ``stride`` of ``branch2a`` → ``branch2a_stride``."""
    arg = path[-1]
    body = template
    for step in path[:-1]:
        body = body[int(step)] if isinstance(body, list) else body[step]
    layer = body.get("name") if isinstance(body, dict) else None
    base = arg if layer is None else layer if arg in ("filters", "units") else f"{layer}_{arg}"
    base = re.sub(r"\W", "_", base)
    if not base[:1].isalpha():
        base = "n" + base
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    return name


def _block_name(names: Sequence[str], taken: set[str]) -> str:
    prefix = names[0]
    for other in names[1:]:
        while not other.startswith(prefix):
            prefix = prefix[:-1]
    prefix = re.sub(r"\W", "_", prefix.rstrip("_.-0123456789")).strip("_")  # a block's name is an identifier
    base = prefix if prefix[:1].isalpha() else "block"
    name, n = base, 1
    while name in taken or name in names:
        n += 1
        name = f"{base}{n}"
    return name


# ----------------------------------------------------------------------------------------------- repeats


def _repeats(layers: list[Any]) -> list[Any]:
    """Runs of identical consecutive rows (names aside) become ``repeat``; rows referenced by ``from:``
    elsewhere keep their own rows, since a repeat renames its copies."""
    referenced = _referenced(layers)
    out: list[Any] = []
    i = 0
    while i < len(layers):
        best = (1, 1)  # (period, copies)
        for period in range(1, 5):
            window = layers[i : i + period]
            if len(window) < period or any(_name_of(r) in referenced for r in window):
                continue
            key = _anonymous(window)
            copies = 1
            while (
                _anonymous(layers[i + copies * period : i + (copies + 1) * period]) == key
                and not any(_name_of(r) in referenced for r in layers[i + copies * period : i + (copies + 1) * period])
                and len(layers[i + copies * period : i + (copies + 1) * period]) == period
            ):
                copies += 1
            if copies >= 2 and copies * period > best[0] * best[1] and _has_weights(window):
                best = (period, copies)
        period, copies = best
        if copies >= 2:
            first = _name_of(layers[i]) or "repeat"
            last = _name_of(layers[i + period * copies - period]) or first
            body = [_unnamed(r) for r in layers[i : i + period]]
            out.append({"repeat": {"name": _span_name(first, last), "times": copies, "layers": body}})
            i += period * copies
        else:
            out.append(layers[i])
            i += 1
    return out


def _span_name(first: str, last: str) -> str:
    """``fire2_squeeze1x1`` … ``fire3_squeeze1x1`` → ``fire2_to_fire3``: an ending the two names share
    (from a separator on) says nothing about the span."""
    same = 0
    while same < min(len(first), len(last)) and first[-1 - same] == last[-1 - same]:
        same += 1
    shared = first[len(first) - same :]
    cuts = [shared.find(sep) for sep in "_.-" if sep in shared]
    drop = len(shared) - min(cuts) if cuts else 0
    if 0 < drop < min(len(first), len(last)):
        first, last = first[:-drop], last[:-drop]
    return f"{first}_to_{last}"


def _name_of(row: Any) -> str | None:
    if isinstance(row, dict):
        (body,) = row.values()
        if isinstance(body, dict):
            name = body.get("name")
            return name if isinstance(name, str) else None
    return None


def _unnamed(row: Any) -> Any:
    if isinstance(row, dict):
        ((kind, body),) = row.items()
        if isinstance(body, dict):
            rest = {k: v for k, v in body.items() if k != "name"}
            return {kind: rest} if rest else kind
    return row


def _anonymous(rows: Sequence[Any]) -> str:
    return json.dumps([_unnamed(r) for r in rows], sort_keys=True)


def _has_weights(rows: Sequence[Any]) -> bool:
    return any(isinstance(r, dict) and not (set(r) <= {"relu", "dropout"}) for r in rows)


def _referenced(body: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(body, list):
        for x in body:
            found |= _referenced(x)
    elif isinstance(body, dict):
        for key, value in body.items():
            if key == "from":
                found |= set([value] if isinstance(value, str) else value)
            else:
                found |= _referenced(value)
    return found


# ------------------------------------------------------------------------------------------------- YAML

_PLAIN = re.compile(r"[A-Za-z0-9_$][A-Za-z0-9_.$/-]*\Z")
_NUMBERISH = re.compile(r"[-+]?(\.?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|0[xob][0-9a-fA-F_]+|\.inf|\.nan)\Z")
_WORDS = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"}


def scalar(value: Any) -> str:
    """One YAML scalar, quoted (as JSON, which YAML reads) unless it is plainly the text it is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if value is None:
        return "null"
    text = str(value)
    if _PLAIN.match(text) and not _NUMBERISH.match(text) and text.lower() not in _WORDS:
        return text
    return json.dumps(text, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


def to_yaml(spec: Mapping[str, Any]) -> str:
    lines: list[str] = []
    for key, value in spec.items():
        if key in ("description", "source"):
            lines.append(f"{key}: {scalar(value)}")
        elif key == "blocks":
            lines.append("blocks:")
            for name, block in value.items():
                lines.append(f"  {scalar(name)}:")
                lines.append(f"    params: {_flow(block['params'])}")
                lines.append("    layers:")
                _rows_yaml(block["layers"], 6, lines)
        elif key == "layers":
            lines.append("layers:")
            _rows_yaml(value, 2, lines)
        else:
            lines.append(f"{key}: {_flow(value)}")
    return "\n".join(lines) + "\n"


def _rows_yaml(rows: Sequence[Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for row in rows:
        if isinstance(row, dict):
            ((kind, body),) = row.items()
            if kind in ("parallel", "repeat", "side"):
                lines.append(f"{pad}- {kind}:")
                for key, value in body.items():
                    if key == "branches":
                        lines.append(f"{pad}    branches:")
                        for branch in value:
                            if not branch:
                                lines.append(f"{pad}      - []")
                                continue
                            sub: list[str] = []
                            _rows_yaml(branch, indent + 8, sub)
                            sub[0] = f"{pad}      - " + sub[0].lstrip()
                            lines.extend(sub)
                    elif key == "layers":
                        lines.append(f"{pad}    layers:")
                        _rows_yaml(value, indent + 6, lines)
                    else:
                        lines.append(f"{pad}    {key}: {_flow(value)}")
                continue
            lines.append(f"{pad}- {scalar(kind)}: {_flow(body)}" if body else f"{pad}- {scalar(kind)}")
        else:
            lines.append(f"{pad}- {scalar(row)}")
