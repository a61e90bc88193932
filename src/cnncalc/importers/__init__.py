"""``cnncalc import``: specs from ONNX, PyTorch, Caffe and Darknet models.

Importers produce specs (YAML text), never results: each format's reader builds a :class:`~.graph.Graph`,
:func:`~.graph.structure` makes it readable, :func:`~.graph.to_yaml` writes it. The readers import their
optional library (protobuf, onnx, torch) only when called.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..args import show, unsafe_character
from ..errors import UsageError
from .graph import Graph, structure, to_yaml

FORMATS = ("onnx", "caffe", "darknet", "torch")
_EXTENSIONS = {".onnx": "onnx", ".prototxt": "caffe", ".pbtxt": "caffe", ".cfg": "darknet"}


@dataclass(frozen=True)
class Imported:
    text: str  # the spec, YAML
    notes: tuple[str, ...]  # what the user should know (a batch size dropped, …)
    format: str


def importable(path: str) -> bool:
    """Whether a command-line SPEC argument names a model file to import rather than a YAML spec."""
    return Path(path).suffix.lower() in _EXTENSIONS


def detect(path: str, head: bytes) -> str:
    """The format of a file: its extension, then its content."""
    by_extension = _EXTENSIONS.get(Path(path).suffix.lower())
    if by_extension:
        return by_extension
    text = head.decode("utf-8", "replace").lstrip()
    if text.startswith("[net]") or text.startswith("[network]"):
        return "darknet"
    if "layer {" in text or "layer{" in text or text.startswith("name:"):
        return "caffe"
    if b"onnx" in head[:256] or head[:1] == b"\x08":
        return "onnx"
    raise UsageError(
        f"cannot tell the format of {path}",
        "name it .onnx, .prototxt or .cfg, or say --from onnx|caffe|darknet|torch",
    )


def import_model(
    source: str,
    fmt: str | None = None,
    input_shape: tuple[int, ...] | None = None,
    name: str | None = None,
    allow_unknown: bool = False,
) -> Imported:
    bad = unsafe_character(name) if name is not None else None
    if bad is not None:  # the spec would be refused when read
        raise UsageError(f"--name {show(name)} contains {bad}", "names are shown on terminals and in CI logs")
    if fmt == "torch":
        from .torch_fx import read as read_torch

        graph = read_torch(source, input_shape, name)
    else:
        path = Path(source)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from None
        fmt = fmt or detect(source, raw[:4096])
        graph = _read(fmt, raw, source, input_shape, name, allow_unknown)
    return Imported(to_yaml(structure(graph)), tuple(graph.notes), fmt)


def _read(fmt: str, raw: bytes, source: str, shape: tuple[int, ...] | None, name: str | None, unknown: bool) -> Graph:
    if fmt == "onnx":
        from .onnx_model import read as read_onnx

        return read_onnx(raw, source, shape, name, unknown)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{source} is not a {fmt} text file (byte {exc.start} is not UTF-8)",
            "is it a binary model? --from names the format",
        ) from None
    if fmt == "caffe":
        from . import caffe

        return caffe.read(text, source, shape, name, unknown)
    if fmt == "darknet":
        from . import darknet

        return darknet.read(text, source, shape, name, unknown)
    raise UsageError(f"unknown format {fmt!r}", "choose one of " + ", ".join(FORMATS))


__all__ = ["FORMATS", "Imported", "detect", "import_model", "importable"]
