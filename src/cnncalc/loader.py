"""Files, strings, Python data and packaged presets → validated :class:`~cnncalc.spec.Spec`.

YAML is read with the safe loader only (libyaml's C parser when present) into a node graph, which is
converted here rather than by PyYAML's constructor so that

* duplicate keys are errors (PyYAML keeps the last one silently);
* YAML 1.1 surprises are caught: ``yes``/``no``/``on``/``off`` and ``010`` (octal) and ``1:30``
  (base 60) become :class:`~cnncalc.args.AmbiguousScalar`, which every argument rejects with an
  explanation; ``1e-4`` (text in YAML 1.1) is read as the number YAML 1.2 and users mean;
* anchors and aliases work, but a shared node is converted once, so an alias bomb costs nothing;
* nesting is limited, and every value's position is found lazily (only when an error needs it).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .args import AmbiguousScalar, suggest
from .errors import Diagnostic, Location, SpecError, UsageError
from .spec import DataPath, NoSource, Spec, parse_spec

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 2_000_000

_TAG = "tag:yaml.org,2002:"
_OCTAL = re.compile(r"[-+]?0[0-7_]+\Z")
_YAML12_NUMBER = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_PRESETS = "cnncalc.presets"


# --------------------------------------------------------------------------------------- public API


def load(path: str | Path) -> Spec:
    """Read and validate a spec file."""
    name = str(path)
    return loads(_read(Path(path), name), name)


def loads(text: str, filename: str = "<string>") -> Spec:
    """Validate a spec given as YAML text; ``filename`` is used in error messages."""
    data, source_map = parse_yaml(text, filename)
    return parse_spec(data, source_map)


def from_dict(data: dict[str, Any]) -> Spec:
    """Validate a spec given as Python data (the structure a YAML file would load to)."""
    return parse_spec(data, NoSource())


def preset_names() -> list[str]:
    return sorted(p.name[: -len(".yaml")] for p in resources.files(_PRESETS).iterdir() if p.name.endswith(".yaml"))


def preset_text(name: str) -> str:
    """The YAML text of a packaged preset, to print or copy and edit."""
    names = preset_names()
    if name not in names:
        hint = suggest(name, names)
        raise UsageError(
            f"unknown preset '{name}'",
            (hint + " " if hint else "") + "presets: " + ", ".join(names),
        )
    return resources.files(_PRESETS).joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def preset(name: str) -> Spec:
    """A packaged preset by name (see :func:`preset_names`)."""
    return loads(preset_text(name), f"preset:{name}")


# ------------------------------------------------------------------------------------------ reading


def _read(path: Path, name: str) -> str:
    def fail(message: str, hint: str | None = None) -> SpecError:
        return SpecError([Diagnostic(message, hint, file=name)])

    try:
        if path.is_dir():
            raise fail("is a directory, not a spec file", "give the path of a .yaml file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise fail(
                f"is {size:,} bytes; cnncalc reads spec files up to {MAX_BYTES:,} bytes",
                "a real network spec is a few kilobytes: use blocks and repeat instead of listing every layer",
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail("no such file", "check the path; `cnncalc preset --list` shows the built-in networks") from None
    except PermissionError:
        raise fail("permission denied: the file cannot be read") from None
    except OSError as exc:
        raise fail(f"cannot be read: {exc.strerror or exc}") from None
    return decode(raw, name)


def decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw[:8192]:
        raise SpecError([Diagnostic("is a binary file, not YAML text", file=name)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(
            [
                Diagnostic(
                    f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                    "save the file as UTF-8",
                    file=name,
                )
            ]
        ) from None


# ------------------------------------------------------------------------------------------- YAML


def parse_yaml(text: str, filename: str) -> tuple[Any, YamlSourceMap]:
    """YAML text → plain Python data and a source map of where each value was written."""
    lines = text.splitlines()
    if not text.strip():
        raise SpecError(
            [Diagnostic("is empty", "a spec needs at least `name:`, `input:` and `layers:`", file=filename)]
        )
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise SpecError([_yaml_error(exc, filename, lines)]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Diagnostic(f"is not valid YAML: {exc}", file=filename)]) from None
    except RecursionError:
        raise SpecError([Diagnostic("nests too deeply to read", file=filename)]) from None
    finally:
        loader.dispose()
    if node is None:
        raise SpecError([Diagnostic("has no YAML document (only comments?)", file=filename)])
    source_map = YamlSourceMap(filename, node, lines)
    return _Converter(source_map).convert(node, 0), source_map


def _yaml_error(exc: yaml.MarkedYAMLError, filename: str, lines: list[str]) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "invalid YAML"
    hint = None
    line = lines[mark.line] if mark is not None and 0 <= mark.line < len(lines) else ""
    if "\t" in problem or (mark is not None and line[mark.column : mark.column + 1] == "\t"):
        hint = "YAML does not allow tabs for indentation: indent with spaces"
    elif "expected a single document" in str(exc):
        problem, hint = "contains more than one YAML document", "keep one spec per file (remove the `---` line)"
    elif exc.context:
        problem = (
            f"{problem} ({exc.context}" + (f" at line {exc.context_mark.line + 1}" if exc.context_mark else "") + ")"
        )
    location = None
    if mark is not None:
        text = lines[mark.line] if 0 <= mark.line < len(lines) else None
        location = Location(filename, mark.line + 1, mark.column + 1, text)
    return Diagnostic(f"invalid YAML: {problem}", hint, location=location, file=filename)


class YamlSourceMap:
    """Finds the position of a data path in the composed YAML node graph, on demand."""

    def __init__(self, file: str, root: yaml.Node, lines: list[str]) -> None:
        self.file: str | None = file
        self.root = root
        self.lines = lines

    def node_at(self, path: DataPath, key: bool = False) -> yaml.Node:
        node = self.root
        for depth, part in enumerate(path):
            last = depth == len(path) - 1
            if isinstance(node, yaml.MappingNode):
                found = self._find(node, part)
                if found is None:
                    return node
                knode, vnode = found
                node = knode if (key and last) else vnode
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
            else:
                return node
        return node

    def _find(self, node: yaml.MappingNode, part: object, depth: int = 0) -> tuple[yaml.Node, yaml.Node] | None:
        merged: list[yaml.Node] = []
        for knode, vnode in node.value:
            if knode.tag == _TAG + "merge":
                merged.extend(vnode.value if isinstance(vnode, yaml.SequenceNode) else [vnode])
            elif isinstance(knode, yaml.ScalarNode) and _key_value(knode) == part:
                return knode, vnode
        for m in merged:
            if isinstance(m, yaml.MappingNode) and depth < MAX_DEPTH:
                found = self._find(m, part, depth + 1)
                if found is not None:
                    return found
        return None

    def locate(self, path: DataPath, key: bool = False) -> Location | None:
        node = self.node_at(path, key)
        start, end = node.start_mark, node.end_mark
        text = self.lines[start.line] if 0 <= start.line < len(self.lines) else None
        end_column = end.column + 1 if end.line == start.line and isinstance(node, yaml.ScalarNode) else None
        return Location(self.file, start.line + 1, start.column + 1, text, end_column)


def _key_value(node: yaml.ScalarNode) -> object:
    try:
        return _scalar(node)
    except SpecError:
        return node.value


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _scalar(node: yaml.ScalarNode) -> object:
    tag = node.tag
    raw = node.value
    if tag == _TAG + "str":
        if not node.style and _YAML12_NUMBER.match(raw):  # plain scalar: style None, or "" from libyaml
            return float(raw)  # 1e-4: text in YAML 1.1, a number in YAML 1.2 and to every reader
        return raw
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        if raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        truth = _CONSTRUCTOR.construct_yaml_bool(node)
        return AmbiguousScalar(
            raw, truth, f"YAML 1.1 (PyYAML) reads it as {'true' if truth else 'false'}, YAML 1.2 as text"
        )
    if tag == _TAG + "int":
        value = _CONSTRUCTOR.construct_yaml_int(node)
        if ":" in raw:
            return AmbiguousScalar(
                raw, value, f"YAML 1.1 reads it as the base-60 number {value}", "quote it, or write a plain number"
            )
        if _OCTAL.match(raw):
            return AmbiguousScalar(
                raw,
                value,
                f"YAML 1.1 (PyYAML) reads it as octal {value}, YAML 1.2 as decimal {int(raw.replace('_', ''), 10)}",
                "write the number without the leading 0",
            )
        return value
    if tag == _TAG + "float":
        return _CONSTRUCTOR.construct_yaml_float(node)
    if tag == _TAG + "timestamp":
        return raw
    raise SpecError([Diagnostic(f"unsupported YAML tag {tag}", "remove the tag; specs use plain YAML values")])


class _Converter:
    def __init__(self, source_map: YamlSourceMap) -> None:
        self.src = source_map
        self.memo: dict[int, Any] = {}
        self.nodes = 0

    def fail(self, node: yaml.Node, message: str, hint: str | None = None) -> SpecError:
        mark = node.start_mark
        text = self.src.lines[mark.line] if 0 <= mark.line < len(self.src.lines) else None
        loc = Location(self.src.file, mark.line + 1, mark.column + 1, text)
        return SpecError([Diagnostic(message, hint, location=loc, file=self.src.file)])

    def convert(self, node: yaml.Node, depth: int) -> Any:
        known = self.memo.get(id(node))
        if known is not None or id(node) in self.memo:
            return known
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(
                node, f"the document has more than {MAX_NODES:,} values", "a spec this large is not supported"
            )
        if depth > MAX_DEPTH:
            raise self.fail(node, f"the document nests more than {MAX_DEPTH} levels deep", "flatten the structure")
        if isinstance(node, yaml.ScalarNode):
            try:
                value = _scalar(node)
            except SpecError as exc:
                raise self.fail(node, exc.diagnostics[0].message, exc.diagnostics[0].hint) from None
            self.memo[id(node)] = value
            return value
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                raise self.fail(node, f"unsupported YAML tag {node.tag}")
            items: list[Any] = []
            self.memo[id(node)] = items
            items.extend(self.convert(child, depth + 1) for child in node.value)
            return items
        if isinstance(node, yaml.MappingNode):
            if node.tag != _TAG + "map":
                raise self.fail(node, f"unsupported YAML tag {node.tag}")
            mapping: dict[Any, Any] = {}
            self.memo[id(node)] = mapping
            self._fill(node, mapping, depth)
            return mapping
        raise self.fail(node, "unsupported YAML node")

    def _fill(self, node: yaml.MappingNode, mapping: dict[Any, Any], depth: int) -> None:
        seen: dict[Any, yaml.Node] = {}
        merges: list[yaml.Node] = []
        for knode, vnode in node.value:
            if knode.tag == _TAG + "merge":
                merges.extend(vnode.value if isinstance(vnode, yaml.SequenceNode) else [vnode])
                continue
            if not isinstance(knode, yaml.ScalarNode):
                raise self.fail(knode, "a mapping key must be a plain name, not a list or mapping")
            key = self.convert(knode, depth + 1)
            if isinstance(key, AmbiguousScalar):
                raise self.fail(knode, f"the key {key.raw} is ambiguous: {key.reason}", "quote the key")
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise self.fail(knode, "a mapping key must be a plain name")
            if key in seen:
                first = seen[key].start_mark.line + 1
                raise self.fail(knode, f"duplicate key {key!r} (first at line {first})", "remove or rename one of them")
            seen[key] = knode
            mapping[key] = self.convert(vnode, depth + 1)
        for merged in merges:
            if not isinstance(merged, yaml.MappingNode):
                raise self.fail(merged, "a merge key (<<) must refer to a mapping")
            source = self.convert(merged, depth + 1)
            for key, value in source.items():
                mapping.setdefault(key, value)
