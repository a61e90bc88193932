"""Window arithmetic per axis: output length, padding, unread input. Expected values are worked by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnncalc.geometry import keras_transposed_padding, same_padding, transposed_length, window


@pytest.mark.parametrize(
    ("size", "k", "s", "d", "pb", "pa", "ceil", "out", "unread"),
    [
        # AlexNet conv1 on 227: (227 - 11) / 4 + 1 = 55 exactly
        pytest.param(227, 11, 4, 1, 0, 0, False, 55, 0, id="alexnet-227"),
        # on 224: floor(213 / 4) + 1 = 54; the last window ends at 53*4 + 10 = 222, row 223 is never read
        pytest.param(224, 11, 4, 1, 0, 0, False, 54, 1, id="alexnet-224-unread-row"),
        # torchvision pads by 2: floor((224 + 4 - 11) / 4) + 1 = 55; last window ends at 226 ≥ 225 (last real)
        pytest.param(224, 11, 4, 1, 2, 2, False, 55, 0, id="torchvision-conv1"),
        # GoogLeNet pool1: ceil((112 - 3) / 2) + 1 = 56 (Caffe rounds up), floor gives 55 and skips row 111
        pytest.param(112, 3, 2, 1, 0, 0, True, 56, 0, id="googlenet-pool1-ceil"),
        pytest.param(112, 3, 2, 1, 0, 0, False, 55, 1, id="pool-floor-unread"),
        # ceil((5 - 1) / 3) + 1 = 3, but the 3rd window would start at 6 ≥ 5: PyTorch drops it → 2
        # (Caffe keeps it when there is no padding). Reads 0 and 3: positions 1, 2, 4 are never read.
        pytest.param(5, 1, 3, 1, 0, 0, True, 2, 3, id="ceil-drop-window-in-padding"),
        # ceil((6 + 2 - 3) / 2) + 1 = 4; the 4th window starts at 6 = pb + N - 1, inside the input: kept
        pytest.param(6, 3, 2, 1, 1, 1, True, 4, 0, id="ceil-keep-last-window"),
        # dilation 2 makes a 3-tap kernel span 5: (10 - 5) / 1 + 1 = 6
        pytest.param(10, 3, 1, 2, 0, 0, False, 6, 0, id="dilation"),
        # span 5 at stride 2 on 7: windows read {0, 2, 4} and {2, 4, 6}: odd positions 1, 3, 5 never read
        pytest.param(7, 3, 2, 2, 0, 0, False, 2, 3, id="dilation-gaps"),
        # a 1×1 stride-2 conv (ResNet projection) reads every other position: 28 of 56 unread
        pytest.param(56, 1, 2, 1, 0, 0, False, 28, 28, id="resnet-projection"),
        # asymmetric padding: (5 + 0 + 1 - 3) / 2 + 1 = 2
        pytest.param(5, 3, 2, 1, 0, 1, False, 2, 0, id="asymmetric"),
        # kernel larger than the padded input: no output
        pytest.param(2, 3, 1, 1, 0, 0, False, 0, 2, id="too-small"),
        # ceil mode with the window overhanging the input: PyTorch's pooling_output_shape (ATen Pool.h) is
        # ⌊(2 − 3 + 3 − 1) / 3⌋ + 1 = 1 window, reading positions 0 and 1 (issue 10)
        pytest.param(2, 3, 3, 1, 0, 0, True, 1, 0, id="ceil-window-overhangs"),
        pytest.param(3, 4, 4, 1, 0, 0, True, 1, 0, id="ceil-overhang-4"),
        # ⌊(2 − 5 + 3 − 1) / 3⌋ + 1 = 0: PyTorch refuses ("Invalid computed output size: 0"), so does cnncalc
        pytest.param(2, 5, 3, 1, 0, 0, True, 0, 2, id="ceil-overhang-a-stride-or-more"),
    ],
)
def test_window(size: int, k: int, s: int, d: int, pb: int, pa: int, ceil: bool, out: int, unread: int) -> None:
    w = window(size, k, s, d, pb, pa, ceil)
    assert (w.out, w.unread) == (out, unread)


@pytest.mark.parametrize(
    ("size", "k", "s", "d", "expected"),
    [
        # TensorFlow: out = ceil(224 / 2) = 112, total = max((112 - 1)·2 + 3 - 224, 0) = 1, odd pixel after
        pytest.param(224, 3, 2, 1, (0, 1), id="stride2-odd-after"),
        # out = ceil(225 / 2) = 113, total = 112·2 + 3 - 225 = 2
        pytest.param(225, 3, 2, 1, (1, 1), id="stride2-even"),
        # even kernel at stride 1: total = 4 - 1 = 3 → (1, 2)
        pytest.param(5, 4, 1, 1, (1, 2), id="even-kernel"),
        # dilation 2: span 5, total 4
        pytest.param(10, 3, 1, 2, (2, 2), id="dilated"),
        # stride larger than the kernel: total = max((3 - 1)·4 + 1 - 9, 0) = 0
        pytest.param(9, 1, 4, 1, (0, 0), id="no-padding-needed"),
    ],
)
def test_same_padding(size: int, k: int, s: int, d: int, expected: tuple[int, int]) -> None:
    assert same_padding(size, k, s, d) == expected


def test_transposed_length() -> None:
    # (4 - 1)·2 - 1 - 1 + 2·(3 - 1) + 1 + 1 = 8: the usual "double the size" deconv
    assert transposed_length(4, 3, 2, 1, 1, 1, 1) == 3 * 2 - 2 + 2 + 1 + 1


@pytest.mark.parametrize(
    ("mode", "k", "s", "size", "expected_length"),
    [
        pytest.param("valid", 3, 2, 7, 7 * 2 + (3 - 2), id="valid-k>s"),  # Keras: N·S + max(k - S, 0)
        pytest.param("valid", 1, 2, 7, 7 * 2, id="valid-k<s"),
        pytest.param("same", 3, 2, 7, 7 * 2, id="same-k>s"),  # Keras: N·S
        pytest.param("same", 4, 2, 7, 7 * 2, id="same-even"),
        pytest.param("same", 1, 3, 7, 7 * 3, id="same-k<s"),
    ],
)
def test_keras_transposed(mode: str, k: int, s: int, size: int, expected_length: int) -> None:
    pb, pa, op = keras_transposed_padding(mode, size, k, s, 1)
    assert transposed_length(size, k, s, 1, pb, pa, op) == expected_length
    assert op < s  # expressible in PyTorch


def _brute(size: int, k: int, s: int, d: int, pb: int, pa: int, out: int) -> tuple[int, int]:
    """Enumerate every tap of every window (the slow, obviously correct way)."""
    read = {i * s + j * d - pb for i in range(out) for j in range(k)}
    unread = [p for p in range(size) if p not in read]
    return len(unread), sum(1 for p in unread if p > max(read))


geometry = st.tuples(
    st.integers(1, 60),  # size
    st.integers(1, 7),  # kernel
    st.integers(1, 6),  # stride
    st.integers(1, 4),  # dilation
    st.integers(0, 4),  # pad before
    st.integers(0, 4),  # pad after
    st.booleans(),  # ceil mode
)


@given(geometry)
def test_unread_matches_enumeration(g: tuple[int, int, int, int, int, int, bool]) -> None:
    size, k, s, d, pb, pa, ceil = g
    w = window(size, k, s, d, pb, pa, ceil)
    if w.out <= 0:
        return
    assert (w.unread, w.trailing_unread) == _brute(size, k, s, d, pb, pa, w.out)


@given(geometry)
def test_floor_length_counts_whole_windows(g: tuple[int, int, int, int, int, int, bool]) -> None:
    size, k, s, d, pb, pa, _ = g
    span = d * (k - 1) + 1
    whole = sum(1 for start in range(0, size + pb + pa) if start % s == 0 and start + span <= size + pb + pa)
    assert window(size, k, s, d, pb, pa, False).out == whole


@given(geometry)
def test_ceil_adds_at_most_one_window_starting_in_the_input(g: tuple[int, int, int, int, int, int, bool]) -> None:
    size, k, s, d, pb, pa, _ = g
    floor, ceil = window(size, k, s, d, pb, pa, False), window(size, k, s, d, pb, pa, True)
    if floor.out <= 0:
        return
    assert ceil.out - floor.out in (0, 1)
    if ceil.out > floor.out:
        assert (ceil.out - 1) * s < size + pb  # the extra window starts before the right padding (PyTorch)
