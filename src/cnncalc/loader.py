"""Files, strings, Python data and packaged presets → validated :class:`~cnncalc.spec.Spec`.

YAML text is read by :mod:`cnncalc.yaml_source`, imported when there is YAML to read. A packaged preset is read
from its pre-parsed data (``presets/parsed.json``, generated from the YAML files and checked by the tests), so that
a preset, like a spec given as Python data, needs no YAML parser; where it was written is composed from its YAML
text only if a diagnostic asks.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, BinaryIO

from .args import suggest
from .errors import DataPath, Diagnostic, Location, SpecError, UsageError
from .spec import NoSource, Spec, parse_spec

if TYPE_CHECKING:
    from .yaml_source import YamlSourceMap

MAX_BYTES = 16 * 1024 * 1024
_PRESETS = "cnncalc.presets"
# read as plain files when installed as files: importlib.resources costs more to import (about 7 ms) than
# cnncalc spends on a preset
_PRESET_DIR = os.path.join(os.path.dirname(__file__), "presets")


# --------------------------------------------------------------------------------------- public API


def load(path: str | os.PathLike[str]) -> Spec:
    """Read and validate a spec file."""
    name = str(path)
    return loads(_read(os.fspath(path), name), name)


def loads(text: str, filename: str = "<string>") -> Spec:
    """Validate a spec given as YAML text; ``filename`` is used in error messages, and its stem is the
    network's name when the spec has no ``name:`` (``stdin`` for ``<stdin>``; a name is required for
    ``<string>``)."""
    data, source_map = parse_yaml(text, filename)
    spec = parse_spec(data, source_map, default_name(filename))
    source_map.release()
    return spec


def parse_yaml(text: str, filename: str) -> tuple[Any, YamlSourceMap]:
    """YAML text → plain Python data and a source map of where each value was written
    (:func:`cnncalc.yaml_source.parse_yaml`)."""
    from .yaml_source import parse_yaml as parse

    return parse(text, filename)


def default_name(filename: str) -> str | None:
    """``nets/resnet.yaml`` → ``resnet``; ``<stdin>`` → ``stdin``; None for other ``<…>`` pseudo-files."""
    if filename == "<stdin>":
        return "stdin"
    if filename.startswith("<") or filename.startswith("preset:"):
        return None
    return os.path.splitext(os.path.basename(filename.rstrip("/\\")))[0] or None


def from_dict(data: dict[str, Any]) -> Spec:
    """Validate a spec given as Python data (the structure a YAML file would load to)."""
    return parse_spec(data, NoSource())


def preset_names() -> list[str]:
    if os.path.isdir(_PRESET_DIR):
        files = os.listdir(_PRESET_DIR)
    else:  # a zip import
        from importlib import resources

        files = [p.name for p in resources.files(_PRESETS).iterdir()]
    return sorted(f[: -len(".yaml")] for f in files if f.endswith(".yaml"))


def preset_text(name: str) -> str:
    """The YAML text of a packaged preset, to print or copy and edit."""
    names = preset_names()
    if name not in names:
        hint = suggest(name, names)
        raise UsageError(
            f"unknown preset '{name}'",
            (hint + " " if hint else "") + "presets: " + ", ".join(names),
        )
    if os.path.isdir(_PRESET_DIR):
        with open(os.path.join(_PRESET_DIR, f"{name}.yaml"), encoding="utf-8") as stream:
            return stream.read()
    from importlib import resources

    return resources.files(_PRESETS).joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def preset(name: str) -> Spec:
    """A packaged preset by name (see :func:`preset_names`)."""
    text = preset_text(name)
    data = _parsed_preset(name, text)
    if data is None:  # not generated for this text: read the YAML
        return loads(text, f"preset:{name}")
    return parse_spec(data, _PresetSource(f"preset:{name}", text), default_name(f"preset:{name}"))


PARSED = "parsed.json"  # every preset's data, generated: python -m cnncalc.preset_data


def _parsed_preset(name: str, text: str) -> Any:
    """The data :func:`parse_yaml` reads from a preset's text, from ``presets/parsed.json``; None when that file
    is missing or was generated from another text (its CRC-32 is kept beside the data)."""
    import json
    import zlib

    try:
        with open(os.path.join(_PRESET_DIR, PARSED), encoding="utf-8") as stream:
            entry = json.load(stream)["presets"].get(name)
    except (OSError, ValueError, KeyError, AttributeError):
        return None
    if not isinstance(entry, dict) or entry.get("crc32") != zlib.crc32(text.encode("utf-8")):
        return None
    return entry.get("data")


class _PresetSource:
    """Where a preset's values were written: its YAML text, composed (PyYAML imported) when a diagnostic asks."""

    def __init__(self, file: str, text: str) -> None:
        self.file: str | None = file
        self._text = text
        self._map: YamlSourceMap | None = None

    def locate(self, path: DataPath, key: bool = False) -> Location | None:
        if self._map is None:
            from .yaml_source import source_map

            self._map = source_map(self.file or "", self._text)
        return self._map.locate(path, key)


# ------------------------------------------------------------------------------------------ reading


def _read(path: str, name: str) -> str:
    def fail(message: str, hint: str | None = None) -> SpecError:
        return SpecError([Diagnostic(message, hint, file=name)])

    try:
        if os.path.isdir(path):
            raise fail("is a directory, not a spec file", "give the path of a .yaml file")
        size = os.stat(path).st_size
        if size > MAX_BYTES:
            raise _too_large(name, size)
        with open(path, "rb") as stream:  # a device or pipe reports size 0: read_limited still stops
            raw = read_limited(stream, name)
    except FileNotFoundError:
        raise fail("no such file", "check the path; `cnncalc preset --list` shows the built-in networks") from None
    except PermissionError:
        raise fail("permission denied: the file cannot be read", "check the file's permissions") from None
    except OSError as exc:
        raise fail(f"cannot be read: {exc.strerror or exc}") from None
    return decode(raw, name)


def read_limited(stream: BinaryIO, name: str) -> bytes:
    """All of ``stream``, refusing more than ``MAX_BYTES`` without reading further."""
    raw = stream.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise _too_large(name, None)
    return raw


def _too_large(name: str, size: int | None) -> SpecError:
    what = f"is {size:,} bytes" if size is not None else "is longer"
    hint = "a real network spec is a few kilobytes: use blocks and repeat instead of listing every layer"
    return SpecError([Diagnostic(f"{what}; cnncalc reads spec files up to {MAX_BYTES:,} bytes", hint, file=name)])


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
