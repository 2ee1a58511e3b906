"""The Mesa shell and the vectorized engine give the same numbers (to 1e-9)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohesion.engines import simulate
from cohesion.runner import RunRequest, run
from tests.conftest import make_world

TOLERANCE = 1e-9
OVERRIDES = [{"energy_weight": 1.2, "DEU.energy_weight": 2.0, "HRV.anchor_weight": 0.6, "POL.adjustment_rate": 0.3}]


@pytest.mark.parametrize(
    "scenario,seed,layers",
    [
        ("baseline", 1, []),
        ("invasion", 7, OVERRIDES),  # stochastic gas cut, magnitude noise, per-member overrides
        ("hybrid-campaign", 2022, OVERRIDES),
        ("european-autonomy", 5, []),
        ("de-escalation", 3, [{"influence_capability_exponent": 2.0}]),  # a proposal event
        ("invasion", 11, [{"confidence_bound": 0.3}]),  # bounded confidence
        ("hybrid-campaign", 4, [{"confidence_bound": 0.25, "repulsion_bound": 0.6, "repulsion_strength": 0.5}]),
    ],
)
def test_engines_agree(scenario, seed, layers):
    world = make_world(scenario, layers, horizon=12)
    vec = simulate(world, 4, seed, engine="vectorized")
    mesa = simulate(world, 4, seed, engine="mesa")
    for name in ("run_metrics", "horizon_stance", "component_mean", "blocker_share", "alignment_mean", "stance_mean",
                 "dilution_mean", "horizon_proposal"):
        diff = np.abs(getattr(vec, name) - getattr(mesa, name)).max()
        assert diff <= TOLERANCE, f"{name} differs by {diff}"


def test_engines_write_the_same_tables(tmp_path):
    outputs = {}
    for engine in ("vectorized", "mesa"):
        out = tmp_path / engine
        request = RunRequest(scenarios=["invasion", "gas-cutoff"], runs=3, steps=10, seed=99, engine=engine,
                             param_layers=OVERRIDES)
        run(request, out=out, timeseries="full")
        outputs[engine] = out
    for name in ("summary.csv", "members.csv"):
        a = pd.read_csv(outputs["vectorized"] / name)
        b = pd.read_csv(outputs["mesa"] / name)
        pd.testing.assert_frame_equal(a, b, check_exact=False, atol=TOLERANCE, rtol=0)
    for name in ("timeseries.parquet", "timeseries_summary.parquet", "member_timeseries.parquet", "attribution.parquet"):
        a = pd.read_parquet(outputs["vectorized"] / name)
        b = pd.read_parquet(outputs["mesa"] / name)
        pd.testing.assert_frame_equal(a, b, check_exact=False, atol=TOLERANCE, rtol=0)


def test_mesa_model_is_a_real_mesa_model():
    import mesa

    from cohesion.engines.mesa_shell.agents import MemberAgent
    from cohesion.engines.mesa_shell.model import AllianceModel

    world = make_world("baseline", horizon=3)
    model = AllianceModel(world, seed=1)
    assert isinstance(model, mesa.Model)
    assert len(model.agents) == 30
    assert all(isinstance(a, MemberAgent) for a in model.agents)
    germany = next(a for a in model.agents if a.code == "DEU")
    before = germany.stance.copy()
    model.step()
    assert model.steps == 1 and model.week == 1
    assert not np.array_equal(before, germany.stance)
    # the agents' components always add up to their stance
    np.testing.assert_allclose(model.components().sum(axis=0), model.stance_matrix()[0], atol=1e-12)
