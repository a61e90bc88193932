"""An ONNX model without its weights, cut from the file's protobuf encoding without decoding it.

cnncalc needs a weight's shape, never its values: a ResNet-50 file is 100 MB of weights around 100 KB of
graph. Walking the wire format (https://protobuf.dev/programming-guides/encoding/) over a memory map and
copying every field except the data of large initializers gives the same model, minus those bytes, without
reading them from disk or handing them to the protobuf decoder. The result is then parsed by ``onnx`` as
before; anything the walk cannot follow is reported as an invalid model, as the decoder would.

Field numbers are onnx.proto's (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto): ModelProto.graph = 7;
GraphProto.initializer = 5; TensorProto.dims = 1, the data fields float_data = 4, int32_data = 5,
string_data = 6, int64_data = 7, raw_data = 9, double_data = 10, uint64_data = 11.
"""

from __future__ import annotations

from collections.abc import Iterator
from mmap import mmap

_GRAPH = 7
_INITIALIZER = 5
_DIMS = 1
_DATA = frozenset({4, 5, 6, 7, 9, 10, 11})
_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5

KEPT_VALUES = 64
"""Initializers of at most this many elements keep their data: shapes, pads and scales are read as values."""


def _varint(data: memoryview, at: int, end: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= end or shift > 63:
            raise ValueError(f"a varint runs past byte {at}")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def _fields(data: memoryview, start: int, end: int) -> Iterator[tuple[int, int, int, int, int]]:
    """Each field of the message in ``data[start:end]``: (number, wire type, where its key starts, where its
    value starts, where it ends) — a length-delimited value starts after its length."""
    at = start
    while at < end:
        key_at = at
        key, at = _varint(data, at, end)
        number, wire = key >> 3, key & 7
        if wire == _VARINT:
            _, stop = _varint(data, at, end)
        elif wire == _LENGTH:
            length, at = _varint(data, at, end)
            stop = at + length
        elif wire == _FIXED64:
            stop = at + 8
        elif wire == _FIXED32:
            stop = at + 4
        else:
            raise ValueError(f"wire type {wire} at byte {key_at} (groups are not used by ONNX)")
        if number == 0 or stop > end:
            raise ValueError(f"field {number} at byte {key_at} runs past its message")
        yield number, wire, key_at, at, stop
        at = stop


def _length_prefixed(number: int, payload: bytes) -> bytes:
    return _encode((number << 3) | _LENGTH) + _encode(len(payload)) + payload


def _encode(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _tensor(data: memoryview, start: int, end: int) -> bytes:
    """A TensorProto: whole when it is small, else without its data fields."""
    fields = list(_fields(data, start, end))
    numel = 1
    for number, wire, _, at, stop in fields:
        if number != _DIMS:
            continue
        if wire == _VARINT:
            numel *= _varint(data, at, stop)[0]
        elif wire == _LENGTH:  # packed
            while at < stop:
                dim, at = _varint(data, at, stop)
                numel *= dim
    if numel <= KEPT_VALUES:
        return bytes(data[start:end])
    return b"".join(bytes(data[key_at:stop]) for number, _, key_at, _, stop in fields if number not in _DATA)


def _graph(data: memoryview, start: int, end: int) -> bytes:
    parts = []
    for number, wire, key_at, at, stop in _fields(data, start, end):
        if number == _INITIALIZER and wire == _LENGTH:
            parts.append(_length_prefixed(number, _tensor(data, at, stop)))
        else:
            parts.append(bytes(data[key_at:stop]))
    return b"".join(parts)


def without_weights(model: bytes | mmap) -> bytes:
    """The serialized ModelProto ``model`` with the data of every initializer of more than
    :data:`KEPT_VALUES` elements left out (their names, types and dims kept). Raises ValueError where the
    encoding is broken."""
    data = memoryview(model)
    parts = []
    try:
        for number, wire, key_at, at, stop in _fields(data, 0, len(data)):
            if number == _GRAPH and wire == _LENGTH:
                parts.append(_length_prefixed(number, _graph(data, at, stop)))
            else:
                parts.append(bytes(data[key_at:stop]))
    except ValueError as exc:
        broken = str(exc)
    else:
        return b"".join(parts)
    # raised here, with no view of ``model`` left alive in a traceback: a memory map can then be closed
    del data
    raise ValueError(broken)
