"""``cnncalc check``: exit statuses, budgets with units, per-layer expectations, strict mode, directories,
and the table, JSON and GitHub formats."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import cnncalc
from cnncalc.checks import CHECK_KEYS

from .conftest import ROOT, Result

Cli = Callable[..., Result]
Write = Callable[..., Path]

# seed-example: conv 32 filters 3×3 pad 1, then conv 64 filters 5×5 pad 2, on 1×28×28 (no unread input)
SEED_PARAMS = (32 * 3 * 3 + 32) + (64 * 5 * 5 * 32 + 64)  # 51,584
SEED_MACS = 32 * 3 * 3 * 28 * 28 + 64 * 5 * 5 * 32 * 28 * 28  # 225,792 + 40,140,800 = 40,366,592
SEED_ACTIVATION_BYTES = (32 + 64) * 28 * 28 * 4  # float32: 301,056 = 294 KiB exactly
SEED_PARAM_BYTES = SEED_PARAMS * 4  # 206,336

TINY = """\
name: tiny
input: [1, 28, 28]
checks:
{checks}
layers:
  - conv: {{name: c1, filters: 8, kernel: 3}}
  - conv: {{name: c2, filters: 4, kernel: 2, stride: 2}}
"""
# c1: 8·3·3·1 + 8 = 80 params, output 8×26×26; c2: 4·2·2·8 + 4 = 132 params, output 4×13×13; total 212.
# Neither leaves input unread: 28 − 3 = 25 at stride 1, 26 − 2 = 24 is a multiple of 2.


def tiny(checks: str) -> str:
    return TINY.format(checks=checks or "  {}")


@pytest.fixture
def seed(spec_file: Write) -> Path:
    return spec_file(cnncalc.preset_text("seed-example"), "seed.yaml")


def test_the_budget_edges_below_are_the_seed_figures() -> None:
    t = cnncalc.analyze(cnncalc.preset("seed-example")).totals
    assert (t.params, t.macs, t.activation_bytes, t.param_bytes) == (
        SEED_PARAMS,
        SEED_MACS,
        SEED_ACTIVATION_BYTES,
        SEED_PARAM_BYTES,
    )
    assert SEED_ACTIVATION_BYTES == 294 * 1024 and SEED_PARAM_BYTES == 206_336


BUDGETS = [
    # (option, value, exit status) — each unit once, at the edge: a budget equal to the figure passes
    pytest.param("--max-params", f"{SEED_PARAMS}", 0, id="params-equal"),
    pytest.param("--max-params", "51_583", 1, id="params-one-under"),
    pytest.param("--max-params", "51.584K", 0, id="params-K-exact"),
    pytest.param("--max-params", "0.05M", 1, id="params-M"),
    pytest.param("--max-macs", "40.37M", 0, id="macs-M"),
    pytest.param("--max-macs", "40.36M", 1, id="macs-M-under"),
    pytest.param("--max-macs", "0.1G", 0, id="macs-G"),
    pytest.param("--max-flops", "80.733184M", 0, id="flops-exact"),  # 2 × 40,366,592
    pytest.param("--max-flops", "80.733183M", 1, id="flops-one-under"),
    pytest.param("--max-activation-bytes", "294KiB", 0, id="activation-KiB-exact"),
    pytest.param("--max-activation-bytes", "293KiB", 1, id="activation-KiB-under"),
    pytest.param("--max-activation-bytes", "0.31MB", 0, id="activation-MB"),
    pytest.param("--max-activation-bytes", "1GiB", 0, id="activation-GiB"),
    pytest.param("--max-param-bytes", "206.336kB", 0, id="param-bytes-kB-exact"),
    pytest.param("--max-param-bytes", "206335B", 1, id="param-bytes-B-under"),
    pytest.param("--max-param-bytes", "1MiB", 0, id="param-bytes-MiB"),
    pytest.param("--params", f"{SEED_PARAMS}", 0, id="params-exact"),
    pytest.param("--params", "51_585", 1, id="params-off-by-one"),
    pytest.param("--macs", f"{SEED_MACS:_}", 0, id="macs-exact"),
    pytest.param("--output-shape", "64x28x28", 0, id="output-shape"),
    pytest.param("--output-shape", "[64, 28, 28]", 0, id="output-shape-list"),
    pytest.param("--output-shape", "64x28", 1, id="output-shape-wrong"),
]


@pytest.mark.parametrize(("option", "value", "status"), BUDGETS)
def test_budgets_and_exact_figures(cli: Cli, seed: Path, option: str, value: str, status: int) -> None:
    result = cli("check", str(seed), option, value)
    assert result.exit_code == status, result
    assert result.stdout.startswith("PASS" if status == 0 else "FAIL")


def test_failure_message_names_figure_budget_and_excess(cli: Cli, seed: Path) -> None:
    result = cli("check", str(seed), "--max-params", "50K")
    # 51,584 − 50,000 = 1,584 over, 1,584 / 50,000 = 3.17%
    assert "params 51,584 exceed max_params 50K (50,000) by 1,584 (+3.17%)" in result.stdout
    assert result.stdout.endswith("0 passed, 1 failed\n")


def test_byte_units_are_refused_for_counts(cli: Cli, seed: Path) -> None:
    result = cli("check", str(seed), "--max-params", "7MB")
    assert result.exit_code == 2
    assert "--max-params: 7MB is a size in bytes, but this counts parameters" in result.stderr
    assert "max_param_bytes" in result.stderr


def test_every_check_key_has_an_option(cli: Cli) -> None:
    text = cli("check", "--help").stdout
    for key in CHECK_KEYS:
        assert "--" + key.replace("_", "-") in text


# ----------------------------------------------------------------------------------- exit statuses


def test_exit_statuses(cli: Cli, spec_file: Write) -> None:
    ok = spec_file(tiny("  max_params: 212"), "ok.yaml")  # 80 + 132 = 212
    over = spec_file(tiny("  max_params: 211"), "over.yaml")
    invalid = spec_file("name: x\ninput: [1, 28, 28]\nlayers:\n  - conv: {filters: 8, kernal: 3}\n", "invalid.yaml")
    assert cli("check", str(ok)).exit_code == 0
    assert cli("check", str(over)).exit_code == 1
    assert cli("check", str(invalid)).exit_code == 2
    assert cli("check", str(ok), str(over)).exit_code == 1
    assert cli("check", str(over), str(invalid)).exit_code == 2  # 2 wins: something could not be checked
    assert cli("check", str(ok), str(ok.parent / "missing.yaml")).exit_code == 2
    assert cli("check").exit_code == 2  # no path: a usage error


def test_a_directory_reports_every_file(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "nets" / "sub").mkdir(parents=True)
    (tmp_path / "nets" / ".hidden").mkdir()
    (tmp_path / "nets" / "a_ok.yaml").write_text(tiny("  params: 212"))
    (tmp_path / "nets" / "b_invalid.yaml").write_text("name: x\ninput: [1, 28, 28]\nlayers: []\n")
    (tmp_path / "nets" / "sub" / "c_fail.yml").write_text(tiny("  output_shape: [10]"))
    (tmp_path / "nets" / "sub" / "d_ok.yml").write_text(tiny(""))
    (tmp_path / "nets" / ".hidden" / "e.yaml").write_text("not: a spec\n")  # hidden: skipped
    (tmp_path / "nets" / "notes.txt").write_text("not yaml")  # not *.yaml/*.yml: skipped
    result = cli("check", str(tmp_path / "nets"))
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["PASS", "ERROR", "FAIL", "PASS"]
    assert [Path(line.split()[1].split(":")[0]).name for line in lines[:-1]] == [
        "a_ok.yaml",
        "b_invalid.yaml",
        "c_fail.yml",
        "d_ok.yml",
    ]
    assert "output shape [4, 13, 13], expected [10]" in lines[2]
    assert lines[-1] == "2 passed, 2 failed (1 invalid)"


def test_an_empty_directory_is_an_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("check", str(tmp_path))
    assert result.exit_code == 2
    assert "no *.yaml or *.yml files in this directory" in result.stdout


def test_standard_input(cli: Cli) -> None:
    result = cli("check", "-", input=tiny("  params: 212"))
    assert result.exit_code == 0
    assert result.stdout.startswith("PASS   <stdin>  tiny: 1 check passed")


def test_flags_win_over_the_file(cli: Cli, spec_file: Write) -> None:
    path = spec_file(tiny("  max_params: 100\n  strict: true"))
    assert cli("check", str(path)).exit_code == 1
    assert cli("check", str(path), "--max-params", "1K").exit_code == 0


# ------------------------------------------------------------------------------- per-layer checks


GOOGLENET = cnncalc.preset_text("googlenet")

LAYER_CHECKS = [
    # (layers entry, exit status, text in the report) — output sizes from Table 1 of Szegedy et al. 2015
    pytest.param("inception_3a: {output_shape: [256, 28, 28]}", 0, "1 check passed", id="block-instance-output"),
    pytest.param("inception_4e/concat: {output_shape: [832, 14, 14]}", 0, "1 check passed", id="merge-path"),
    pytest.param("inception_3a/b2/3x3: {params: 110_720}", 0, "1 check passed", id="layer-path"),  # 3·3·96·128 + 128
    pytest.param("pool5: {output_shape: [1024, 1, 1]}", 0, "1 check passed", id="layer-name"),
    pytest.param(
        "inception_3a: {output_shape: [256, 14, 14]}",
        1,
        "inception_3a: output shape [256, 28, 28], expected [256, 14, 14]",
        id="block-instance-wrong",
    ),
    pytest.param(
        "inception_3a: {max_params: 150K}",  # the module's parameters: 163,696 (all six convs of 3a)
        1,
        "inception_3a: params 163,696 exceed max_params 150K (150,000) by 13,696",
        id="module-budget",
    ),
    pytest.param("inception_9z: {params: 1}", 2, "no layer or block named 'inception_9z'", id="unknown"),
    pytest.param("3x3: {params: 1}", 2, "'3x3' names 9 layers", id="ambiguous-name"),
]


@pytest.mark.parametrize(("entry", "status", "text"), LAYER_CHECKS)
def test_per_layer_expectations(cli: Cli, spec_file: Write, entry: str, status: int, text: str) -> None:
    path = spec_file(GOOGLENET + f"checks:\n  layers:\n    {entry}\n")
    result = cli("check", str(path))
    assert result.exit_code == status, result
    assert text in result.stdout


def test_a_parallel_by_name_means_its_merged_output(cli: Cli, spec_file: Write) -> None:
    text = (
        "name: p\ninput: [1, 28, 28]\n"
        "checks:\n  layers:\n    mixed: {output_shape: [12, 26, 26], params: 120}\n"
        "layers:\n  - parallel:\n      name: mixed\n      merge: concat\n"
        "      branches: [[conv: {filters: 8, kernel: 3}], [conv: {filters: 4, kernel: 3}]]\n"
    )
    # concat of 8 + 4 = 12 maps of 28 − 3 + 1 = 26; params (8·9 + 8) + (4·9 + 4) = 80 + 40 = 120
    result = cli("check", str(spec_file(text)))
    assert result.exit_code == 0, result


def test_per_layer_expectation_on_the_command_line(cli: Cli, spec_file: Write) -> None:
    path = spec_file(GOOGLENET)
    ok = cli("check", str(path), "-e", "inception_3a.output_shape=256x28x28", "-e", "inception_5b.macs=70.697984M")
    # inception_5b MACs: 7·7·(832·384 + 832·192 + 192·9·384 + 832·48 + 48·25·128 + 832·128) = 70,697,984
    # (Table 1 of Szegedy et al. rounds it to 71M)
    assert ok.exit_code == 0, ok
    wrong = cli("check", str(path), "--expect", "inception_3b.output_shape=480x14x14", "-v")
    assert wrong.exit_code == 1
    assert "inception_3b: output shape [480, 28, 28], expected [480, 14, 14] (command line)" in wrong.stdout


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        pytest.param("conv1.output_shape", "is not LAYER.KEY=VALUE", id="no-value"),
        pytest.param("output_shape=1", "is not LAYER.KEY=VALUE", id="no-layer"),
        pytest.param("conv1.parms=3", "--expect conv1.parms: no expectation 'parms'", id="unknown-key"),
        pytest.param("conv1.params=3MB", "--expect conv1.params: 3MB is a size in bytes", id="bad-value"),
    ],
)
def test_bad_expect_option(cli: Cli, seed: Path, expect: str, message: str) -> None:
    result = cli("check", str(seed), "--expect", expect)
    assert result.exit_code == 2
    assert message in result.stderr


# ---------------------------------------------------------------------------------------- strict


VOLUME = ROOT / "specs" / "volume-3d.yaml"  # its 1×2×2 max pool never reads the last of 39 rows


def test_strict_turns_geometry_warnings_into_failures(cli: Cli, spec_file: Write) -> None:
    plain = cli("check", str(VOLUME))
    assert plain.exit_code == 0 and "1 warning" in plain.stdout
    strict = cli("check", str(VOLUME), "--strict")
    assert strict.exit_code == 1
    assert "strict: maxpool1: no window reads the last row of its 1335×39×310 input" in strict.stdout
    in_file = spec_file(VOLUME.read_text().replace("  params: 3_994", "  strict: true\n  params: 3_994"))
    assert cli("check", str(in_file)).exit_code == 1
    assert cli("check", str(in_file), "--no-strict").exit_code == 0  # the flag wins


def test_strict_passes_when_every_input_is_read(cli: Cli, seed: Path) -> None:
    result = cli("check", str(seed), "--strict", "-v")
    assert result.exit_code == 0
    assert "✓ strict: every window reads all of its input (command line)" in result.stdout


# ---------------------------------------------------------------------------------------- formats


def test_json_has_every_check_with_expected_and_actual(cli: Cli, spec_file: Write) -> None:
    path = spec_file(tiny("  max_params: 1K\n  params: 200\n  layers:\n    c2: {output_shape: [4, 13, 13]}"))
    result = cli("check", str(path), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["summary"] == {"files": 1, "passed": 0, "failed": 1, "invalid": 0, "exit_status": 1}
    (file,) = data["files"]
    assert (file["file"], file["name"], file["status"], file["error"]) == (str(path), "tiny", "failed", None)
    assert file["totals"]["params"] == 212
    checks = [(c["check"], c["layer"], c["status"], c["expected"], c["actual"], c["line"]) for c in file["checks"]]
    assert checks == [
        ("max_params", None, "passed", 1000, 212, 4),
        ("params", None, "failed", 200, 212, 5),
        ("output_shape", "c2", "passed", [4, 13, 13], [4, 13, 13], 7),
    ]
    assert file["checks"][1]["message"] == "params 212, expected 200 (+12)"


def test_json_reports_invalid_specs_with_diagnostics(cli: Cli, spec_file: Write) -> None:
    path = spec_file("name: x\ninput: [1, 28, 28]\nlayers:\n  - conv: {filters: 8, kernal: 3}\n")
    data = json.loads(cli("check", str(path), "-f", "json").stdout)
    (file,) = data["files"]
    assert file["status"] == "error" and file["checks"] == []
    (diagnostic,) = file["error"]["diagnostics"]
    assert (diagnostic["line"], diagnostic["column"], diagnostic["hint"]) == (4, 24, "did you mean 'kernel'?")


def test_github_annotations_point_at_the_offending_lines(cli: Cli, spec_file: Write) -> None:
    text = (
        "name: tiny\n"  # 1
        "input: [1, 28, 28]\n"  # 2
        "checks:\n"  # 3
        "  max_params: 100\n"  # 4: fails: 80 + 292 = 372
        "  layers:\n"  # 5
        "    c1: {output_shape: [8, 26, 26]}\n"  # 6: holds
        "    c2: {params: 1}\n"  # 7: fails: 4·3·3·8 + 4 = 292
        "layers:\n"  # 8
        "  - conv: {name: c1, filters: 8, kernel: 3}\n"  # 9
        "  - conv: {name: c2, filters: 4, kernel: 3, stride: 2}\n"  # 10: 26 − 3 = 23 is odd: last row unread
    )
    path = spec_file(text, "tiny.yaml")
    bad = spec_file("name: x\ninput: [1, 28, 28]\nlayers:\n  - conv: {filters: 8, kernal: 3}\n", "bad.yaml")
    result = cli("check", str(path), str(bad), "--format", "github")
    assert result.exit_code == 2
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
    f, b = str(path).replace(":", "%3A"), str(bad).replace(":", "%3A")
    assert commands == [
        f"::error file={f},line=4,col=15,title=cnncalc check%3A max_params::"
        "params 372 exceed max_params 100 by 272 (+272.00%25)%0Ahint: make the network smaller, or raise max_params "
        "if the growth is intended",
        f"::error file={f},line=7,col=18,title=cnncalc check%3A params::"
        "c2: params 292, expected 1 (+291)%0Ahint: update the expectation if the change is intended",
        f"::warning file={f},line=10,col=11,title=cnncalc%3A geometry warning::"
        "c2: no window reads the last row and the last column of its 26×26 input: "
        "26 + 0 − 3 = 23 is not a multiple of the stride 2",
        f"::error file={b},line=4,col=24,title=cnncalc%3A invalid spec::"
        "conv1: conv has no argument 'kernal'%0Ahint: did you mean 'kernel'?",
    ]
    assert result.stdout.endswith("0 passed, 2 failed (1 invalid)\n")
    strict = cli("check", str(path), "--strict", "-f", "github").stdout
    assert f"::error file={f},line=10,col=11,title=cnncalc check%3A strict (unread input)::strict: c2:" in strict


def test_github_escapes_percent_and_newlines(cli: Cli, spec_file: Write) -> None:
    path = spec_file(tiny("  max_params: 100"), "100%.yaml")
    result = cli("check", str(path), "-f", "github")
    assert "100%25.yaml" in result.stdout.splitlines()[0] and "%0Ahint:" in result.stdout


def test_the_table_has_one_line_per_file_and_verbose_details(cli: Cli, spec_file: Write) -> None:
    path = spec_file(tiny("  max_params: 100\n  params: 1"))
    short = cli("check", str(path)).stdout.splitlines()
    assert short == [
        f"FAIL   {path}:4  params 212 exceed max_params 100 by 112 (+112.00%) (+1 more)",
        "0 passed, 1 failed",
    ]
    verbose = cli("check", str(path), "-v").stdout.splitlines()
    assert verbose[1:] == [
        "    ✗ params 212 exceed max_params 100 by 112 (+112.00%)",
        "        hint: make the network smaller, or raise max_params if the growth is intended",
        "    ✗ params 212, expected 1 (+211)",
        "        hint: update the expectation if the change is intended",
        "0 passed, 1 failed",
    ]


def test_the_project_specs_pass_their_checks(cli: Cli) -> None:
    # what .ci/run runs after the test suite
    result = cli("check", str(ROOT / "specs"))
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[-1] == "4 passed, 0 failed"
