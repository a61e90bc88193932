"""The spec language: plain data (from YAML, JSON or Python) → a validated, expanded layer tree.

This module knows nothing of YAML. The loader hands it the parsed document and a :class:`SourceMap`
that turns a data path such as ``("layers", 3, "conv", "stride")`` into a file position; from Python
the map is empty and errors name the data path instead.

Expansion happens here, once: blocks are instantiated with their ``$parameters`` substituted, repeats are
unrolled, and every layer gets its name and full path (``inception_3a/b2/conv2``). The analysis then only
walks the tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Protocol

from .args import AmbiguousScalar, ArgInfo, ArgProblem, Choice, Int, Text, kind_of, show, suggest, unsafe_character
from .checks import Checks, parse_checks
from .derivation import dims
from .errors import DataPath, Diagnostic, Location, SpecError
from .expansion import TooLarge, bare_parallel, check_expansion
from .expressions import ExpressionError, bound_values, evaluate, is_expression, names
from .layers import ALIASES, MERGES, Layer, Shape, lookup
from .layers.base import Rank
from .record import record

# Expanded layers (and merges) in one spec: the row limit, which bounds every command's time and memory
# (README, "Limits": derived from the cost per row that benchmarks/bench.py measures).
MAX_LAYERS = 100_000
MAX_ERRORS = 20  # independent problems reported at once
MAX_INPUT_RANK = 4  # [C, D, H, W]
STRUCTURAL = ("parallel", "repeat", "side")
REQUIRED = ("input", "layers")  # and "name" where no default name is known (see parse_spec)
FROM = "from"  # the key by which any item reads an earlier row instead of the previous one
INPUT_NAME = "input"  # what `from:` and `outputs:` call the network's input
FROM_DOC = (
    "the earlier row (or block instance, parallel, repeat or side) whose output this reads instead of the "
    "previous row's: a name in this scope or an enclosing one, a path a/b/c, /a/b from the top level, or input"
)
MERGE_FROM_DOC = "two or more earlier rows to combine: names, paths a/b/c or /a/b, or input"
# The keys of the structural items, shared by the parser and the JSON Schema (cnncalc.schema).
PARALLEL_KEYS: dict[str, str] = {
    "name": "the parallel's name (default parallel1, parallel2, …)",
    FROM: FROM_DOC,
    "merge": "how the branch outputs are combined into one",
    "branches": "a list of at least two branches, each a list of layers; [] is the identity",
}
REPEAT_KEYS: dict[str, str] = {
    "name": "the repeat's name (default repeat1, …); its copies are named 1, 2, …",
    FROM: FROM_DOC,
    "times": "how many copies of the layers to stack",
    "layers": "the layers to repeat",
}
SIDE_KEYS: dict[str, str] = {
    "name": "the side output's name (default side1, …)",
    FROM: FROM_DOC,
    "layers": "the head's layers; they read the tensor at this point, and the main path goes on from it",
}
BLOCK_KEYS: dict[str, str] = {
    "params": "parameter names, or a mapping of name → default (~ for required)",
    "layers": "the block's layers; `$param` stands for an argument's value",
    "description": "what the block is (text)",
}
MERGE = Choice(tuple(MERGES))
TIMES = Int()
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_PARAM_REF = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\Z")


class SourceMap(Protocol):
    """Where each value of the parsed document was written."""

    file: str | None

    def locate(self, path: DataPath, key: bool = False) -> Location | None: ...


class NoSource:
    """The source map of a spec given as Python data: no positions, errors name data paths."""

    def __init__(self, file: str | None = None) -> None:
        self.file = file

    def locate(self, path: DataPath, key: bool = False) -> Location | None:
        return None


def where(path: DataPath) -> str:
    """``layers[3].conv.stride`` — a data path as a user would write it."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<document>"


# ------------------------------------------------------------------------------------------ the tree


@record
class Instance:
    """A block instance a node was expanded from: shown as a note in errors inside the block."""

    block: str
    path: str
    origin: DataPath


class ArgOrigins(Mapping[str, DataPath]):
    """Where each argument of a layer was written, built when asked (only errors ask): ``(*at, name)`` in the
    layer's own mapping, unless the value came from a block parameter (``moved``: where that is written).

    A dict of paths took 150–300 bytes a row; rows share ``names`` and, mostly, the empty ``moved``.
    """

    __slots__ = ("at", "moved", "names")

    def __init__(self, at: DataPath, names: tuple[str, ...], moved: Mapping[str, DataPath]) -> None:
        self.at = at
        self.names = names
        self.moved = moved

    def __getitem__(self, key: str) -> DataPath:
        moved = self.moved.get(key)
        if moved is not None:
            return moved
        if key in self.names:
            return (*self.at, key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return repr(dict(self))


_NOTHING_MOVED: Mapping[str, DataPath] = MappingProxyType({})
_NO_ARGUMENTS = ArgOrigins((), (), _NOTHING_MOVED)  # shared by every layer written without arguments


@record
class LayerNode:
    """One layer of a known kind with validated arguments."""

    name: str
    path: str
    layer: Layer
    written_as: str  # the type name in the spec (an alias such as conv2d, or the kind)
    rank: Rank  # spatial rank(s) an alias demands (conv2d → 2, batchnorm1d → (0, 1)), or None
    origin: DataPath
    arg_origins: Mapping[str, DataPath]
    context: tuple[Instance, ...] = ()
    source: str | None = None  # the node path `from:` names ("input" for the network input), else None
    refs: tuple[tuple[str, str], ...] = ()  # (argument, node path) for arguments naming rows (crop's like)

    @property
    def type(self) -> str:
        return self.layer.kind


@record
class GroupNode:
    """A sequence with a name of its own: a block instance, a repeat, one repeat copy, a branch, or a
    side output.

    A side output (``type == "side"``) takes the tensor at its position, runs its layers, and ends as an
    extra network output; the layer after it sees the side's *input*, so the main path is unchanged.
    """

    name: str
    path: str
    type: str  # block name, "repeat", "copy", "branch" or "side"
    children: tuple[Node, ...]
    origin: DataPath
    details: str = ""
    context: tuple[Instance, ...] = ()
    source: str | None = None  # see LayerNode.source

    @property
    def is_side(self) -> bool:
        return self.type == "side"  # blocks cannot be named like a structural keyword


@record
class ParallelNode:
    """Branches applied to the same input, merged into one output by ``merge``."""

    name: str
    path: str
    type: str  # "parallel", or the block name when a block's whole body is this parallel
    merge: str
    branches: tuple[GroupNode, ...]
    origin: DataPath
    merge_origin: DataPath
    context: tuple[Instance, ...] = ()
    source: str | None = None  # see LayerNode.source

    @property
    def merge_path(self) -> str:
        return f"{self.path}/{self.merge}"


@record
class MergeNode:
    """A standalone ``concat``/``add``/``mul`` row combining two or more earlier rows named by ``from:``."""

    name: str
    path: str
    merge: str
    sources: tuple[str, ...]  # node paths ("input" for the network input)
    origin: DataPath
    context: tuple[Instance, ...] = ()

    @property
    def type(self) -> str:
        return self.merge


Node = LayerNode | GroupNode | ParallelNode | MergeNode


@record
class BlockDef:
    name: str
    params: tuple[str, ...]
    defaults: Mapping[str, object]
    layers: Sequence[object]
    path: DataPath
    description: str | None = None


@dataclass(frozen=True, eq=False)
class Spec:
    """A validated network description, ready for :func:`cnncalc.analysis.analyze`."""

    name: str
    input_shape: Shape
    layers: tuple[Node, ...]
    description: str | None = None
    source: str | None = None
    blocks: Mapping[str, BlockDef] = field(default_factory=dict)
    warnings: tuple[tuple[str, str], ...] = ()  # (where, message) found while parsing
    source_map: SourceMap = field(default_factory=NoSource)
    document: Mapping[str, Any] = field(default_factory=dict)
    checks: Checks = field(default_factory=Checks)  # the optional `checks:` section (cnncalc.checks)
    outputs: tuple[str, ...] = ()  # node paths the `outputs:` section names; () means the last row
    output_origins: tuple[DataPath, ...] = ()

    @property
    def file(self) -> str | None:
        return self.source_map.file

    def locate(self, path: DataPath, key: bool = False) -> Location | None:
        return self.source_map.locate(path, key)

    def diagnostic(
        self,
        message: str,
        path: DataPath,
        *,
        hint: str | None = None,
        layer: str | None = None,
        key: bool = False,
        context: Sequence[Instance] = (),
    ) -> Diagnostic:
        return make_diagnostic(self.source_map, message, path, hint=hint, layer=layer, key=key, context=context)

    def __repr__(self) -> str:
        return f"<Spec {self.name!r}: input {dims(self.input_shape)}, {len(self.layers)} top-level layers>"


def make_diagnostic(
    source_map: SourceMap,
    message: str,
    path: DataPath,
    *,
    hint: str | None = None,
    layer: str | None = None,
    key: bool = False,
    context: Sequence[Instance] = (),
) -> Diagnostic:
    location = source_map.locate(path, key)
    notes = []
    for inst in reversed(context):
        loc = source_map.locate(inst.origin, key=True)
        at = str(loc) if loc is not None else where(inst.origin)
        notes.append(f"in block '{inst.block}' instantiated as {inst.path} at {at}")
    return Diagnostic(
        message,
        hint,
        location=location,
        layer=layer,
        where=None if location is not None else where(path),
        file=source_map.file,
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------------------- parsing


class _Abort(Exception):
    """One problem that stops parsing of the current item; collected, then parsing goes on."""

    def __init__(self, *diagnostics: Diagnostic) -> None:
        super().__init__(diagnostics[0].message)
        self.diagnostics = diagnostics


Bindings = Mapping[str, tuple[object, DataPath]]


@dataclass(slots=True)
class _Scan:
    """What :meth:`_Parser.scan_value` carries through a block body: the block, its parameters, those used,
    and how many more values it looks at (a body can be a large aliased structure)."""

    block: str
    params: set[str]
    used: set[str]
    budget: int = 100_000


@dataclass(slots=True)
class _Scope:
    prefix: str
    parent: _Scope | None = None  # the scope a `from:` name is looked up in next
    counters: dict[str, int] = field(default_factory=dict)
    names: dict[str, DataPath] = field(default_factory=dict)

    def join(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def chain(self) -> list[_Scope]:
        """This scope, then each enclosing one outward."""
        scopes: list[_Scope] = []
        scope: _Scope | None = self
        while scope is not None:
            scopes.append(scope)
            scope = scope.parent
        return scopes


@record
class _Unresolved:
    """A `from:` or `outputs:` name not found when it was read: reported once the whole spec is parsed, as a
    forward reference if it was defined later, else as unknown."""

    text: str
    origin: DataPath
    scope: _Scope
    target: str | None  # the full path it would be, when its first component was found
    in_scope: tuple[str, ...]
    ctx: _Ctx


@record
class _Ctx:
    scope: _Scope
    env: Bindings | None  # block parameters in force, None outside blocks
    context: tuple[Instance, ...]
    block: str | None  # the block whose body is being expanded


TOP_LEVEL: dict[str, str] = {
    "name": "the network's name (default: the file's name without its extension; stdin for standard input)",
    "description": "what the network is (text)",
    "source": "where the architecture comes from (paper, repository)",
    "input": "input shape, channels first: [C], [C, L], [C, H, W] or [C, D, H, W]",
    "layers": "the layers, in order",
    "outputs": "the rows that are the network's outputs (default: the last row); names or paths",
    "blocks": "reusable blocks: NAME: {params: [...], layers: [...]}",
    "checks": "budgets and expectations for `cnncalc check`: max_params: 7M, output_shape: [1000], …",
}


def parse_spec(data: object, source_map: SourceMap | None = None, default_name: str | None = None) -> Spec:
    """Validate a spec document (a mapping, as loaded from YAML) and expand it into a :class:`Spec`.

    ``default_name`` is the network's name when the document has none (the file's stem); without one,
    ``name`` is required. Raises :class:`SpecError` listing every independent problem found (up to a limit).
    """
    return _Parser(source_map or NoSource(), default_name).spec(data)


class _Parser:
    def __init__(self, source_map: SourceMap, default_name: str | None = None) -> None:
        self.src = source_map
        self.default_name = default_name
        self.errors: list[Diagnostic] = []
        self.warnings: list[tuple[str, str]] = []
        self.blocks: dict[str, BlockDef] = {}
        self.cyclic: set[str] = set()  # reported once; never expanded
        self.broken: set[str] = set()  # blocks whose definition failed: reported once, uses skipped
        self.expanded = 0
        self.paths: dict[str, DataPath] = {}  # every node path claimed so far → where it is written
        self.layers: dict[Hashable, Layer] = {}  # built layers by kind and argument values (see _layer_key)
        self.arg_names: dict[tuple[str, ...], tuple[str, ...]] = {}  # the argument names layers write, shared
        self.unresolved: list[_Unresolved] = []
        self.top = _Scope("")

    # -- reporting

    def diag(
        self,
        message: str,
        path: DataPath,
        hint: str | None = None,
        *,
        layer: str | None = None,
        key: bool = False,
        ctx: _Ctx | None = None,
    ) -> Diagnostic:
        return make_diagnostic(
            self.src, message, path, hint=hint, layer=layer, key=key, context=ctx.context if ctx else ()
        )

    def abort(self, message: str, path: DataPath, hint: str | None = None, **kw: Any) -> _Abort:
        return _Abort(self.diag(message, path, hint, **kw))

    def collect(self, exc: _Abort) -> None:
        self.errors.extend(exc.diagnostics)
        if len(self.errors) >= MAX_ERRORS:
            raise SpecError(self.errors)

    def attempt(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except _Abort as exc:
            self.collect(exc)
            return None

    # -- the document

    def spec(self, data: object) -> Spec:
        if not isinstance(data, dict):
            raise SpecError(
                [
                    self.diag(
                        f"a spec is a mapping with name, input and layers, got {kind_of(data)}",
                        (),
                        "start the file with `name: my-net`, then `input: [3, 224, 224]` and `layers:`",
                    )
                ]
            )
        for key in data:
            if key not in TOP_LEVEL:
                hint = (suggest(key, list(TOP_LEVEL)) if isinstance(key, str) else None) or (
                    "the top level takes " + ", ".join(TOP_LEVEL)
                )
                self.errors.append(self.diag(f"unknown top-level key {show(key)}", (key,), hint, key=True))
        for required in REQUIRED if self.default_name is not None else ("name", *REQUIRED):
            if required not in data:
                self.errors.append(
                    self.diag(f"the spec has no '{required}'", (), f"add `{required}:` ({TOP_LEVEL[required]})")
                )
        name = self.attempt(lambda: self.text(data, "name")) if "name" in data else self.default_name
        description = (
            self.attempt(lambda: self.text(data, "description", lines=True)) if "description" in data else None
        )
        source = self.attempt(lambda: self.text(data, "source", lines=True)) if "source" in data else None
        shape = self.attempt(lambda: self.input_shape(data["input"])) if "input" in data else None
        if "blocks" in data:
            self.attempt(lambda: self.block_defs(data["blocks"]))
        checks, problems = parse_checks(data["checks"]) if "checks" in data else (Checks(), ())
        self.errors.extend(self.diag(p.message, p.path, p.hint, key=p.key) for p in problems)
        layers: tuple[Node, ...] = ()
        if "layers" in data:
            self.check_expansion(data["layers"])
            try:
                layers = self.top_layers(data["layers"])
            except RecursionError:
                self.errors.append(self.diag("the spec nests too deeply to expand", ("layers",), "flatten the nesting"))
        outputs: tuple[tuple[str, DataPath], ...] = ()
        if "outputs" in data:
            outputs = self.attempt(lambda: self.outputs(data["outputs"])) or ()
        self.report_unresolved()
        if self.errors:
            raise SpecError(self.errors)
        assert name is not None and shape is not None
        return Spec(
            name=name,
            input_shape=shape,
            layers=layers,
            description=description,
            source=source,
            blocks=dict(self.blocks),
            warnings=tuple(self.warnings),
            source_map=self.src,
            document=data,
            checks=checks,
            outputs=tuple(p for p, _ in outputs),
            output_origins=tuple(o for _, o in outputs),
        )

    def text(self, data: Mapping[str, object], key: str, lines: bool = False) -> str:
        try:
            return Text(lines).parse(data[key])
        except ArgProblem as exc:
            raise self.abort(f"{key}: {exc.message}", (key,), exc.hint) from None

    def input_shape(self, value: object) -> Shape:
        path: DataPath = ("input",)
        hint = "write the shape channels first: [3, 224, 224] (2-D), [1, 16000] (1-D) or [3, 16, 112, 112] (3-D)"
        if not isinstance(value, list) or not value:
            raise self.abort(f"input must be a list of sizes, got {show(value)} ({kind_of(value)})", path, hint)
        if len(value) > MAX_INPUT_RANK:
            raise self.abort(
                f"input has {len(value)} dimensions; cnncalc takes at most {MAX_INPUT_RANK} "
                "(channels and up to 3 spatial axes), without the batch dimension",
                path,
                "drop the batch dimension; use --batch for batch size",
            )
        dims = []
        for i, item in enumerate(value):
            try:
                dims.append(Int().parse(item))
            except ArgProblem as exc:
                raise self.abort(f"input dimension {i + 1}: {exc.message}", (*path, i), exc.hint) from None
        return tuple(dims)

    # -- blocks

    def block_defs(self, value: object) -> None:
        path: DataPath = ("blocks",)
        if not isinstance(value, dict):
            raise self.abort(
                f"blocks must be a mapping of block name to definition, got {kind_of(value)}",
                path,
                "write `blocks:` then `  my_block: {params: [width], layers: [...]}`",
            )
        for name, body in value.items():
            try:
                self.block_def(name, body)
            except _Abort as exc:
                self.collect(exc)
                if isinstance(name, str):
                    self.broken.add(name)  # its uses would each say "unknown layer type"
        self.check_block_cycles()

    def block_def(self, name: object, body: object) -> None:
        path: DataPath = ("blocks", name)
        if not isinstance(name, str) or not _IDENT.match(name):
            raise self.abort(f"block name {show(name)} must be an identifier (letters, digits, _)", path, key=True)
        if name in ALIASES or name in STRUCTURAL or name in MERGES:
            raise self.abort(f"block name '{name}' is already a layer type", path, "rename the block", key=True)
        if not isinstance(body, dict):
            raise self.abort(
                f"block '{name}' must be a mapping with params and layers, got {kind_of(body)}",
                path,
                f"write `{name}: {{params: [p1, p2], layers: [...]}}`",
            )
        for key in body:
            if key not in BLOCK_KEYS:
                raise self.abort(
                    f"unknown key {show(key)} in block '{name}'",
                    (*path, key),
                    suggest(str(key), list(BLOCK_KEYS)) or "a block takes " + ", ".join(BLOCK_KEYS),
                    key=True,
                )
        if "layers" not in body:
            raise self.abort(f"block '{name}' has no layers", path, "add `layers: [...]`")
        layers = body["layers"]
        if not isinstance(layers, list) or not layers:
            raise self.abort(
                f"the layers of block '{name}' must be a non-empty list, got {show(layers)}", (*path, "layers")
            )
        params, defaults = self.block_params(name, body.get("params", []), (*path, "params"))
        description = None
        if "description" in body:
            try:
                description = Text(lines=True).parse(body["description"])
            except ArgProblem as exc:
                raise self.abort(f"description: {exc.message}", (*path, "description"), exc.hint) from None
        self.blocks[name] = BlockDef(name, params, defaults, layers, path, description)
        used = self.scan_refs(layers, (*path, "layers"), name, set(params))
        for param in params:
            if param not in used:
                self.warnings.append((where((*path, "params")), f"block '{name}' never uses its parameter '{param}'"))

    def block_params(self, block: str, value: object, path: DataPath) -> tuple[tuple[str, ...], dict[str, object]]:
        if isinstance(value, list):
            names, defaults = value, {}
        elif isinstance(value, dict):
            names = list(value)
            defaults = {k: v for k, v in value.items() if v is not None}
        else:
            raise self.abort(
                f"params of block '{block}' must be a list of names or a mapping of name to default, "
                f"got {kind_of(value)}",
                path,
            )
        seen: list[str] = []
        for i, param in enumerate(names):
            at = (*path, param) if isinstance(value, dict) else (*path, i)
            if not isinstance(param, str) or not _IDENT.match(param):
                raise self.abort(f"parameter name {show(param)} must be an identifier", at, key=isinstance(value, dict))
            if param in ("name", FROM):
                raise self.abort(
                    f"'{param}' cannot be a block parameter: it is the key every item takes", at, "choose another name"
                )
            if param in seen:
                raise self.abort(f"parameter '{param}' is listed twice", at)
            seen.append(param)
        return tuple(seen), defaults

    # The walks below recurse through methods, not nested functions: a nested function that calls itself is a
    # reference cycle holding the parser, which the CLI (its cyclic collector off) would keep to the end.

    def scan_refs(self, items: object, path: DataPath, block: str, params: set[str]) -> set[str]:
        """Every ``$name`` in a block body; unknown ones are errors even if the block is never used."""
        used: set[str] = set()
        self.scan_value(items, path, 0, _Scan(block, params, used))
        return used

    def scan_value(self, value: object, at: DataPath, depth: int, scan: _Scan) -> None:
        scan.budget -= 1
        if scan.budget < 0 or depth > 12:
            return
        if isinstance(value, str):
            refs = names(value) if _PARAM_REF.match(value) or is_expression(value) else []
            for ref in refs:
                if ref in scan.params:
                    scan.used.add(ref)
                else:
                    hint = suggest(ref, sorted(scan.params))
                    known = ", ".join(sorted(scan.params)) or "none"
                    raise self.abort(
                        f"${ref} is not a parameter of block '{scan.block}' (its parameters: {known})",
                        at,
                        hint or f"add {ref} to the params of block '{scan.block}'",
                    )
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.scan_value(item, (*at, i), depth + 1, scan)
        elif isinstance(value, dict):
            for k, item in value.items():
                self.scan_value(item, (*at, k), depth + 1, scan)

    def block_uses(self, items: object) -> list[tuple[str, DataPath]]:
        found: list[tuple[str, DataPath]] = []
        self.find_uses(items, 0, set(), found)  # a list repeated by YAML aliases is visited once
        return found

    def find_uses(self, value: object, depth: int, seen: set[int], found: list[tuple[str, DataPath]]) -> None:
        if depth > 12 or not isinstance(value, list) or id(value) in seen:
            return
        seen.add(id(value))
        for item in value:
            if isinstance(item, str) and item in self.blocks:
                found.append((item, ()))
            elif isinstance(item, dict) and len(item) == 1:
                ((kind, body),) = item.items()
                if kind in self.blocks:
                    found.append((kind, ()))
                elif kind in STRUCTURAL and isinstance(body, dict):
                    self.find_uses(body.get("layers"), depth + 1, seen, found)
                    branches = body.get("branches")
                    if isinstance(branches, list):
                        for branch in branches:
                            self.find_uses(branch, depth + 1, seen, found)

    def check_block_cycles(self) -> None:
        graph = {name: [b for b, _ in self.block_uses(d.layers)] for name, d in self.blocks.items()}
        state: dict[str, int] = {}
        for name in list(self.blocks):
            if state.get(name) is None:
                try:
                    self.visit_block(name, [name], graph, state)
                except _Abort as exc:
                    self.cyclic.update(b for b, s in state.items() if s == 1)
                    self.collect(exc)
                    return

    def visit_block(self, name: str, trail: list[str], graph: dict[str, list[str]], state: dict[str, int]) -> None:
        """Depth-first through the blocks ``name`` uses (state 1: on the way, 2: done); a cycle aborts."""
        state[name] = 1
        for used in graph.get(name, []):
            if state.get(used) == 1:
                cycle = [*trail[trail.index(used) :], used] if used in trail else [name, used]
                chain = " → ".join(cycle)
                raise self.abort(
                    f"block '{used}' uses itself: {chain}",
                    self.blocks[used].path,
                    "a block cannot contain itself, directly or through other blocks",
                    key=True,
                )
            if state.get(used) is None:
                self.visit_block(used, [*trail, used], graph, state)
        state[name] = 2

    # -- layers

    def check_expansion(self, layers: object) -> None:
        """Refuse a spec that would expand past ``MAX_LAYERS`` before expanding any of it."""
        try:
            check_expansion(layers, self.blocks, self.cyclic, MAX_LAYERS)
        except TooLarge as exc:
            self.errors.append(
                self.diag(
                    f"the spec expands to more than {MAX_LAYERS:,} layers: {exc.what} passes the limit",
                    exc.path,
                    "lower a repeat count or use blocks fewer times; cnncalc refuses larger expansions to stay fast",
                )
            )
            raise SpecError(self.errors) from None

    def top_layers(self, value: object) -> tuple[Node, ...]:
        path: DataPath = ("layers",)
        if not isinstance(value, list):
            raise SpecError(
                [
                    self.diag(
                        f"layers must be a list, got {kind_of(value)}",
                        path,
                        "write each layer on its own line starting with `- `, e.g. `- conv: {filters: 64, kernel: 3}`",
                    )
                ]
            )
        if not value:
            self.errors.append(self.diag("layers is empty", path, "add at least one layer"))
            return ()
        return self.sequence(value, path, _Ctx(self.top, None, (), None))

    def outputs(self, value: object) -> tuple[tuple[str, DataPath], ...]:
        path: DataPath = ("outputs",)
        if not isinstance(value, list) or not value:
            raise self.abort(
                f"outputs must be a non-empty list of row names, got {show(value)}",
                path,
                "write `outputs: [p4, p5]`: the rows whose outputs the network returns",
            )
        ctx = _Ctx(self.top, None, (), None)
        found: list[tuple[str, DataPath]] = []
        for i, item in enumerate(value):
            target = self.reference(item, (*path, i), ctx, key="outputs")
            if target == INPUT_NAME:
                raise self.abort("outputs: the network input is not an output", (*path, i), "name a row")
            if target in (p for p, _ in found):
                raise self.abort(f"outputs: '{item}' is listed twice", (*path, i))
            found.append((target, (*path, i)))
        return tuple(found)

    # -- references

    def reference(self, raw: object, origin: DataPath, ctx: _Ctx, own: object = None, key: str = FROM) -> str:
        """The node path an earlier-row reference names (see :data:`FROM_DOC`); ``own`` is the item's name."""
        value, origin = self.subst(raw, origin, ctx)
        if not isinstance(value, str) or not value.strip("/") or any(ch.isspace() for ch in value):
            raise self.abort(
                f"{key}: {show(value)} is not the name of a row",
                origin,
                "write the name of an earlier row, a path such as enc2/conv1, or input",
                ctx=ctx,
            )
        if value == INPUT_NAME:
            return INPUT_NAME
        if own is not None and value == own:
            raise self.abort(f"{key}: '{value}' is this row itself; a row reads only earlier rows", origin, ctx=ctx)
        parts = value.lstrip("/").split("/")
        if any(not part for part in parts):
            raise self.abort(f"{key}: '{value}' has an empty path component", origin, "write a/b/c", ctx=ctx)
        scopes = ctx.scope.chain()
        in_scope = tuple(n for s in scopes for n in s.names)
        target: str | None
        if value.startswith("/"):
            target = "/".join(parts)
        else:
            home = next((s for s in scopes if parts[0] in s.names), None)
            target = None if home is None else "/".join([home.join(parts[0]), *parts[1:]])
        if target is None or target not in self.paths:
            self.unresolved.append(_Unresolved(value, origin, ctx.scope, target, in_scope, ctx))
            return value
        here = ctx.scope.prefix
        if here == target or here.startswith(target + "/"):
            raise self.abort(
                f"{key}: '{value}' is {target}, which contains this row; a row reads only rows that ran before it",
                origin,
                "name a row inside it, or one before it",
                ctx=ctx,
            )
        return target

    def report_unresolved(self) -> None:
        for ref in self.unresolved:
            parts = ref.text.lstrip("/").split("/")
            later = ref.target in self.paths if ref.target is not None else False
            if not ref.text.startswith("/") and ref.target is None:
                home = next((s for s in ref.scope.chain() if parts[0] in s.names), None)
                later = home is not None and "/".join([home.join(parts[0]), *parts[1:]]) in self.paths
            names = [INPUT_NAME, *ref.in_scope]
            hint: str | None
            if later:
                message = f"'{ref.text}' is defined later; a row reads only earlier rows (a forward reference)"
                hint = "move the row it reads before this one"
            else:
                message = f"no earlier row '{ref.text}' is in scope here"
                elsewhere = sorted(p for p in self.paths if p.rsplit("/", 1)[-1] == parts[-1])
                hint = suggest(ref.text, names) or (
                    f"'{parts[-1]}' is {' and '.join(elsewhere)}: write its path"
                    + (" (the name is ambiguous)" if len(elsewhere) > 1 else "")
                    if elsewhere
                    else None
                )
            shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
            hint = (
                f"{hint} names in scope: {shown}"
                if hint and hint.endswith("?")
                else (f"{hint}; names in scope: {shown}" if hint else f"names in scope: {shown}")
            )
            self.errors.append(self.diag(message, ref.origin, hint, ctx=ref.ctx))

    def sequence(self, items: Sequence[object], path: DataPath, ctx: _Ctx) -> tuple[Node, ...]:
        nodes = []
        for i, item in enumerate(items):
            try:
                node = self.item(item, (*path, i), ctx)
            except _Abort as exc:
                self.collect(exc)
                continue
            if node is not None:
                nodes.append(node)
        return tuple(nodes)

    def item(self, item: object, path: DataPath, ctx: _Ctx) -> Node | None:
        body: object
        if isinstance(item, str):
            type_name, body, body_path = item, {}, path
        elif isinstance(item, dict) and len(item) == 1:
            ((type_name, body),) = item.items()
            body_path = (*path, type_name)
            if not isinstance(type_name, str):
                raise self.abort(f"a layer type must be a name, got {show(type_name)}", body_path, key=True, ctx=ctx)
            if body is None:
                body = {}
        elif isinstance(item, dict):
            keys = ", ".join(show(k) for k in item)
            raise self.abort(
                f"a layer is one `TYPE: {{args}}` entry, but this item has {len(item)} keys ({keys})",
                path,
                "indent the arguments under the type, e.g. `- conv: {filters: 64, kernel: 3}`",
                ctx=ctx,
            )
        else:
            raise self.abort(
                f"a layer is written `- relu` or `- conv: {{filters: 64, kernel: 3}}`, got {show(item)} "
                f"({kind_of(item)})",
                path,
                ctx=ctx,
            )
        if not isinstance(body, dict):
            raise self.abort(
                f"the arguments of {type_name} must be a mapping, got {show(body)} ({kind_of(body)})",
                body_path,
                f"write `- {type_name}: {{arg: value, ...}}`",
                ctx=ctx,
            )
        self.count(body_path)
        if type_name in MERGES:
            return self.merge(type_name, body, body_path, ctx)
        source: str | None = None
        if FROM in body:
            source = self.reference(body[FROM], (*body_path, FROM), ctx, own=body.get("name"))
            body = {k: v for k, v in body.items() if k != FROM}
        node = self.dispatch(type_name, body, path, body_path, ctx)
        return node if source is None or node is None else replace(node, source=source)

    def dispatch(
        self, type_name: str, body: Mapping[object, object], path: DataPath, body_path: DataPath, ctx: _Ctx
    ) -> LayerNode | GroupNode | ParallelNode | None:
        if type_name == "parallel":
            return self.parallel(body, body_path, ctx)
        if type_name == "repeat":
            return self.repeat(body, body_path, ctx)
        if type_name == "side":
            return self.side(body, body_path, ctx)
        if type_name in self.cyclic or type_name in self.broken:
            return None
        if type_name in self.blocks:
            return self.block_call(type_name, body, body_path, ctx)
        found = lookup(type_name)
        if found is None:
            names = [*ALIASES, *STRUCTURAL, *self.blocks]
            hint = suggest(type_name, names) or "known layer types: " + ", ".join(sorted({*STRUCTURAL, *_kinds()}))
            if self.blocks and not any(f"'{block}'" in hint for block in self.blocks):
                hint += ("" if hint.endswith("?") else ";") + " blocks defined here: " + ", ".join(self.blocks)
            raise self.abort(
                f"unknown layer type '{type_name}'", body_path if body_path != path else path, hint, key=True, ctx=ctx
            )
        cls, rank = found
        name, layer_path = self.claim(body, body_path, cls.kind, ctx)
        layer, origins = self.build(cls, type_name, body, body_path, ctx, layer_path)
        refs = (
            tuple(
                (key, self.reference(getattr(layer, key), origins[key], ctx, own=name, key=key))
                for key in cls.references
                if getattr(layer, key) is not None
            )
            if cls.references
            else ()
        )
        return LayerNode(name, layer_path, layer, type_name, rank, body_path, origins, ctx.context, refs=refs)

    def merge(self, kind: str, body: Mapping[object, object], path: DataPath, ctx: _Ctx) -> MergeNode:
        """A standalone merge: ``concat``/``add``/``mul`` of two or more earlier rows named by ``from:``."""
        for key in body:
            if key not in ("name", FROM):
                raise self.abort(
                    f"{kind} has no argument {show(key)}",
                    (*path, key),
                    f"{kind} takes name and from (a list of two or more earlier rows)",
                    key=True,
                    ctx=ctx,
                )
        example = f"write `- {kind}: {{from: [a, b]}}` with two or more earlier rows"
        if FROM not in body:
            raise self.abort(f"{kind} needs from: the rows it combines", path, example, ctx=ctx)
        raw, at = self.subst(body[FROM], (*path, FROM), ctx)
        if not isinstance(raw, list) or len(raw) < 2:
            raise self.abort(
                f"from: {kind} combines two or more rows, got {show(raw)}",
                at,
                example + "; inside a parallel, use `merge:` instead",
                ctx=ctx,
            )
        sources = tuple(self.reference(item, (*at, i), ctx, own=body.get("name")) for i, item in enumerate(raw))
        name, full = self.claim(body, path, kind, ctx)
        return MergeNode(name, full, kind, sources, path, ctx.context)

    def count(self, path: DataPath) -> None:
        self.expanded += 1
        if self.expanded > MAX_LAYERS:
            raise SpecError(
                [
                    self.diag(
                        f"the spec expands to more than {MAX_LAYERS:,} layers",
                        path,
                        "lower a repeat count; cnncalc refuses larger expansions to stay fast",
                    )
                ]
            )

    def claim(self, body: Mapping[object, object], body_path: DataPath, type_key: str, ctx: _Ctx) -> tuple[str, str]:
        """The layer's name in its scope — given, or ``<type><n>`` for the n-th of its type here — and its path."""
        scope = ctx.scope
        number = scope.counters.get(type_key, 0) + 1
        scope.counters[type_key] = number
        if "name" in body:
            raw, origin = self.subst(body["name"], (*body_path, "name"), ctx)
            name = self.layer_name(raw, origin, ctx)
        else:
            name, origin = f"{type_key}{number}", body_path
        if name in scope.names:
            first = self.src.locate(scope.names[name])
            at = f" (first at line {first.line})" if first else f" (first at {where(scope.names[name])})"
            raise self.abort(
                f"the name '{name}' is used twice in {scope.prefix or 'the top level'}{at}",
                origin,
                f"rename one of them; unnamed layers are numbered per type, so the {_ordinal(number)} "
                f"{type_key} here is automatically {type_key}{number}",
                ctx=ctx,
            )
        scope.names[name] = origin
        full = scope.join(name)
        self.paths[full] = origin
        return name, full

    def layer_name(self, raw: object, origin: DataPath, ctx: _Ctx) -> str:
        if isinstance(raw, AmbiguousScalar):
            raise self.abort(f"name: {raw.raw} is ambiguous: {raw.reason}", origin, "quote it to mean text", ctx=ctx)
        if not isinstance(raw, str):
            raise self.abort(
                f"a layer name must be text, got {show(raw)} ({kind_of(raw)})",
                origin,
                f"quote it: '{show(raw)}'",
                ctx=ctx,
            )
        bad = unsafe_character(raw)
        if bad is not None:
            raise self.abort(
                f"layer name {show(raw)} contains {bad}",
                origin,
                "remove it: names are shown on terminals, in CI logs and in generated code",
                ctx=ctx,
            )
        if not raw or raw != raw.strip() or any(ch.isspace() for ch in raw):
            raise self.abort(f"layer name {show(raw)} must be non-empty without spaces", origin, ctx=ctx)
        if "/" in raw:
            raise self.abort(
                f"layer name '{raw}' contains '/', which separates path components",
                origin,
                f"use another character, e.g. '{raw.replace('/', '_')}'",
                ctx=ctx,
            )
        if raw.startswith("$"):
            raise self.abort(f"layer name '{raw}' cannot start with '$'", origin, ctx=ctx)
        if raw == INPUT_NAME:
            raise self.abort(
                f"'{INPUT_NAME}' names the network's input (`from: {INPUT_NAME}`), so no row can take it",
                origin,
                "choose another name, e.g. 'stem'",
                ctx=ctx,
            )
        return raw

    def subst(self, value: object, path: DataPath, ctx: _Ctx, depth: int = 0) -> tuple[object, DataPath]:
        """Replace a whole ``$param`` value (or list items, or items of pairs) by the block argument in force,
        and an integer expression over block parameters by its value (:mod:`cnncalc.expressions`)."""
        if is_expression(value):
            return self.expression(str(value), path, ctx), path
        if isinstance(value, str) and value.startswith("$"):
            m = _PARAM_REF.match(value)
            if m is None:
                return value, path
            ref = m.group(1)
            if ctx.env is None:
                raise self.abort(
                    f"{value} refers to a block parameter, but this layer is not inside a block",
                    path,
                    "define a block under `blocks:` with this parameter, or write the value itself",
                    ctx=ctx,
                )
            if ref not in ctx.env:
                raise self.abort(
                    f"{value} is not a parameter of block '{ctx.block}'", path, suggest(ref, list(ctx.env)), ctx=ctx
                )
            return ctx.env[ref]
        if isinstance(value, list) and depth < 2:  # deeper lists fit no argument: leave them to its check
            return [self.subst(v, (*path, i), ctx, depth + 1)[0] for i, v in enumerate(value)], path
        return value, path

    def expression(self, text: str, path: DataPath, ctx: _Ctx) -> int:
        env = ctx.env
        if env is None:
            raise self.abort(
                f"{text} refers to block parameters, but this layer is not inside a block",
                path,
                "define a block under `blocks:` with these parameters, or write the value itself",
                ctx=ctx,
            )

        def lookup(name: str) -> int:
            if name not in env:
                raise ExpressionError(
                    f"${name} is not a parameter of block '{ctx.block}'", suggest(name, list(env)) or None
                )
            raw = env[name][0]
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise ExpressionError(f"${name} is {show(raw)}, not an integer")
            return raw

        try:
            return evaluate(text, lookup)
        except ExpressionError as exc:
            values = self.values(text, ctx)
            hint = exc.hint
            if "ends too early" in exc.message and text.count("(") > text.count(")"):
                hint = 'inside { } or [ ], YAML splits at commas: quote the expression, "min($a, $b)"'
            message = f"`{text}`: {exc.message}" + (f" ({values})" if values else "")
            raise self.abort(message, path, hint, ctx=ctx) from None

    def values(self, text: str, ctx: _Ctx) -> str:
        return bound_values(text, {k: v for k, (v, _) in ctx.env.items()}) if ctx.env else ""

    def provenance(self, raw: object, ctx: _Ctx) -> str:
        """`` (from `$c * 6` with c = 0)`` when ``raw`` is an expression, for errors about its value."""
        texts = [raw] if is_expression(raw) else [v for v in raw if is_expression(v)] if isinstance(raw, list) else []
        return "".join(f" (from `{t}` with {self.values(str(t), ctx)})" for t in texts)

    def build(
        self,
        cls: type[Layer],
        type_name: str,
        body: Mapping[object, object],
        body_path: DataPath,
        ctx: _Ctx,
        layer_path: str,
    ) -> tuple[Layer, ArgOrigins]:
        if not body or (len(body) == 1 and "name" in body):  # no arguments (`- relu`): built once per kind
            built = self.layers.get((cls, ()))
            if built is not None:
                return built, _NO_ARGUMENTS
        infos = _arg_infos(cls)
        kwargs: dict[str, Any] = {}
        origins: dict[str, DataPath] = {}
        problems: list[Diagnostic] = []
        suggested: set[str] = set()
        # per argument: where its problem would go among the others', its name, raw and substituted values, origin
        written: list[tuple[int, str, object, object, DataPath]] = []
        moved: dict[str, DataPath] = {}  # the arguments whose value comes from a block parameter: its origin
        for key, raw in body.items():
            if key == "name":
                continue
            if not isinstance(key, str) or key not in infos:
                accepted = ", ".join(["name", *infos]) if infos else "no arguments (only name)"
                hint = suggest(key, list(infos)) if isinstance(key, str) else None
                if hint:
                    suggested.add(hint.split("'")[1])
                hint = hint or f"{type_name} takes {accepted}"
                problems.append(
                    self.diag(
                        f"{type_name} has no argument {show(key)}",
                        (*body_path, key),
                        hint,
                        layer=layer_path,
                        key=True,
                        ctx=ctx,
                    )
                )
                continue
            at = (*body_path, key)
            try:
                value, origin = self.subst(raw, at, ctx)
            except _Abort as exc:
                problems.extend(exc.diagnostics)
                continue
            origins[key] = origin
            if origin is not at:
                moved[key] = origin
            written.append((len(problems), key, raw, value, origin))
        # equal arguments make equal layers: the rows of blocks and repeats, and layers written alike, share one
        shared = _layer_key(cls, written) if not problems else None
        if shared is not None and shared in self.layers:
            return self.layers[shared], self.arg_origins(body_path, origins, moved)
        parse_problems: list[tuple[int, Diagnostic]] = []
        for slot, key, raw, value, origin in written:
            try:
                kwargs[key] = infos[key].type.parse(value)
            except ArgProblem as exc:
                message = f"{key}: {exc.message}{self.provenance(raw, ctx)}"
                parse_problems.append((slot, self.diag(message, origin, exc.hint, layer=layer_path, ctx=ctx)))
        for offset, (slot, diagnostic) in enumerate(parse_problems):  # in the order of the arguments, as written
            problems.insert(slot + offset, diagnostic)
        missing = [n for n, info in infos.items() if info.required and n not in body and n not in suggested]
        if missing:
            example = ", ".join(f"{m}: …" for m in missing)
            problems.append(
                self.diag(
                    f"{type_name} needs {' and '.join(missing)}",
                    body_path,
                    f"write `- {type_name}: {{{example}}}`",
                    layer=layer_path,
                    ctx=ctx,
                )
            )
        if problems:
            raise _Abort(*problems)
        layer = cls(**kwargs)
        try:
            layer.check()
        except ArgProblem as exc:
            at = origins.get(exc.arg or "", body_path)
            raise self.abort(exc.message, at, exc.hint, layer=layer_path, ctx=ctx) from None
        if shared is not None:
            self.layers[shared] = layer
        return layer, self.arg_origins(body_path, origins, moved)

    def arg_origins(self, at: DataPath, origins: Mapping[str, DataPath], moved: Mapping[str, DataPath]) -> ArgOrigins:
        if not origins:
            return _NO_ARGUMENTS
        names = tuple(origins)
        return ArgOrigins(at, self.arg_names.setdefault(names, names), moved or _NOTHING_MOVED)

    def structural_keys(
        self, what: str, body: Mapping[object, object], path: DataPath, allowed: Sequence[str], ctx: _Ctx
    ) -> None:
        for key in body:
            if key not in allowed:
                raise self.abort(
                    f"{what} has no key {show(key)}",
                    (*path, key),
                    (suggest(key, list(allowed)) if isinstance(key, str) else None)
                    or f"{what} takes {', '.join(allowed)}",
                    key=True,
                    ctx=ctx,
                )
        for key in allowed:
            if key not in ("name", FROM) and key not in body:
                raise self.abort(f"{what} needs '{key}'", path, _STRUCTURAL_HINTS[what], ctx=ctx)

    def parallel(
        self,
        body: Mapping[object, object],
        path: DataPath,
        ctx: _Ctx,
        instance: tuple[str, str, str] | None = None,
    ) -> ParallelNode:
        """``instance`` = (name, path, type) when a block's whole body is this parallel."""
        self.structural_keys("parallel", body, path, tuple(PARALLEL_KEYS), ctx)
        if instance is None:
            name, full = self.claim(body, path, "parallel", ctx)
            type_ = "parallel"
        else:
            name, full, type_ = instance
        raw_merge, merge_origin = self.subst(body["merge"], (*path, "merge"), ctx)
        try:
            merge = MERGE.parse(raw_merge)
        except ArgProblem as exc:
            raise self.abort(f"merge: {exc.message}", merge_origin, exc.hint, layer=full, ctx=ctx) from None
        branches = body["branches"]
        bpath = (*path, "branches")
        if not isinstance(branches, list) or len(branches) < 2:
            raise self.abort(
                f"branches must be a list of at least two layer lists, got {show(branches)}",
                bpath,
                "write `branches: [[conv: {...}, relu], []]` — each branch a list; [] is the identity",
                layer=full,
                ctx=ctx,
            )
        groups = []
        for i, branch in enumerate(branches, start=1):
            at = (*bpath, i - 1)
            if branch is None:
                branch = []
            if not isinstance(branch, list):
                self.collect(
                    self.abort(
                        f"branch {i} must be a list of layers, got {show(branch)} ({kind_of(branch)})",
                        at,
                        "wrap the branch's layers in a list: `- [conv: {...}, relu]`; [] is the identity",
                        layer=full,
                        ctx=ctx,
                    )
                )
                continue
            bname = f"b{i}"
            scope = _Scope(f"{full}/{bname}", ctx.scope)
            self.paths[scope.prefix] = at
            children = self.sequence(branch, at, _Ctx(scope, ctx.env, ctx.context, ctx.block))
            groups.append(GroupNode(bname, scope.prefix, "branch", children, at, context=ctx.context))
        self.count(path)  # the merge row
        return ParallelNode(name, full, type_, merge, tuple(groups), path, merge_origin, ctx.context)

    def repeat(self, body: Mapping[object, object], path: DataPath, ctx: _Ctx) -> GroupNode:
        self.structural_keys("repeat", body, path, tuple(REPEAT_KEYS), ctx)
        name, full = self.claim(body, path, "repeat", ctx)
        raw_times, times_origin = self.subst(body["times"], (*path, "times"), ctx)
        try:
            times = TIMES.parse(raw_times)
        except ArgProblem as exc:
            message = f"times: {exc.message}{self.provenance(body['times'], ctx)}"
            raise self.abort(message, times_origin, exc.hint, layer=full, ctx=ctx) from None
        layers = body["layers"]
        lpath = (*path, "layers")
        if not isinstance(layers, list) or not layers:
            raise self.abort(
                f"the layers of a repeat must be a non-empty list, got {show(layers)}", lpath, layer=full, ctx=ctx
            )
        copies = []
        for i in range(1, times + 1):
            scope = _Scope(f"{full}/{i}", ctx.scope)
            self.paths[scope.prefix] = lpath
            children = self.sequence(layers, lpath, _Ctx(scope, ctx.env, ctx.context, ctx.block))
            copies.append(GroupNode(str(i), scope.prefix, "copy", children, lpath, f"copy {i} of {times}", ctx.context))
        return GroupNode(name, full, "repeat", tuple(copies), path, f"{times} copies", ctx.context)

    def side(self, body: Mapping[object, object], path: DataPath, ctx: _Ctx) -> GroupNode:
        self.structural_keys("side", body, path, tuple(SIDE_KEYS), ctx)
        name, full = self.claim(body, path, "side", ctx)
        layers = body["layers"]
        lpath = (*path, "layers")
        if not isinstance(layers, list) or not layers:
            raise self.abort(
                f"the layers of a side output must be a non-empty list, got {show(layers)}",
                lpath,
                _STRUCTURAL_HINTS["side"],
                layer=full,
                ctx=ctx,
            )
        children = self.sequence(layers, lpath, _Ctx(_Scope(full, ctx.scope), ctx.env, ctx.context, ctx.block))
        return GroupNode(name, full, "side", children, path, "side output", ctx.context)

    def block_call(
        self, block: str, body: Mapping[object, object], path: DataPath, ctx: _Ctx
    ) -> GroupNode | ParallelNode:
        bdef = self.blocks[block]
        name, full = self.claim(body, path, block, ctx)
        env: dict[str, tuple[object, DataPath]] = {}
        problems: list[Diagnostic] = []
        for key, raw in body.items():
            if key == "name":
                continue
            if key not in bdef.params:
                params = ", ".join(bdef.params) or "no parameters"
                hint = (
                    suggest(key, list(bdef.params)) if isinstance(key, str) else None
                ) or f"block '{block}' takes {params}"
                problems.append(
                    self.diag(
                        f"block '{block}' has no parameter {show(key)}",
                        (*path, key),
                        hint,
                        layer=full,
                        key=True,
                        ctx=ctx,
                    )
                )
                continue
            try:
                env[key] = self.subst(raw, (*path, key), ctx)
            except _Abort as exc:
                problems.extend(exc.diagnostics)
        for param in bdef.params:
            if param not in env and param in bdef.defaults:
                env[param] = (bdef.defaults[param], (*bdef.path, "params", param))
        missing = [p for p in bdef.params if p not in env]
        if missing:
            example = ", ".join(f"{m}: …" for m in missing)
            problems.append(
                self.diag(
                    f"block '{block}' needs {', '.join(missing)}",
                    path,
                    f"write `- {block}: {{name: …, {example}}}`",
                    layer=full,
                    ctx=ctx,
                )
            )
        if problems:
            raise _Abort(*problems)
        inner = _Ctx(_Scope(full, ctx.scope), env, (*ctx.context, Instance(block, full, path)), block)
        body_path = (*bdef.path, "layers")
        parallel_body = bare_parallel(bdef.layers)
        if parallel_body is not None:
            return self.parallel(parallel_body, (*body_path, 0, "parallel"), inner, (name, full, block))
        children = self.sequence(bdef.layers, body_path, inner)
        return GroupNode(name, full, block, children, path, bdef.description or "block", ctx.context)


_STRUCTURAL_HINTS = {
    "parallel": "write `- parallel: {merge: concat, branches: [[...], [...]]}`",
    "repeat": "write `- repeat: {times: 3, layers: [...]}`",
    "side": "write `- side: {name: aux1, layers: [...]}`; its output is an extra network output",
}


_ARG_INFOS: dict[type[Layer], dict[str, ArgInfo]] = {}


def _layer_key(cls: type[Layer], written: Sequence[tuple[int, str, object, object, DataPath]]) -> Hashable | None:
    """The kind and the substituted values of its arguments, as a dict key (None when a value cannot be one).
    Values of different types never match (``1``, ``1.0`` and ``true`` are equal in Python), nor do ``0.0`` and
    ``-0.0``."""
    try:
        key = (cls, tuple([(name, _token(value)) for _, name, _, value, _ in written]))
        hash(key)
    except TypeError:
        return None
    return key


def _token(value: object, depth: int = 0) -> object:
    kind = type(value)
    if kind is int or kind is str or kind is bool:
        return kind, value
    if isinstance(value, list):
        if depth == 2:  # no argument takes deeper lists (and aliases can make them exponentially large)
            raise TypeError("too deep to share")
        return list, tuple(_token(item, depth + 1) for item in value)
    if isinstance(value, float):
        return float, repr(value)
    return type(value), value


def _arg_infos(cls: type[Layer]) -> dict[str, ArgInfo]:
    """A kind's arguments by name (looked up once per kind, not once per layer)."""
    infos = _ARG_INFOS.get(cls)
    if infos is None:
        infos = _ARG_INFOS[cls] = {name: info for name, info, _ in cls.arg_infos()}
    return infos


def _kinds() -> list[str]:
    return sorted({cls.kind for cls, _ in ALIASES.values()})


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
