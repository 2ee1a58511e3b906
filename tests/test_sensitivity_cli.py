"""``cohesion sensitivity --param``: which parameters vary, over which ranges, end to end."""

from __future__ import annotations

import subprocess

import pandas as pd
import pytest

from cohesion.errors import InputError
from cohesion.experiments.sensitivity import DECISION_RANGES, parse_param_options


def test_param_options_parse_names_and_ranges():
    assert parse_param_options([]) == DECISION_RANGES
    assert parse_param_options(["peer_weight", "baseline_stance=0.4:0.7", "DEU.energy_weight", "noise_sd"]) == {
        "peer_weight": (0.0, 0.45),  # a decision parameter keeps the command's range
        "baseline_stance": (0.4, 0.7),
        "DEU.energy_weight": (0.0, 3.0),
        "noise_sd": (0.0, 0.2),  # any other parameter spans its whole allowed range
    }


@pytest.mark.parametrize(
    "items,message",
    [
        (["energy_wait"], "unknown parameter"),
        (["energy_weight=1"], "NAME=LOW:HIGH"),
        (["energy_weight=a:2"], "two numbers"),
        (["energy_weight=1:nan"], "two numbers"),
        (["energy_weight=2:1"], "empty range"),
        (["energy_weight", "energy_weight=0:1"], "given twice"),
    ],
)
def test_bad_param_options_are_input_errors(items, message):
    with pytest.raises(InputError, match=message):
        parse_param_options(items)


def run(cli, *args):
    return subprocess.run([*cli, "sensitivity", *args], capture_output=True, text=True, timeout=600)


def test_sensitivity_varies_the_given_parameters(cli, tmp_path):
    out = tmp_path / "sens"
    done = run(cli, "invasion", "--samples", "8", "--steps", "8", "--replicates", "1", "--quiet", "--out", str(out),
               "--param", "threat_escalation_gain", "--param", "baseline_stance=0.45:0.65", "--workers", "1")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table["outcome"]) == {"consensus", "cohesion"}
    for _, part in table.groupby("outcome"):
        assert list(part["parameter"]) == ["threat_escalation_gain", "baseline_stance"]
    table = table[table["outcome"] == "cohesion"]
    points = pd.read_parquet(out / "points.parquet")
    assert len(points) == 8 * (2 + 2)
    assert points["baseline_stance"].between(0.45, 0.65).all()
    assert points["threat_escalation_gain"].between(0.0, 2.0).all()
    assert table["ST"].notna().all() and (table["ST"] > 0).all()


def test_sensitivity_uses_every_core_by_default_with_the_same_numbers(cli, tmp_path):
    common = ["invasion", "--samples", "8", "--steps", "8", "--quiet", "--param", "energy_weight", "--param", "eu_weight"]
    one = run(cli, *common, "--workers", "1", "--out", str(tmp_path / "one"))
    default = run(cli, *common, "--out", str(tmp_path / "default"))
    assert one.returncode == 0 and default.returncode == 0, one.stderr + default.stderr
    assert (tmp_path / "one" / "sensitivity.csv").read_bytes() == (tmp_path / "default" / "sensitivity.csv").read_bytes()
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "one" / "points.parquet"), pd.read_parquet(tmp_path / "default" / "points.parquet")
    )


@pytest.mark.parametrize(
    "args,message",
    [
        (["--param", "energy_wait"], "unknown parameter"),
        (["--param", "energy_weight=2:1"], "empty range"),
        (["--param", "energy_weight=0:5"], "outside the allowed"),
        (["--param", "peer_weight=0:1", "--param", "anchor_weight=0:1"], "peer_weight + anchor_weight"),
    ],
)
def test_bad_param_is_one_error_line_and_writes_nothing(cli, tmp_path, args, message):
    out = tmp_path / "sens"
    done = run(cli, "invasion", "--samples", "8", "--quiet", "--out", str(out), *args)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and message in done.stderr and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
    assert not out.exists()
