"""A chunk of design points run as one ensemble gives the numbers of the points run one by one."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cohesion.engines import simulate
from cohesion.engines import vectorized
from cohesion.engines.vectorized import simulate_points
from cohesion.experiments.execution import ExecutorConfig
from cohesion.experiments.plan import plan_experiment
from cohesion.experiments.schema import parse_experiment
from cohesion.experiments.sensitivity import analyze, sensitivity_experiment
from cohesion.experiments.store import run_plan
from tests.conftest import make_world

TOLERANCE = 1e-12

#: Parameter sets that change every input of the weekly step: member weights and per-member
#: overrides, the intercept, the peer structure, the EU's share, the gains, noise and scoring.
POINTS = [
    {},
    {"energy_weight": 2.4, "DEU.energy_weight": 0.3, "HRV.anchor_weight": 0.6, "POL.adjustment_rate": 0.45},
    {"threat_weight": 0.1, "leadership_weight": 2.9, "baseline_stance": 0.4, "noise_sd": 0.05},
    {"peer_weight": 0.6, "anchor_weight": 0.1, "distance_scale_km": 3000.0, "eu_peer_bonus": 2.0},
    {"eu_weight": 0.9, "gas_salience_gain": 2.5, "threat_escalation_gain": 1.8, "group_peer_bonus": 0.0},
    {"acceptance_tolerance": 0.25, "vote_yes_threshold": 0.7, "vote_no_threshold": 0.3, "TUR.peer_weight": 0.0},
    {"influence_capability_exponent": 2.0, "influence_salience_exponent": 0.0},
]


def per_point(worlds, seeds, replicates):
    results = [simulate(w, replicates, s, engine="vectorized") for w, s in zip(worlds, seeds)]
    return np.stack([r.horizon_stance for r in results]), np.stack([r.horizon_proposal for r in results])


@pytest.mark.parametrize("scenario", ["invasion", "gas-cutoff", "hybrid-campaign", "european-autonomy", "de-escalation"])
def test_batch_matches_points_run_one_by_one(scenario):
    # invasion has a stochastic gas cut with a random magnitude: each run's realization must follow its point's seed;
    # de-escalation has a stochastic proposal event
    worlds = [make_world(scenario, [layer], horizon=10) for layer in POINTS]
    seeds = [11, 12, 13, 11, 99, 2**40, 7]
    batch, proposals = simulate_points(worlds, seeds, 3)
    assert batch.shape == (len(POINTS), 3, 30, 6) and proposals.shape == (len(POINTS), 3, 6)
    stances, expected_proposals = per_point(worlds, seeds, 3)
    assert np.abs(batch - stances).max() <= TOLERANCE
    assert np.abs(proposals - expected_proposals).max() <= TOLERANCE
    # the parameter sets really differ, and so do their results
    assert np.abs(batch[0] - batch[1]).max() > 0.01


def test_batch_does_not_depend_on_chunking(monkeypatch):
    worlds = [make_world("invasion", [layer], horizon=10) for layer in POINTS]
    seeds = list(range(len(POINTS)))
    whole = simulate_points(worlds, seeds, 4)[0]
    monkeypatch.setattr(vectorized, "CHUNK_RUNS", 5)  # one point per chunk
    assert np.abs(simulate_points(worlds, seeds, 4)[0] - whole).max() <= TOLERANCE
    reversed_order = simulate_points(worlds[::-1], seeds[::-1], 4)[0][::-1]
    assert np.abs(reversed_order - whole).max() <= TOLERANCE


def test_batch_rejects_mixed_scenarios():
    with pytest.raises(ValueError, match="one scenario"):
        simulate_points([make_world("baseline", horizon=10), make_world("invasion", horizon=10)], [1, 2], 2)
    with pytest.raises(ValueError, match="one scenario"):
        simulate_points([make_world("baseline", horizon=4), make_world("baseline", horizon=5)], [1, 2], 2)
    with pytest.raises(ValueError, match="bounded-confidence"):
        simulate_points([make_world("baseline", horizon=4), make_world("baseline", [{"confidence_bound": 0.3}], horizon=4)],
                        [1, 2], 2)


@settings(max_examples=12, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0.0, 3.0), st.floats(0.0, 0.5), st.floats(0.0, 0.45), st.floats(0.0, 1.0),
            st.integers(0, 2**32),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_batch_matches_one_by_one_for_any_points(points):
    layers = [
        {"energy_weight": e, "anchor_weight": a, "peer_weight": p, "adjustment_rate": rate} for e, a, p, rate, _ in points
    ]
    worlds = [make_world("limited-incursion", [layer], horizon=5) for layer in layers]
    seeds = [seed for *_, seed in points]
    assert np.abs(simulate_points(worlds, seeds, 2)[0] - per_point(worlds, seeds, 2)[0]).max() <= TOLERANCE


def small_sensitivity(params=None):
    experiment = sensitivity_experiment("invasion", "sobol", 16, ("DEU", "HUN"), seed=5, replicates=2, steps=8)
    return plan_experiment(experiment)


def test_evaluator_outcomes_match_the_per_point_path():
    plan = small_sensitivity()
    evaluator = plan.evaluator
    rows = plan.matrix[:40]
    seeds = list(range(100, 140))
    batched = evaluator.evaluate_points("invasion", plan.names, rows, seeds)
    one_by_one = dataclasses.replace(evaluator, batched=False).evaluate_points("invasion", plan.names, rows, seeds)
    assert set(batched) == set(plan.outcomes) == {"consensus", "cohesion", "alignment_DEU", "alignment_HUN"}
    for name in plan.outcomes:
        assert batched[name].shape == (80,)
        assert np.abs(batched[name] - one_by_one[name]).max() <= TOLERANCE


def test_scores_use_each_points_own_thresholds():
    data = {
        "name": "thresholds",
        "description": "Each point scored with its own acceptance windows",
        "scenarios": ["baseline"],
        "parameters": [{"name": "acceptance_tolerance", "low": 0.2, "high": 0.8}],
        "design": {"type": "lhs", "samples": 12},
        "replicates": 2,
        "steps": 4,
        "outcomes": ["consensus", "consensus_blockers", "cohesion"],
        "seed": 3,
    }
    import yaml

    plan = plan_experiment(parse_experiment(data, yaml.safe_dump(data)))
    seeds = list(range(12))
    batched = plan.evaluator.evaluate_points("baseline", plan.names, plan.matrix, seeds)
    reference = dataclasses.replace(plan.evaluator, batched=False).evaluate_points("baseline", plan.names, plan.matrix, seeds)
    assert np.unique(batched["consensus_blockers"]).size > 2
    for name in plan.outcomes:
        assert np.abs(batched[name] - reference[name]).max() <= TOLERANCE


def test_sobol_indices_identical_to_the_per_point_path(tmp_path):
    plan = small_sensitivity()
    reference_plan = dataclasses.replace(plan, evaluator=dataclasses.replace(plan.evaluator, batched=False))
    batched = run_plan(plan, tmp_path / "batched", ExecutorConfig("local", 2))
    reference = run_plan(reference_plan, tmp_path / "reference", ExecutorConfig("local", 1))
    for name in plan.outcomes:
        assert np.abs(batched[name].to_numpy() - reference[name].to_numpy()).max() <= TOLERANCE
    indices = analyze(plan, batched)
    expected = analyze(reference_plan, reference)
    numeric = ["S1", "S1_conf", "ST", "ST_conf"]
    assert np.abs(indices[numeric].to_numpy() - expected[numeric].to_numpy()).max() <= TOLERANCE
    assert indices["ST"].notna().all()


# --- chunks of runs in worker processes --------------------------------------------------------

ENSEMBLE_FIELDS = ("run_metrics", "horizon_stance", "component_mean", "blocker_share", "alignment_mean", "stance_mean")


def test_worker_processes_give_identical_numbers(monkeypatch):
    from cohesion.engines.vectorized import simulate_ensembles

    monkeypatch.setattr(vectorized, "CHUNK_RUNS", 7)  # several chunks per world, finishing in any order
    worlds = [make_world("invasion", [POINTS[1]], horizon=10), make_world("gas-cutoff", horizon=10)]
    here = simulate_ensembles(worlds, 30, 4)
    pooled = simulate_ensembles(worlds, 30, 4, workers=2)
    for a, b in zip(here, pooled):
        for name in ENSEMBLE_FIELDS:
            assert np.array_equal(getattr(a, name), getattr(b, name)), name
    # per-run numbers do not depend on the chunk size either; means only by summation order
    monkeypatch.setattr(vectorized, "CHUNK_RUNS", 1000)
    whole = simulate_ensembles(worlds, 30, 4)
    for a, b in zip(here, whole):
        for name in ENSEMBLE_FIELDS:
            assert np.abs(getattr(a, name) - getattr(b, name)).max() <= TOLERANCE, name


def test_run_command_results_do_not_depend_on_workers(cli, tmp_path):
    import subprocess

    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        done = subprocess.run(
            [*cli, "run", "invasion", "gas-cutoff", "--runs", "1100", "--steps", "10", "--quiet", "--out", str(out),
             "--workers", workers],
            capture_output=True, text=True, timeout=600,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(out)
    for name in ("summary.csv", "members.csv"):
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes()


def test_workers_need_the_vectorized_engine(cli, tmp_path):
    import subprocess

    done = subprocess.run([*cli, "run", "baseline", "--runs", "2", "--engine", "mesa", "--workers", "2",
                           "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=600)
    assert done.returncode == 2 and done.stderr.startswith("error: ") and "vectorized engine" in done.stderr
    assert not (tmp_path / "o").exists()


def test_blas_runs_on_one_thread_during_a_simulation_only(monkeypatch):
    from threadpoolctl import threadpool_info

    from cohesion.core import rule

    def blas_threads():  # numpy's BLAS: the one the engine calls
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas" and "numpy" in lib["filepath"]]

    before = blas_threads()
    assert before, "numpy links a BLAS that threadpoolctl sees"
    seen = []
    original = rule.peer_mean

    def watched(*args, **kwargs):
        seen.append(blas_threads())
        return original(*args, **kwargs)

    monkeypatch.setattr(rule, "peer_mean", watched)
    simulate(make_world("baseline", horizon=10), 3, 1)
    simulate_points([make_world("baseline", horizon=10)], [1], 2)
    assert seen and all(threads == [1] * len(before) for threads in seen)
    assert blas_threads() == before


def test_points_with_different_dynamics_fall_back_to_one_by_one():
    data = {
        "name": "dynamics",
        "description": "Points differ in their confidence bound",
        "scenarios": ["baseline"],
        "parameters": [{"name": "confidence_bound", "low": 0.2, "high": 1.0}],
        "design": {"type": "lhs", "samples": 4},
        "replicates": 2,
        "steps": 4,
        "outcomes": ["consensus", "cohesion"],
        "seed": 3,
    }
    import yaml

    plan = plan_experiment(parse_experiment(data, yaml.safe_dump(data)))
    seeds = list(range(4))
    batched = plan.evaluator.evaluate_points("baseline", plan.names, plan.matrix, seeds)
    reference = dataclasses.replace(plan.evaluator, batched=False).evaluate_points("baseline", plan.names, plan.matrix, seeds)
    for name in plan.outcomes:
        np.testing.assert_array_equal(batched[name], reference[name])


def test_a_batch_refuses_points_with_other_reference_levels():
    """Points are stepped with the first world's reference levels, so they must share them (review F20)."""
    from cohesion.core.drivers import structural_drivers
    from cohesion.engines.vectorized import simulate_points
    from cohesion.inputs import load_members
    from cohesion.world import build_world

    first = make_world("baseline", horizon=4)
    other = build_world(first.scenario, first.scenario_hash, horizon=4, drivers=structural_drivers(load_members()))
    with pytest.raises(ValueError, match="reference levels"):
        simulate_points([first, other], [1, 1], 2)


def test_points_with_more_replicates_than_a_chunk_keep_the_noise_budget(monkeypatch):
    """Each point's replicates are cut into chunks of runs (review F6), with the same numbers."""
    from cohesion.engines import vectorized

    worlds = [make_world("baseline", [layer], horizon=4) for layer in POINTS[:2]]
    whole, whole_proposals = vectorized.simulate_points(worlds, [3, 4], 12)
    sizes = []
    draw = vectorized.draw_chunk
    monkeypatch.setattr(vectorized, "NOISE_BUDGET", 4 * 30 * 6 * 5)  # room for 5 runs of noise
    monkeypatch.setattr(vectorized, "draw_chunk", lambda w, s, f, c: sizes.append(c) or draw(w, s, f, c))
    cut, cut_proposals = vectorized.simulate_points(worlds, [3, 4], 12)
    assert max(sizes) <= 5 and sum(sizes) == 24
    np.testing.assert_allclose(cut, whole, atol=1e-12)
    np.testing.assert_allclose(cut_proposals, whole_proposals, atol=1e-12)
