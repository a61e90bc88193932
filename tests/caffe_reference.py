"""An independent reading of Caffe's deploy.prototxt: shapes and parameter counts by Caffe's own rules.

Written from Caffe's layer semantics, sharing no code with cnncalc, so that the presets can be checked
against the real network definitions (tests/fixtures/caffe, copied from BVLC/caffe; see PROVENANCE.txt):

* Convolution: ``(N + 2·pad − kernel) // stride + 1`` (rounds down); ``num_output·(C/group)·k·k``
  weights plus ``num_output`` biases (``bias_term`` defaults to true).
* Pooling: rounds *up* — ``ceil((N + 2·pad − kernel) / stride) + 1`` — and, only when ``pad > 0``, drops a
  last window that starts at or after ``N + pad`` (pooling_layer.cpp). ``global_pooling`` gives 1×1.
* InnerProduct: ``C·H·W·num_output`` weights plus ``num_output`` biases.
* Concat joins channels; ReLU, LRN, Dropout and Softmax keep the shape.
* train_val.prototxt: Data layers give ``3 × crop_size × crop_size`` images; losses and accuracy layers
  have no parameters and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass
class CaffeLayer:
    name: str
    type: str
    bottoms: list[str]
    top: str
    params: dict[str, str]


def parse_prototxt(path: Path) -> tuple[list[int], list[CaffeLayer]]:
    text = path.read_text()
    layers = []
    input_shape: list[int] = []
    for block in re.split(r"\nlayer \{", text)[1:]:
        name = re.search(r'name: "([^"]+)"', block).group(1)  # type: ignore[union-attr]
        type_ = re.search(r'type: "([^"]+)"', block).group(1)  # type: ignore[union-attr]
        bottoms = re.findall(r'bottom: "([^"]+)"', block)
        top = re.search(r'top: "([^"]+)"', block).group(1)  # type: ignore[union-attr]
        params = dict(
            re.findall(r"\b(num_output|kernel_size|stride|pad|pool|group|bias_term|global_pooling): (\S+)", block)
        )
        if type_ == "Input":
            input_shape = [int(d) for d in re.findall(r"dim: (\d+)", block)][1:]  # drop the batch
        if type_ == "Data":  # train_val: 3-channel images cropped to crop_size × crop_size
            crop = int(re.search(r"crop_size: (\d+)", block).group(1))  # type: ignore[union-attr]
            input_shape = [3, crop, crop]
        layers.append(CaffeLayer(name, type_, bottoms, top, params))
    return input_shape, layers


def run(path: Path) -> dict[str, tuple[tuple[int, ...], int]]:
    """Layer name → (output shape, parameter count), following Caffe's rules above."""
    input_shape, layers = parse_prototxt(path)
    blobs: dict[str, tuple[int, ...]] = {}
    result: dict[str, tuple[tuple[int, ...], int]] = {}
    for layer in layers:
        p = layer.params
        if layer.type in ("Input", "Data"):
            blobs[layer.top] = tuple(input_shape)
            continue
        if layer.type in ("SoftmaxWithLoss", "Accuracy"):  # training losses and metrics: no parameters
            continue
        inp = blobs[layer.bottoms[0]]
        params = 0
        if layer.type == "Convolution":
            k, s, pad = int(p["kernel_size"]), int(p.get("stride", 1)), int(p.get("pad", 0))
            out_c, group = int(p["num_output"]), int(p.get("group", 1))
            c, h, w = inp
            out = (out_c, (h + 2 * pad - k) // s + 1, (w + 2 * pad - k) // s + 1)
            params = out_c * (c // group) * k * k + (out_c if p.get("bias_term", "true") == "true" else 0)
        elif layer.type == "Pooling":
            c, h, w = inp
            if p.get("global_pooling") == "true":
                out = (c, 1, 1)
            else:
                k, s, pad = int(p["kernel_size"]), int(p.get("stride", 1)), int(p.get("pad", 0))

                def pooled(n: int, k: int = k, s: int = s, pad: int = pad) -> int:
                    size = -(-(n + 2 * pad - k) // s) + 1
                    if pad > 0 and (size - 1) * s >= n + pad:
                        size -= 1
                    return size

                out = (c, pooled(h), pooled(w))
        elif layer.type == "InnerProduct":
            n_in = 1
            for d in inp:
                n_in *= d
            out_c = int(p["num_output"])
            out = (out_c,)
            params = n_in * out_c + (out_c if p.get("bias_term", "true") == "true" else 0)
        elif layer.type == "Concat":
            shapes = [blobs[b] for b in layer.bottoms]
            out = (sum(s[0] for s in shapes), *shapes[0][1:])
        elif layer.type in ("ReLU", "LRN", "Dropout", "Softmax"):
            out = inp
        else:
            raise ValueError(f"layer type {layer.type} is not modelled")
        blobs[layer.top] = out
        result[layer.name] = (out, params)
    return result
