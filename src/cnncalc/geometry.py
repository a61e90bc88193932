"""Sliding-window arithmetic, one axis at a time, in exact integers.

Convolution and pooling share these formulas (Dumoulin & Visin, "A guide to convolution arithmetic for
deep learning", arXiv:1603.07285, relationships 1-12, generalised to asymmetric padding):

* effective kernel ``k_eff = d·(k − 1) + 1``;
* output length ``floor((N + P_before + P_after − k_eff) / S) + 1``;
* with ``ceil_mode`` the division rounds up, and a last window that would start inside the right padding
  (or beyond) is dropped — PyTorch's rule (``pooling_output_shape_pad_lr`` in ATen). Caffe applies the
  drop only when padding > 0, so for a window narrower than the stride with no padding Caffe produces one
  more (empty) window than PyTorch; cnncalc follows PyTorch. (PyTorch's rule can drop a window that floor
  mode keeps when padding exceeds half the kernel, which PyTorch forbids for pooling; cnncalc only ever
  drops the extra window ceil mode adds, so ceil mode never gives less than floor mode);
* transposed convolution ``(N − 1)·S − P_before − P_after + k_eff + output_padding``.

``same`` and ``valid`` padding are TensorFlow's: ``valid`` is no padding; ``same`` makes the output
``ceil(N / S)`` long with total padding ``max((out − 1)·S + k_eff − N, 0)``, the odd pixel after.
"""

from __future__ import annotations

from dataclasses import dataclass

AXIS_NAMES: dict[int, tuple[str, ...]] = {
    1: ("length",),
    2: ("height", "width"),
    3: ("depth", "height", "width"),
}
AXIS_UNITS: dict[int, tuple[str, ...]] = {
    1: ("positions",),
    2: ("rows", "columns"),
    3: ("slices", "rows", "columns"),
}


def axis_name(rank: int, axis: int) -> str:
    names = AXIS_NAMES.get(rank)
    return names[axis] if names else f"axis {axis + 1}"


def axis_unit(rank: int, axis: int) -> str:
    units = AXIS_UNITS.get(rank)
    return units[axis] if units else f"positions along axis {axis + 1}"


def effective_kernel(kernel: int, dilation: int) -> int:
    """``d·(k − 1) + 1``: the span of a dilated kernel."""
    return dilation * (kernel - 1) + 1


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TensorFlow's ``same`` padding: output ``ceil(N/S)``; the odd pixel of padding goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + effective_kernel(kernel, dilation) - size, 0)
    return total // 2, total - total // 2


@dataclass(frozen=True, slots=True)
class Window:
    """One spatial axis of a sliding-window layer (conv or pool) after its output length is known."""

    size: int
    kernel: int
    stride: int
    dilation: int
    pad_before: int
    pad_after: int
    ceil_mode: bool
    out: int
    unread: int  # positions of the real input (not padding) that no window reads
    trailing_unread: int  # of those, the ones after the last position any window reads
    ceil_extra: bool = False  # ceil mode added a last, partial window that floor mode would not have
    ceil_dropped: bool = False  # ceil mode's extra window would start in the right padding: dropped

    @property
    def span(self) -> int:
        return effective_kernel(self.kernel, self.dilation)

    @property
    def padded(self) -> int:
        return self.size + self.pad_before + self.pad_after


def window(
    size: int,
    kernel: int,
    stride: int = 1,
    dilation: int = 1,
    pad_before: int = 0,
    pad_after: int = 0,
    ceil_mode: bool = False,
) -> Window:
    """Output length of a sliding window along one axis, and how much of the input it never reads.

    ``out`` may be ≤ 0: the caller decides how to report that.
    """
    span = effective_kernel(kernel, dilation)
    room = size + pad_before + pad_after - span
    extra = dropped = False
    if room < 0:
        out = 0
    else:
        out = room // stride + 1
        if ceil_mode and room % stride:
            if out * stride < size + pad_before:
                out += 1  # the extra, partial window ceil mode adds
                extra = True
            else:
                dropped = True  # it would start in the right padding: PyTorch drops it
    unread, trailing = _unread(size, span, kernel, stride, dilation, pad_before, out)
    return Window(
        size, kernel, stride, dilation, pad_before, pad_after, ceil_mode, out, unread, trailing, extra, dropped
    )


def _unread(
    size: int, span: int, kernel: int, stride: int, dilation: int, pad_before: int, out: int
) -> tuple[int, int]:
    """Count real input positions that no window reads, exactly, in O(k log k).

    In padded coordinates the real input is ``[P_b, P_b + N − 1]``; window ``i`` reads ``i·S + j·d`` for
    ``j < k``. For a fixed tap ``j`` the reads form an arithmetic progression of step ``S``; taps whose
    offsets agree modulo ``S`` cover overlapping intervals of one residue class, which are merged and
    clipped to the real input.
    """
    if out <= 0:
        return size, size
    lo, hi = pad_before, pad_before + size - 1
    last_read = (out - 1) * stride + span - 1
    trailing = max(0, hi - max(last_read, lo - 1))
    if dilation == 1 and stride <= kernel:
        return trailing, trailing  # windows overlap or touch: coverage is one contiguous run
    by_residue: dict[int, list[int]] = {}
    for j in range(kernel):
        offset = j * dilation
        by_residue.setdefault(offset % stride, []).append(offset)
    length = (out - 1) * stride
    covered = 0
    for residue, starts in by_residue.items():
        starts.sort()
        run_start, run_end = starts[0], starts[0] + length
        for start in starts[1:]:
            if start <= run_end + stride:
                run_end = max(run_end, start + length)
            else:
                covered += _lattice_points(run_start, run_end, lo, hi, residue, stride)
                run_start, run_end = start, start + length
        covered += _lattice_points(run_start, run_end, lo, hi, residue, stride)
    return size - covered, trailing


def _lattice_points(a: int, b: int, lo: int, hi: int, residue: int, stride: int) -> int:
    """How many ``x ≡ residue (mod stride)`` lie in ``[max(a, lo), min(b, hi)]``."""
    first, last = max(a, lo), min(b, hi)
    if first > last:
        return 0
    return (last - residue) // stride - (first - residue + stride - 1) // stride + 1


def transposed_length(
    size: int, kernel: int, stride: int, dilation: int, pad_before: int, pad_after: int, output_padding: int
) -> int:
    """Transposed convolution output: ``(N − 1)·S − P_b − P_a + d·(k − 1) + output_padding + 1``."""
    return (size - 1) * stride - pad_before - pad_after + effective_kernel(kernel, dilation) + output_padding


@dataclass(frozen=True, slots=True)
class TransposedWindow:
    """One spatial axis of a transposed convolution; ``out`` may be ≤ 0 (the caller reports it)."""

    size: int
    kernel: int
    stride: int
    dilation: int
    pad_before: int
    pad_after: int
    output_padding: int
    out: int

    @property
    def span(self) -> int:
        return effective_kernel(self.kernel, self.dilation)


def transposed_window(
    size: int, kernel: int, stride: int, dilation: int, pad_before: int, pad_after: int, output_padding: int
) -> TransposedWindow:
    out = transposed_length(size, kernel, stride, dilation, pad_before, pad_after, output_padding)
    return TransposedWindow(size, kernel, stride, dilation, pad_before, pad_after, output_padding, out)


def adaptive_span(size: int, out: int) -> int:
    """The longest window of PyTorch's adaptive pooling: window ``i`` is ``[⌊i·N/out⌋, ⌈(i+1)·N/out⌉)``."""
    return max(-(-(i + 1) * size // out) - i * size // out for i in range(out))


def keras_transposed_padding(padding: str, size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int, int]:
    """``same``/``valid`` for a transposed conv without explicit output_padding, as Keras defines them.

    Keras (``deconv_output_length``): ``valid`` gives ``N·S + max(k_eff − S, 0)``, ``same`` gives
    ``N·S``. Returned as the equivalent ``(P_before, P_after, output_padding)`` for the general formula.
    """
    span = effective_kernel(kernel, dilation)
    if padding == "valid":
        return (0, 0, 0) if span >= stride else (0, 0, stride - span)
    total = span - stride
    if total >= 0:
        return total // 2, total - total // 2, 0
    return 0, 0, stride - span
