"""``cnncalc import``: specs from ONNX, PyTorch, Caffe and Darknet models.

Importers produce specs (YAML text), never results: each format's reader builds a :class:`~.graph.Graph`,
:func:`~.graph.structure` makes it readable, :func:`~.graph.to_yaml` writes it. The readers import their
optional library (protobuf, onnx, torch) only when called.
"""

from __future__ import annotations

import mmap
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..args import show, unsafe_character
from ..errors import UsageError
from ..loader import MAX_BYTES
from .graph import Graph, structure, to_yaml

FORMATS = ("onnx", "caffe", "darknet", "torch")
MAX_MODEL_BYTES = 2**31 - 1
"""The largest ONNX file: protobuf's limit for one message (larger models keep their weights in external
data files, which cnncalc does not need). Text formats have the spec files' limit, ``loader.MAX_BYTES``."""
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
        try:
            with Path(source).open("rb") as stream:
                head = stream.read(4096)  # read, not sought back to: the file may be a pipe
                fmt = fmt or detect(source, head)
                if fmt == "onnx":
                    graph = _read_onnx(stream, head, source, input_shape, name, allow_unknown)
                else:
                    raw = head + stream.read(max(0, MAX_BYTES + 1 - len(head)))
                    if len(raw) > MAX_BYTES:
                        raise UsageError(f"{source} is larger than {MAX_BYTES:,} bytes: it is not a {fmt} model")
                    graph = _read(fmt, raw, source, input_shape, name, allow_unknown)
        except OSError as exc:
            raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from None
    return Imported(to_yaml(structure(graph)), tuple(graph.notes), fmt)


def _read_onnx(
    stream: BinaryIO, head: bytes, source: str, shape: tuple[int, ...] | None, name: str | None, unknown: bool
) -> Graph:
    """The model, mapped rather than read: only the graph's pages are touched, never the weights'."""
    from .onnx_model import read as read_onnx

    status = os.fstat(stream.fileno())
    if not stat.S_ISREG(status.st_mode):  # a pipe or a device: read, up to the limit
        raw = head + stream.read(max(0, MAX_MODEL_BYTES + 1 - len(head)))
        if len(raw) > MAX_MODEL_BYTES:
            raise _too_large_model(source, None)
        return read_onnx(raw, source, shape, name, unknown)
    if status.st_size > MAX_MODEL_BYTES:
        raise _too_large_model(source, status.st_size)
    if status.st_size == 0:
        return read_onnx(b"", source, shape, name, unknown)
    with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        return read_onnx(mapped, source, shape, name, unknown)


def _too_large_model(source: str, size: int | None) -> UsageError:
    what = f"is {size:,} bytes" if size is not None else "is longer"
    return UsageError(
        f"{source} {what}; an ONNX file holds at most {MAX_MODEL_BYTES:,} bytes (protobuf's limit)",
        "save the weights as external data (onnx.save_model(..., save_as_external_data=True))",
    )


def _read(fmt: str, raw: bytes, source: str, shape: tuple[int, ...] | None, name: str | None, unknown: bool) -> Graph:
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
