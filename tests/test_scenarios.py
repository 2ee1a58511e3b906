"""Every shipped scenario validates and runs; bad scenario files are rejected clearly."""

from __future__ import annotations

import numpy as np
import pytest

from cohesion.engines import simulate
from cohesion.errors import InputError
from cohesion.results import member_rows
from cohesion.scenarios import load_scenario, shipped_scenarios
from tests.conftest import make_world

REQUIRED = {
    "baseline", "invasion", "limited-incursion", "de-escalation", "gas-cutoff", "intel-discredited",
    "hybrid-campaign", "european-autonomy", "sanctions-on-putin",
}


def test_all_required_scenarios_ship():
    assert REQUIRED <= set(shipped_scenarios())


@pytest.mark.parametrize("name", shipped_scenarios())
def test_shipped_scenario_validates_and_runs(name):
    spec, digest = load_scenario(name)
    assert spec.name == name and len(digest) == 64
    assert spec.description.strip() and spec.article_basis.strip()
    world = make_world(name)
    result = simulate(world, 8, seed=4)
    for metric in ("consensus", "cohesion"):
        index = result.metric(metric)
        assert index.shape == (8, world.horizon + 1)
        assert np.all((index >= 0) & (index <= 100))
    # every magnitude is a stated distribution with its reason
    for ev in spec.events:
        assert ev.magnitude_sd > 0 and len(ev.magnitude_basis.split()) >= 8, (name, ev.week, ev.type)
    # no scripted jump of the allies' stances or of the EU line on every issue decides the answer
    assert not any(ev.type == "stance_shock" and ev.target not in (["USA", "GBR"], "USA", "GBR") for ev in spec.events)
    assert not any(ev.type == "eu_line" and ev.issue is None for ev in spec.events)
    assert np.all((result.horizon_stance >= 0) & (result.horizon_stance <= 1))
    # the shocks component (the remainder of the attribution) stays of the order of the noise and shocks
    shocks = np.abs(result.component_mean[-1]).max()
    assert shocks < 0.1, f"attribution leaves {shocks} unexplained"
    if spec.events:
        first = min(ev.week for ev in spec.events)
        quiet = make_world(name, [{"noise_sd": 0.0}])
        quiet_spec = quiet.scenario.model_copy(update={"events": []})
        from cohesion.world import build_world

        without = simulate(build_world(quiet_spec, "x", [{"noise_sd": 0.0}]), 8, seed=4)
        with_events = simulate(quiet, 8, seed=4)
        assert np.array_equal(without.run_metrics[:, :first], with_events.run_metrics[:, :first])
        effect = max(np.abs(without.metric(m) - with_events.metric(m)).max() for m in ("consensus", "cohesion"))
        assert effect > 0.01, f"the events move the scores by at most {effect}"


#: Legacy calibrated decision weights (docs/model.md section 7 before the measured drivers).
LEGACY_WEIGHTS = {"energy_weight": 1.16, "threat_weight": 0.79, "leadership_weight": 1.67, "baseline_stance": 0.548}


@pytest.fixture(scope="module")
def story():
    return {name: simulate(make_world(name), 200, seed=20220127) for name in ("baseline", "invasion", "intel-discredited")}


@pytest.fixture(scope="module")
def legacy_story():
    from cohesion.world import build_world

    spec, digest = load_scenario("baseline")
    return simulate(build_world(spec, digest, [LEGACY_WEIGHTS], driver_source="legacy"), 200, seed=20220127)


def _ranks(result):
    rows = {r["member"]: r for r in member_rows(result)}
    return rows, {code: r["alignment_rank"] for code, r in rows.items()}  # alignment with the proposal, all 30 members


def _germany_diverges_through_energy(rows):
    """Energy is the largest pull away from the line among Germany's driver parts, more than Denmark's."""
    germany = rows["DEU"]
    assert germany["attr_energy"] < -abs(germany["attr_threat"]) and germany["attr_energy"] < -abs(germany["attr_leadership"])
    assert germany["attr_energy"] < rows["DNK"]["attr_energy"]


def test_baseline_flank_states_among_the_most_aligned(story):
    """Measured drivers (the default): the Baltic states in the top 10 of 30."""
    _, rank = _ranks(story["baseline"])
    for flank in ("EST", "LVA", "LTU"):
        assert rank[flank] <= 10, (flank, rank[flank])


@pytest.fixture(scope="module")
def drivers_alone_baseline():
    """The baseline with position_persistence 0: members relax to what their drivers and peers predict."""
    return simulate(make_world("baseline", [{"position_persistence": 0.0}]), 200, seed=20220127)


@pytest.mark.xfail(strict=True, reason="fails: Poland ranks 14th of 30 (12th from its drivers alone); docs/model.md 1.1")
def test_baseline_poland_among_the_most_aligned(story):
    _, rank = _ranks(story["baseline"])
    assert rank["POL"] <= 10


def test_baseline_germany_and_croatia_lag(story):
    """Germany and Croatia in the bottom 6: their coded 27 January positions, held (the position part)."""
    rows, rank = _ranks(story["baseline"])
    for laggard in ("DEU", "HRV"):
        assert rank[laggard] >= 25, (laggard, rank[laggard])
        assert rows[laggard]["attr_position"] < 0, laggard


@pytest.mark.xfail(strict=True, reason="fails with the measured drivers alone: Germany ranks 24th of 30 (Croatia 27th); docs/model.md 1.1")
def test_drivers_alone_make_germany_and_croatia_lag(drivers_alone_baseline):
    _, rank = _ranks(drivers_alone_baseline)
    for laggard in ("DEU", "HRV"):
        assert rank[laggard] >= 25, (laggard, rank[laggard])


@pytest.mark.xfail(strict=True, reason="fails with the measured drivers: threat (-0.013), not energy (-0.010), is Germany's largest pull away from the line; docs/model.md 1.1")
def test_germany_diverges_through_energy(story):
    rows, _ = _ranks(story["baseline"])
    _germany_diverges_through_energy(rows)


def test_baseline_tells_the_articles_story_with_legacy_drivers(legacy_story):
    rows, rank = _ranks(legacy_story)
    for flank in ("EST", "LVA", "LTU", "POL"):
        assert rank[flank] <= 10, (flank, rank[flank])
    for laggard in ("DEU", "HRV"):
        assert rank[laggard] >= 25, (laggard, rank[laggard])
    _germany_diverges_through_energy(rows)


def test_attribution_is_exact_without_noise_or_shocks():
    """With no noise and no stance shocks the tracked parts alone explain the stance (shocks ~ 0)."""
    from cohesion.scenarios import ScenarioSpec
    from cohesion.world import build_world

    still = ScenarioSpec(name="still", title="t", description="t", article_basis="t", params={"noise_sd": 0.0})
    result = simulate(build_world(still, "x", horizon=52), 3, seed=1)
    assert np.abs(result.component_mean[-1]).max() < 1e-12
    # The baseline's events move held targets past the end of the scale for a few members, where the
    # stance is clipped: the shocks part takes that remainder, which stays small.
    result = simulate(make_world("baseline", [{"noise_sd": 0.0}]), 3, seed=1)
    assert 0 < np.abs(result.component_mean[-1]).max() < 1e-4


def _difference_from_baseline(story, name, metric):
    """90% interval of the run-wise difference from baseline (run r of every scenario shares its
    measured drivers, so scenarios compare run by run)."""
    diff = story[name].metric(metric)[:, -1] - story["baseline"].metric(metric)[:, -1]
    return np.quantile(diff, [0.05, 0.95])


@pytest.mark.parametrize("metric", ["consensus", "cohesion"])
def test_invasion_raises_consensus_and_cohesion(story, metric):
    assert _difference_from_baseline(story, "invasion", metric)[0] > 0, f"invasion should raise {metric} above baseline"


def test_discredited_intel_does_not_raise_consensus(story):
    intel, base = story["intel-discredited"].metric("consensus")[:, -1], story["baseline"].metric("consensus")[:, -1]
    assert intel.mean() <= np.quantile(base, 0.95)


def test_legacy_drivers_still_tell_the_invasion_and_intel_story():
    from cohesion.world import build_world

    def horizon(name, metric):
        spec, digest = load_scenario(name)
        world = build_world(spec, digest, [LEGACY_WEIGHTS], driver_source="legacy")
        return simulate(world, 100, seed=20220127).metric(metric)[:, -1]

    for metric in ("consensus", "cohesion"):
        assert _clearly_above(horizon("invasion", metric), horizon("baseline", metric)), metric
    assert horizon("intel-discredited", "consensus").mean() <= np.quantile(horizon("baseline", "consensus"), 0.95)


def _clearly_above(high: np.ndarray, low: np.ndarray) -> bool:
    """Whether the mean of ``high`` exceeds that of ``low`` by more than two standard errors of the difference.

    The means are compared, not the 90 % intervals: an invasion's own uncertainty (its magnitude
    and timing) widens its interval, and two scenarios do not share their noise draws run by run.
    """
    error = np.sqrt(high.var(ddof=1) / len(high) + low.var(ddof=1) / len(low))
    return bool(high.mean() - low.mean() > 2.0 * error) and bool(high.mean() > low.mean())


BAD_SCENARIOS = {
    "unknown-key": ("name: x\ntitle: t\ndescription: d\narticle_basis: a\ncolour: red\n", "unknown key"),
    "malformed": ("name: x\ntitle: [unclosed\n", "malformed YAML"),
    "beyond-horizon": (
        "name: x\ntitle: t\ndescription: d\narticle_basis: a\nweeks: 10\n"
        "events:\n  - {week: 11, type: threat_level, target: RUS, magnitude: 0.1}\n",
        "beyond the horizon",
    ),
    "unknown-member": (
        "name: x\ntitle: t\ndescription: d\narticle_basis: a\n"
        "events:\n  - {week: 2, type: gas_supply, target: XYZ, magnitude: 0.1}\n",
        "unknown member code or group 'XYZ'",
    ),
    "unknown-type": (
        "name: x\ntitle: t\ndescription: d\narticle_basis: a\n"
        "events:\n  - {week: 2, type: meteor, target: all, magnitude: 0.1}\n",
        "type",
    ),
    "bad-magnitude": (
        "name: x\ntitle: t\ndescription: d\narticle_basis: a\n"
        "events:\n  - {week: 2, type: gas_supply, target: all, magnitude: 1.5}\n",
        "outside [0.0, 1.0]",
    ),
    "week-zero": (
        "name: x\ntitle: t\ndescription: d\narticle_basis: a\n"
        "events:\n  - {week: 0, type: gas_supply, target: all, magnitude: 0.5}\n",
        "week",
    ),
    "unknown-param": ("name: x\ntitle: t\ndescription: d\narticle_basis: a\nparams: {energy_wieght: 1}\n", "unknown parameter"),
    "issue-on-wrong-type": (
        "name: x\ntitle: t\ndescription: d\narticle_basis: a\n"
        "events:\n  - {week: 2, type: gas_supply, target: all, magnitude: 0.5, issue: sanctions}\n",
        "takes no issue",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
def test_bad_scenario_files_are_rejected(case, tmp_path):
    text, message = BAD_SCENARIOS[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        make_world(str(path))


def test_unknown_scenario_name_lists_known_ones():
    with pytest.raises(InputError, match="unknown scenario 'nope'.*baseline"):
        load_scenario("nope")


@pytest.mark.parametrize("energy", [0.9, 1.6])
@pytest.mark.parametrize("threat", [0.55, 1.07])
@pytest.mark.parametrize("anchor", [0.2, 0.5])
def test_invasion_raises_consensus_and_cohesion_across_plausible_weights(energy, threat, anchor):
    """Corners inside the weights' profile-likelihood intervals (cohesion validate), with the legacy drivers (and
    weights) and with the measured ones: invasion raises consensus and cohesion at every corner (measured: by
    4.4 to 21 consensus points; docs/model.md 8)."""
    from cohesion.world import build_world

    layers = [{"energy_weight": energy, "threat_weight": threat, "anchor_weight": anchor}]
    for drivers in ("legacy", "measured"):
        def horizon(name, metric):
            spec, digest = load_scenario(name)
            defaults = [LEGACY_WEIGHTS] if drivers == "legacy" else []
            world = build_world(spec, digest, [*defaults, *layers], driver_source=drivers)
            return simulate(world, 20, seed=3).metric(metric)[:, -1]

        assert _clearly_above(horizon("invasion", "cohesion"), horizon("baseline", "cohesion")), drivers
        assert _clearly_above(horizon("invasion", "consensus"), horizon("baseline", "consensus")), drivers


BOUNDED = [{"confidence_bound": 0.3}]


def _consensus(name, layers, **world_options):
    from cohesion.world import build_world

    spec, digest = load_scenario(name)
    return simulate(build_world(spec, digest, layers, **world_options), 60, seed=8).metric("consensus")[:, -1]


def test_invasion_raises_consensus_under_bounded_confidence_too():
    """The invasion finding survives the other dynamics (run by run: runs share their measured drivers)."""
    difference = _consensus("invasion", BOUNDED) - _consensus("baseline", BOUNDED)
    assert np.quantile(difference, 0.05) > 0


def test_bounded_confidence_keeps_the_27_january_state_too():
    """Held positions are the week-0 fixed point under bounded confidence as well: without events nothing moves.

    (The baseline's own small events can leave lasting shifts under bounded confidence, since they
    change who listens to whom: its consensus ends about a point higher; docs/model.md 8.)
    """
    from cohesion.scenarios import ScenarioSpec
    from cohesion.world import build_world

    still = ScenarioSpec(name="still", title="t", description="t", article_basis="t", params={"noise_sd": 0.0})
    result = simulate(build_world(still, "x", BOUNDED, horizon=52), 2, seed=8)
    np.testing.assert_allclose(result.horizon_stance, np.broadcast_to(result.world.initial_stance, result.horizon_stance.shape),
                               atol=1e-12)


def test_bounded_confidence_findings_with_legacy_drivers():
    legacy = {"driver_source": "legacy"}
    base = _consensus("baseline", [LEGACY_WEIGHTS, *BOUNDED], **legacy)
    invasion = _consensus("invasion", [LEGACY_WEIGHTS, *BOUNDED], **legacy)
    assert _clearly_above(invasion, base)
