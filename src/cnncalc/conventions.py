"""Counting conventions: how a row's MACs are counted, so that a total can be reconciled with the number
another tool printed.

* ``default`` — torchvision's ``_ops`` ("GFLOPS" in its documentation): the multiply-accumulates of conv,
  transposed conv and fc weights; nothing else. FLOPs = 2 × MACs.
* ``full`` — the default MACs, plus every layer kind's *other ops* (bias additions, pooling comparisons
  and additions, activation arithmetic, normalisation, LRN, element-wise merges) counted apart; each kind
  defines its own in :meth:`cnncalc.layers.Layer.apply`. FLOPs = 2 × MACs + other ops.
* ``torchinfo``, ``fvcore``, ``thop``, ``ptflops`` — the total that tool prints for the module
  ``cnncalc export --to pytorch`` writes, counted here from that module's description (no PyTorch
  needed). Each tool counts the PyTorch modules it sees by their class, so the rules below are tables
  keyed by class, as the tools' own source has them (versions: torchinfo 1.8.0, fvcore 0.1.5.post20221221,
  thop 0.1.1.post2209072238, ptflops 0.7.5). FLOPs = 2 × that count.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .record import record

if TYPE_CHECKING:
    from .export.lowering import TorchModule
    from .report import Counts, LayerResult

Rule = Callable[["TorchModule", int], float]


@record
class Convention:
    name: str
    text: str  # how MACs and FLOPs are counted, for the JSON contract and the table footer
    tool: Rule | None = None  # a PyTorch tool's count of one module; None: cnncalc's own MACs
    other_ops: bool = False  # whether the kinds' other ops are counted (full)
    # whether the tool's parameter count includes the non-trainable ones: onnx-tool counts every initializer
    # a node reads, and batchnorm's running mean and variance are initializers in an ONNX file
    params_with_buffers: bool = False

    def params(self, counts: Counts) -> int:
        """The parameters as the tool counts them."""
        return counts.params + (counts.non_trainable_params if self.params_with_buffers else 0)

    def count(self, row: LayerResult, batch: int) -> int:
        """The row's MACs for the whole batch: cnncalc's (``row.calc``, per sample), or the tool's count
        of the PyTorch modules ``cnncalc export`` writes for the row.

        Only a tool convention needs those modules, so only it imports the lowering (an optional
        capability of a kind: one without raises :class:`~cnncalc.errors.Unexportable`).
        """
        if self.tool is None:
            return (row.calc.macs if row.calc is not None else 0) * batch
        from .export.lowering import lower_row

        return int(sum(self.tool(module, batch) for module in lower_row(row).modules))


def family(cls: str) -> str:
    """``Conv2d`` → ``Conv``: the tools treat the 1-D, 2-D and 3-D classes alike, except where a rule says."""
    return re.sub(r"[123]d\Z", "", cls)


def by_class(rules: dict[str, Rule]) -> Rule:
    """A tool that looks a module's rule up by its class (family); a class without one counts nothing."""

    def count(module: TorchModule, batch: int) -> float:
        rule = rules.get(family(module.cls))
        return rule(module, batch) if rule is not None else 0

    return count


def _spatial(shape: Sequence[int]) -> int:
    return math.prod(shape[1:])


def _n(shape: Sequence[int], batch: int) -> int:
    return batch * math.prod(shape)


def _affine(m: TorchModule) -> bool:
    return bool(m.arg("affine", True)) and bool(m.arg("elementwise_affine", True))


# ------------------------------------------------------------------------------------- torchinfo 1.8


def _torchinfo(m: TorchModule, batch: int) -> float:
    """``LayerInfo.calculate_macs``: a leaf module with parameters counts them once per output position
    when ``"Conv"`` is in its class name (so a transposed conv too, at its *output* positions), else
    once per sample; a module without parameters counts nothing."""
    params = m.weights + m.biases
    if "Conv" in m.cls:
        return params * batch * _spatial(m.output_shape)
    return params * batch


# ------------------------------------------------------------------------------------- fvcore 0.1.5
# FlopCountAnalysis's default handles, on the traced aten ops, with the model in eval mode; fvcore counts
# one fused multiply-add as one flop, so its total is a MAC count. Unhandled ops count nothing.


def _fvcore_conv(m: TorchModule, batch: int) -> float:
    """``conv_flop_count``: batch × prod(weight shape) × output positions (input positions if transposed)."""
    positions = _spatial(m.input_shape if m.cls.startswith("ConvTranspose") else m.output_shape)
    return batch * m.weights * positions


def _fvcore_upsample(m: TorchModule, batch: int) -> float:
    """Only ``upsample_nearest2d`` (1 per output element) and ``upsample_bilinear2d`` (4) have handles."""
    if len(m.input_shape) != 3:
        return 0
    return {"nearest": 1, "bilinear": 4}.get(str(m.arg("mode", "nearest")), 0) * _n(m.output_shape, batch)


FVCORE: dict[str, Rule] = {
    "Conv": _fvcore_conv,
    "ConvTranspose": _fvcore_conv,
    "Linear": lambda m, batch: batch * m.weights,  # addmm / linear: batch × in × out
    # batch_norm at inference: 1 per element, 2 with the affine scale and shift
    "BatchNorm": lambda m, batch: _n(m.input_shape, batch) * (2 if _affine(m) else 1),
    # group_norm, layer_norm: 5 per element with affine parameters, 4 without
    "GroupNorm": lambda m, batch: _n(m.input_shape, batch) * (5 if _affine(m) else 4),
    "LayerNorm": lambda m, batch: _n(m.input_shape, batch) * (5 if _affine(m) else 4),
    "ChannelLayerNorm": lambda m, batch: _n(m.input_shape, batch) * (5 if _affine(m) else 4),
    "Upsample": _fvcore_upsample,
    # adaptive_avg_pool2d: 1 per input element (the 1-D and 3-D ops have no handle)
    "AdaptiveAvgPool": lambda m, batch: _n(m.input_shape, batch) if len(m.input_shape) == 3 else 0,
}


# ------------------------------------------------------------------------------ thop 0.1.1-2209072238
# thop.profile: a rule per exact module class (register_hooks); a class without one counts nothing
# (GroupNorm, the activations but softmax, LRN, the export's own ChannelLayerNorm and merges).


def _thop_conv(m: TorchModule, batch: int) -> float:
    """``calculate_conv2d_flops``: output elements × (C_in / groups) × kernel — for a transposed conv
    that is not its multiply-accumulates (those scale with the input positions)."""
    return _n(m.output_shape, batch) * (m.weights // m.output_shape[0])


def _thop_norm(m: TorchModule, batch: int) -> float:
    """``count_normalization``: 2 per input element, twice that with affine parameters."""
    return 2 * _n(m.input_shape, batch) * (2 if _affine(m) else 1)


def _thop_softmax(m: TorchModule, batch: int) -> float:
    """``calculate_softmax``: per vector of C channels, C exponents, C − 1 additions and C divisions."""
    channels = m.input_shape[0]
    return _n(m.input_shape, batch) // channels * (3 * channels - 1)


def _thop_adaptive_avg(m: TorchModule, batch: int) -> float:
    """``count_adap_avgpool``: (prod(input size / output size) + 1) × output elements, in floating point
    and truncated, as thop computes it."""
    kernel = math.prod(n / o for n, o in zip(m.input_shape[1:], m.output_shape[1:], strict=True))
    return int((kernel + 1) * _n(m.output_shape, batch))


def _thop_upsample(m: TorchModule, batch: int) -> float:
    """``calculate_upsample``: per output element 1 (nearest), 5 (linear), 11 (bilinear), 259 (bicubic);
    trilinear is not implemented (0)."""
    per = {"nearest": 1, "linear": 5, "bilinear": 11, "bicubic": 224 + 35}.get(str(m.arg("mode", "nearest")), 0)
    return per * _n(m.output_shape, batch)


THOP: dict[str, Rule] = {
    "Conv": _thop_conv,
    "ConvTranspose": _thop_conv,
    "BatchNorm": _thop_norm,
    "LayerNorm": _thop_norm,
    "Softmax": _thop_softmax,
    "AvgPool": lambda m, batch: _n(m.output_shape, batch),  # one per output element
    "AdaptiveAvgPool": _thop_adaptive_avg,
    "Linear": lambda m, batch: batch * m.weights,  # in_features × output elements
    "Upsample": _thop_upsample,
}


# ------------------------------------------------------------------------------------ ptflops 0.7.5
# get_model_complexity_info with its default PyTorch backend on one sample: a hook per exact module class
# (MODULES_MAPPING), plus, since count_functional is on by default, every call of a patched
# torch.nn.functional function or tensor method — including the calls PyTorch's own modules make in
# their forward, so ReLU, ELU, GELU, the pools and Upsample are counted twice, and SiLU, Softmax and LRN
# are counted through their functions only. Counts are per sample; cnncalc multiplies by the batch.


def _ptflops_conv(m: TorchModule, batch: int) -> float:
    """``conv_flops_counter_hook``: weights × output positions (input positions if transposed), plus one
    bias addition per output element."""
    positions = _spatial(m.input_shape if m.cls.startswith("ConvTranspose") else m.output_shape)
    bias = math.prod(m.output_shape) if m.biases else 0
    return batch * (m.weights * positions + bias)


def _per_element(times: int, shape: str = "input") -> Rule:
    return lambda m, batch: times * _n(m.input_shape if shape == "input" else m.output_shape, batch)


def _ptflops_lrn(m: TorchModule, batch: int) -> float:
    """``F.local_response_norm``: ``input.mul(input)``, ``.mul(alpha)`` and ``.add(k)`` (patched tensor
    methods) one per element each, and ``avg_pool2d``/``avg_pool3d`` over the squares padded to
    C + size − 1 channels."""
    size = int(str(m.arg("size")))
    channels, spatial = m.input_shape[0], _spatial(m.input_shape)
    return batch * (3 * math.prod(m.input_shape) + (channels + size - 1) * spatial)


PTFLOPS: dict[str, Rule] = {
    "Conv": _ptflops_conv,
    "ConvTranspose": _ptflops_conv,
    # hook (output elements) + F.relu / F.elu / F.gelu (input elements)
    "ReLU": _per_element(2),
    "ELU": _per_element(2),
    "GELU": _per_element(2),
    # hook only: ReLU6 calls F.hardtanh and LeakyReLU F.leaky_relu, which are not patched
    "ReLU6": _per_element(1),
    "LeakyReLU": _per_element(1),
    "SiLU": _per_element(1),  # F.silu only
    "Softmax": _per_element(1),  # F.softmax only
    # hook (input elements) + the patched F.max_pool*/avg_pool*/adaptive_* (input elements)
    "MaxPool": _per_element(2),
    "AvgPool": _per_element(2),
    "AdaptiveMaxPool": _per_element(2),
    "AdaptiveAvgPool": _per_element(2),
    # bn_flops_counter_hook: input elements, twice with `module.affine` — LayerNorm has no such attribute
    "BatchNorm": lambda m, batch: _n(m.input_shape, batch) * (2 if _affine(m) else 1),
    "GroupNorm": lambda m, batch: _n(m.input_shape, batch) * (2 if _affine(m) else 1),
    "LayerNorm": _per_element(1),
    "Linear": lambda m, batch: batch * (m.weights + m.biases),  # (in·out + out) per sample
    # hook (output elements) + F.interpolate (output elements for integer factors or a size)
    "Upsample": _per_element(2, "output"),
    "LocalResponseNorm": _ptflops_lrn,
}


# ---------------------------------------------------------------------------------- onnx-tool 1.0.1
# onnx_tool.model_profile on the ONNX file PyTorch's exporter writes for the module: a rule per ONNX op
# (onnx_tool/node.py), in its unit costs — a multiply, an addition or a comparison 1, a division 4, a
# square root 24, an exponential 32 — per output element unless said. Counts are per sample.

_ONNX_DIV, _ONNX_SQRT, _ONNX_EXP = 4, 24, 32


def _onnx_tool_conv(m: TorchModule, batch: int) -> float:
    """ConvNode: output elements × (C_in/groups · kernel), plus one addition per output element with a bias."""
    bias = math.prod(m.output_shape) if m.biases else 0
    return batch * (m.weights * _spatial(m.output_shape) + bias)


def _onnx_tool_deconv(m: TorchModule, batch: int) -> float:
    """ConvTransposeNode: output elements × prod(weight shape[1:]) = C_out/groups · kernel (not C_in: the
    transposed weight is [C_in, C_out/groups, k…]), plus the bias additions."""
    bias = math.prod(m.output_shape) if m.biases else 0
    return batch * (math.prod(m.output_shape) * (m.weights // m.input_shape[0]) + bias)


def _onnx_tool_resize(m: TorchModule, batch: int) -> float:
    """ResizeNode: nearest 0, linear modes 4, cubic 8 per output element."""
    mode = str(m.arg("mode", "nearest"))
    return (8 if mode == "bicubic" else 0 if mode == "nearest" else 4) * _n(m.output_shape, batch)


def _onnx_tool_pool(m: TorchModule, batch: int) -> float:
    """PoolBase: one comparison per output element and kernel tap (average pooling too)."""
    kernel = m.arg("kernel_size")
    taps = math.prod(kernel) if isinstance(kernel, tuple) else int(str(kernel)) ** (len(m.input_shape) - 1)
    return taps * _n(m.output_shape, batch)


def _onnx_tool_global_pool(m: TorchModule, batch: int) -> float:
    """GlobalAveragePoolNode (AdaptiveAvgPool to 1): one addition per input element, one division per output."""
    if any(n != 1 for n in m.output_shape[1:]):
        return 0
    return _n(m.input_shape, batch) + _ONNX_DIV * _n(m.output_shape, batch)


ONNX_TOOL: dict[str, Rule] = {
    "Conv": _onnx_tool_conv,
    "ConvTranspose": _onnx_tool_deconv,
    "Upsample": _onnx_tool_resize,
    "Linear": lambda m, batch: batch * (m.weights + m.biases),  # GemmNode: output × K, + output with a bias
    "ReLU": _per_element(1, "output"),  # a comparison
    "ReLU6": _per_element(2, "output"),  # Clip: two comparisons
    "Sigmoid": _per_element(_ONNX_EXP, "output"),
    "SiLU": _per_element(_ONNX_EXP + 1, "output"),  # Sigmoid and Mul
    "Tanh": _per_element(2 * (_ONNX_EXP + 2 + _ONNX_DIV), "output"),  # TanhNode: (e^2x − 1)/(e^2x + 1), ratio 2
    "Hardswish": _per_element(5, "output"),
    "Hardsigmoid": _per_element(4, "output"),
    "Softmax": _per_element(_ONNX_EXP + _ONNX_DIV, "output"),
    "MaxPool": _onnx_tool_pool,
    "AvgPool": _onnx_tool_pool,
    "AdaptiveAvgPool": _onnx_tool_global_pool,
    # BatchNormalizationNode: an addition, a square root, a division, an addition and a multiply per element
    "BatchNorm": _per_element(1 + _ONNX_SQRT + _ONNX_DIV + 1 + 1, "output"),
    "Add": _per_element(1, "output"),
    "Mul": _per_element(1, "output"),
}


_TOOL_FLOPS = "FLOPs = 2 × MACs"
CONVENTIONS: dict[str, Convention] = {
    c.name: c
    for c in (
        Convention(
            "default",
            "MACs = multiply-accumulates of conv, deconv and fc weights (bias additions and other layers are "
            "not counted); FLOPs = 2 × MACs",
        ),
        Convention(
            "full",
            "MACs = multiply-accumulates of conv, deconv and fc weights; other ops = bias additions, pooling "
            "comparisons and additions, activations, normalisation, LRN and element-wise merges, counted "
            "apart; FLOPs = 2 × MACs + other ops",
            other_ops=True,
        ),
        Convention(
            "torchinfo",
            'MACs = torchinfo 1.8\'s "Total mult-adds": a conv or transposed conv counts its weights and '
            "biases once per output position, any other layer with parameters its parameter count; " + _TOOL_FLOPS,
            _torchinfo,
        ),
        Convention(
            "fvcore",
            "MACs = fvcore's FlopCountAnalysis total (one flop per multiply-add; model in eval mode): conv "
            "and fc weights, batchnorm 2 per element (1 without affine), group/layer norm 5 (4), 2-D "
            "upsampling and adaptive average pooling; " + _TOOL_FLOPS,
            by_class(FVCORE),
        ),
        Convention(
            "thop",
            "MACs = thop's profile total: conv output elements × kernel inputs (for a transposed conv too), "
            "fc weights, batchnorm and layernorm 4 per element (2 without affine), average pooling, "
            "softmax, upsampling; activations, max pooling and unknown modules 0; " + _TOOL_FLOPS,
            by_class(THOP),
        ),
        Convention(
            "onnx-tool",
            "MACs = onnx-tool 1.0.1's model_profile total on the ONNX file PyTorch exports: conv and fc with "
            "their bias additions, and every element-wise op in its unit costs (comparison 1, division 4, "
            "square root 24, exponential 32): batchnorm 31 per element, ReLU 1, sigmoid 32, pooling 1 per "
            "kernel tap, global average pooling 1 per input element; " + _TOOL_FLOPS + "; its parameters "
            "include batchnorm's running statistics",
            by_class(ONNX_TOOL),
            params_with_buffers=True,
        ),
        Convention(
            "ptflops",
            "MACs = ptflops' get_model_complexity_info (PyTorch backend, functional counting on): conv and "
            "fc weights with their bias additions, 1 per element for normalisation and activations, "
            "pooling and upsampling — twice where PyTorch's module calls a patched function — and LRN; " + _TOOL_FLOPS,
            by_class(PTFLOPS),
        ),
    )
}
