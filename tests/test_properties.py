"""Arithmetic identities, checked on random layers with hypothesis."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

import cnncalc


def analyze(input_shape: list[int], layers: list[object]) -> cnncalc.Report:
    return cnncalc.analyze(cnncalc.from_dict({"name": "p", "input": input_shape, "layers": layers}))


conv_geometry = st.fixed_dictionaries(
    {
        "kernel": st.integers(1, 5),
        "stride": st.integers(1, 3),
        "padding": st.integers(0, 2),
        "dilation": st.integers(1, 2),
    }
)


@given(
    st.integers(1, 6),  # C_in
    st.integers(1, 6),  # C_out
    st.integers(8, 20),  # input size
    conv_geometry,
)
def test_transposed_conv_inverts_the_shape_of_conv(c_in: int, c_out: int, size: int, g: dict[str, int]) -> None:
    """A deconv with a conv's kernel, stride, padding and dilation maps the conv's output length back to its
    input length, once output_padding restores the remainder the conv's floor division dropped; it costs the
    same MACs (it is the conv's adjoint)."""
    span = g["dilation"] * (g["kernel"] - 1) + 1
    assume(size + 2 * g["padding"] >= span)
    conv = analyze([c_in, size], [{"conv": {"filters": c_out, **g}}]).layers[0]
    remainder = (size + 2 * g["padding"] - span) % g["stride"]
    deconv = analyze(list(conv.output_shape), [{"deconv": {"filters": c_in, "output_padding": remainder, **g}}]).layers[
        0
    ]
    assert deconv.output_shape == (c_in, size)
    assert deconv.macs == conv.macs
    assert deconv.weights == conv.weights


@given(st.integers(1, 16), st.integers(1, 16), st.integers(1, 16), st.integers(2, 12), st.integers(1, 3))
def test_widening_two_chained_convs_grows_compute_quadratically(
    c_in: int, width1: int, width2: int, size: int, factor: int
) -> None:
    """The second conv's MACs scale with C_in·C_out: widening both layers by f multiplies them by f²."""

    def second_conv_macs(w1: int, w2: int) -> int:
        layers = [
            {"conv": {"filters": w1, "kernel": 3, "padding": 1}},
            {"conv": {"filters": w2, "kernel": 3, "padding": 1}},
        ]
        return analyze([c_in, size, size], layers).layers[1].macs

    assert second_conv_macs(factor * width1, factor * width2) == factor**2 * second_conv_macs(width1, width2)


@given(st.integers(1, 8), st.integers(1, 4), st.integers(1, 4), st.integers(4, 12), conv_geometry)
def test_groups_split_a_conv_into_independent_convs(
    per_group_in: int, per_group_out: int, groups: int, size: int, g: dict[str, int]
) -> None:
    """A conv with g groups has exactly the weights and MACs of g convs, each on C_in/g channels."""
    span = g["dilation"] * (g["kernel"] - 1) + 1
    assume(size + 2 * g["padding"] >= span)
    grouped = analyze(
        [per_group_in * groups, size, size], [{"conv": {"filters": per_group_out * groups, "groups": groups, **g}}]
    ).layers[0]
    single = analyze([per_group_in, size, size], [{"conv": {"filters": per_group_out, **g}}]).layers[0]
    assert grouped.weights == groups * single.weights
    assert grouped.macs == groups * single.macs
    assert grouped.output_shape[1:] == single.output_shape[1:]


@given(st.integers(1, 4), st.integers(1, 40), st.integers(1, 40), st.integers(1, 4))
def test_same_padding_gives_ceil_of_size_over_stride(channels: int, h: int, w: int, stride: int) -> None:
    for kernel in (1, 2, 3, 4, 5):
        out = analyze(
            [channels, h, w], [{"conv": {"filters": 1, "kernel": kernel, "stride": stride, "padding": "same"}}]
        )
        assert out.output_shape[1:] == (-(-h // stride), -(-w // stride))
