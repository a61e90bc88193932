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

import math

from .record import record

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


@record
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
        # PyTorch's pooling_output_shape: ⌊(room + S − 1)/S⌋ + 1 in ceil mode, which is 1 when the window
        # overhangs the padded input by less than a stride (length 2, kernel 3, stride 3 → 1 window)
        out = (room + stride - 1) // stride + 1 if ceil_mode else 0
        extra = out > 0
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
    """Count real input positions that no window reads, exactly, in O(log) time whatever the sizes.

    In padded coordinates the real input is ``[P_b, P_b + N − 1]``; window ``i`` reads ``i·S + j·d`` for
    taps ``j < k``. Tap ``j`` alone reads an arithmetic progression of step ``S``. With ``g = gcd(d, S)``,
    ``p = S/g`` and ``d' = d/g``, taps ``j`` and ``j'`` read the same residue class modulo ``S`` exactly
    when ``p`` divides ``j − j'``, and neighbours in a class start ``d'`` steps of ``S`` apart. So when
    ``d' ≥ out`` (or ``k ≤ p``) no two taps read a common position and the covered count is a plain sum over
    taps; otherwise the taps of each class merge into one progression of ``(cnt − 1)·d' + out`` steps.
    Either way the count is a sum of floors of linear functions (:func:`_floor_sum`).
    """
    if out <= 0:
        return size, size
    lo, hi = pad_before, pad_before + size - 1
    last_read = (out - 1) * stride + span - 1
    trailing = max(0, hi - max(last_read, lo - 1))
    if dilation == 1 and stride <= kernel:
        return trailing, trailing  # windows overlap or touch: coverage is one contiguous run
    g = math.gcd(dilation, stride)
    period, step = stride // g, dilation // g
    if step >= out or kernel <= period:
        covered = _tap_reads(0, kernel, out, lo, hi, stride, dilation)
    else:
        full, last = divmod(kernel - 1, period)  # class j (j < p) has full + 1 taps if j ≤ last, else full
        covered = _tap_reads(0, last + 1, out + full * step, lo, hi, stride, dilation) + _tap_reads(
            last + 1, period, out + (full - 1) * step, lo, hi, stride, dilation
        )
    return size - covered, trailing


def _tap_reads(first: int, stop: int, n: int, lo: int, hi: int, stride: int, dilation: int) -> int:
    """``Σ_{first ≤ j < stop} #{t < n : lo ≤ j·d + t·S ≤ hi}``: real positions read by progressions of
    ``n`` steps of ``S`` starting at ``j·d``, counted per progression."""
    reach = (n - 1) * stride
    first = max(first, -((reach - lo) // dilation))  # progressions ending before lo read nothing
    stop = min(stop, hi // dilation + 1)  # … and so do those starting after hi
    if first >= stop:
        return 0
    # the last index read is min(n − 1, ⌊(hi − j·d)/S⌋): n − 1 below full_until
    full_until = min(max(first, (hi - reach) // dilation + 1), stop)
    tail = stop - full_until
    last_index = (n - 1) * (full_until - first) + _floor_sum(tail, stride, dilation, hi - (stop - 1) * dilation)
    # the first index read is ⌈(lo − j·d)/S⌉ = −⌊(j·d − lo)/S⌋ for j·d < lo, else 0
    inside_from = min(max(first, -(-lo // dilation)), stop)
    first_index = -_floor_sum(inside_from - first, stride, dilation, first * dilation - lo)
    return last_index - first_index + (stop - first)


def _floor_sum(n: int, m: int, a: int, b: int) -> int:
    """``Σ_{i<n} ⌊(a·i + b)/m⌋`` for ``n ≥ 0``, ``m ≥ 1``, in O(log) steps (the Euclid-like reduction of
    the AtCoder Library's ``floor_sum``)."""
    total = 0
    if a < 0 or a >= m:
        total += n * (n - 1) // 2 * (a // m)
        a %= m
    if b < 0 or b >= m:
        total += n * (b // m)
        b %= m
    while n:
        if a >= m:
            total += n * (n - 1) // 2 * (a // m)
            a %= m
        if b >= m:
            total += n * (b // m)
            b %= m
        y_max = a * n + b
        if y_max < m:
            break
        n, b = y_max // m, y_max % m
        m, a = a, m
    return total


def transposed_length(
    size: int, kernel: int, stride: int, dilation: int, pad_before: int, pad_after: int, output_padding: int
) -> int:
    """Transposed convolution output: ``(N − 1)·S − P_b − P_a + d·(k − 1) + output_padding + 1``."""
    return (size - 1) * stride - pad_before - pad_after + effective_kernel(kernel, dilation) + output_padding


@record
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
