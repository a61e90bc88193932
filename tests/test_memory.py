"""Peak activation memory (the liveness model of cnncalc.memory) and the training estimate, by hand."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import cnncalc
from cnncalc.memory import Peak, peak_activations, training_memory

from .conftest import Result

CHAIN = {
    "name": "chain",
    "input": [1, 8, 8],
    "layers": [
        {"conv": {"filters": 4, "kernel": 3, "padding": 1}},
        "relu",
        {"maxpool": {"kernel": 2}},
        {"fc": {"units": 10}},
    ],
}

RESIDUAL = {
    "name": "residual",
    "input": [4, 8, 8],
    "layers": [
        {
            "parallel": {
                "merge": "add",
                "branches": [
                    [
                        {"conv": {"filters": 4, "kernel": 3, "padding": 1}},
                        "batchnorm",
                        "relu",
                        {"conv": {"filters": 4, "kernel": 3, "padding": 1}},
                        "batchnorm",
                    ],
                    [],
                ],
            }
        },
        "relu",
    ],
}

INCEPTION = {
    "name": "inception",
    "input": [8, 4, 4],
    "layers": [
        {
            "parallel": {
                "merge": "concat",
                "branches": [
                    [{"conv": {"filters": 2, "kernel": 1}}],
                    [{"conv": {"filters": 4, "kernel": 1}}, {"conv": {"filters": 6, "kernel": 3, "padding": 1}}],
                    [{"maxpool": {"kernel": 3, "stride": 1, "padding": 1}}, {"conv": {"filters": 2, "kernel": 1}}],
                ],
            }
        }
    ],
}


@pytest.mark.parametrize(
    ("spec", "peak", "at"),
    [
        # input 64; conv 4·8·8 = 256 (input freed after it), relu 256: conv + relu alive = 512;
        # pool 4·4·4 = 64 with relu: 320; fc 10 with pool: 74
        pytest.param(CHAIN, 256 + 256, "relu1", id="chain"),
        # 4·8·8 = 256 per tensor. The input stays alive until the add reads it (identity branch), so
        # from the first batchnorm on, three tensors are alive: input, the layer's input and its output
        pytest.param(RESIDUAL, 3 * 256, "parallel1/b1/batchnorm1", id="residual"),
        # input 8·4·4 = 128, alive until b3's pool reads it. b1 conv 2·16 = 32 stays until the concat;
        # b2: 4·16 = 64 then 6·16 = 96 (64 freed); b3's pool (128) runs with input 128 + b1 32 +
        # b2 96 alive: 384; then the input is freed: b3 conv 32 → 288; concat 160 + 160 = 320
        pytest.param(INCEPTION, 128 + 32 + 96 + 128, "parallel1/b3/maxpool1", id="inception"),
    ],
)
def test_peak_activations(spec: dict[str, Any], peak: int, at: str) -> None:
    r = cnncalc.analyze(cnncalc.from_dict(spec))
    assert (r.totals.peak_activations, r.totals.peak_activation_layer) == (peak, at)
    assert r.totals.peak_activation_bytes == peak * 4  # float32
    assert r.totals.peak_activations < r.totals.activations + r.layers[0].input_shape[0]  # the sum overstates it
    batched = cnncalc.analyze(cnncalc.from_dict(spec), batch=3, dtype="float16")
    assert (batched.totals.peak_activations, batched.totals.peak_activation_bytes) == (3 * peak, 3 * peak * 2)


def test_peak_of_a_network_without_rows_is_its_input() -> None:
    assert peak_activations(3 * 8 * 8, ()) == Peak(3 * 8 * 8, "input")


def test_peak_json_keys() -> None:
    totals = cnncalc.analyze(cnncalc.preset("alexnet")).to_dict()["totals"]
    # conv1's output and relu1's: 2 · 96·55·55 (the input is freed once conv1 has read it)
    assert totals["peak_activations"] == 2 * 96 * 55 * 55
    assert (totals["peak_activation_bytes"], totals["peak_activation_layer"]) == (2 * 96 * 55 * 55 * 4, "relu1")


@pytest.mark.parametrize(("optimizer", "state"), [("sgd", 0), ("momentum", 1), ("adam", 2)])
def test_training_memory(optimizer: str, state: int) -> None:
    r = cnncalc.analyze(cnncalc.preset("alexnet"), batch=64, dtype="float32")
    m = training_memory(r, optimizer)
    params = 60_965_224  # bvlc_alexnet, see test_presets
    assert m.parameters == params * 4
    assert m.gradients == params * 4
    assert m.optimizer_state == state * params * 4
    # every row's output, for the whole batch: 64 times one sample's
    assert m.activations == 64 * cnncalc.analyze(cnncalc.preset("alexnet")).totals.activations * 4
    assert m.input == 64 * 3 * 227 * 227 * 4
    assert m.total == (2 + state) * params * 4 + m.activations + m.input
    assert any(optimizer in a for a in m.assumptions)
    assert m.to_dict()["total_bytes"] == m.total


def test_training_memory_counts_no_gradient_for_running_statistics() -> None:
    r = cnncalc.analyze(cnncalc.from_dict({"name": "bn", "input": [16, 4, 4], "layers": ["batchnorm"]}), dtype="int8")
    m = training_memory(r, "adam")
    # 2·16 learnable (γ, β) and 2·16 running statistics, one byte each
    assert (m.parameters, m.gradients, m.optimizer_state) == (4 * 16, 2 * 16, 2 * 2 * 16)


def test_memory_command(cli: Callable[..., Result]) -> None:
    result = cli("memory", "alexnet", "--batch", "64", "--optimizer", "momentum", "-f", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    params, act = 60_965_224 * 4, 64 * 2 * 96 * 55 * 55 * 4  # bvlc_alexnet; conv1 + relu1 outputs
    assert data["inference"] == {
        "parameter_bytes": params,
        "peak_activation_bytes": act,
        "peak_activation_layer": "relu1",
        "total_bytes": params + act,
    }
    training = data["training"]
    assert training["optimizer_state_bytes"] == params  # one velocity per parameter
    assert training["total_bytes"] == 3 * params + training["activation_bytes"] + training["input_bytes"]
    assert "branch point's tensor until its merge" in data["liveness"]
    table = cli("memory", "alexnet", "-b", "64").stdout
    assert "Optimizer state (adam)" in table and "no activation checkpointing" in table
    assert cli("memory", "alexnet", "-f", "markdown").stdout.startswith("## alexnet: 3×227×227, batch 1, float32")


def test_memory_command_rejects_unknown_optimizers(cli: Callable[..., Result]) -> None:
    result = cli("memory", "alexnet", "--optimizer", "lion")
    assert result.exit_code == 2 and "'lion' is not one of" in result.stderr
