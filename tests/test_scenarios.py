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
    index = result.metric("cohesion_index")
    assert index.shape == (8, world.horizon + 1)
    assert np.all((index >= 0) & (index <= 100))
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
        effect = np.abs(without.metric("cohesion_index") - with_events.metric("cohesion_index")).max()
        assert effect > 0.01, f"the events move the index by at most {effect}"


#: Legacy calibrated decision weights (docs/model.md section 7 before the measured drivers).
LEGACY_WEIGHTS = {"energy_weight": 1.15, "threat_weight": 0.75, "leadership_weight": 1.68, "baseline_stance": 0.555}


@pytest.fixture(scope="module")
def story():
    return {name: simulate(make_world(name), 200, seed=20220127) for name in ("baseline", "invasion", "intel-discredited")}


@pytest.fixture(scope="module")
def legacy_story():
    from cohesion.world import build_world

    spec, digest = load_scenario("baseline")
    return simulate(build_world(spec, digest, [LEGACY_WEIGHTS], drivers="legacy"), 200, seed=20220127)


def _ally_ranks(result):
    rows = {r["member"]: r for r in member_rows(result)}
    allies = sorted((r for r in rows.values() if r["member"] not in ("USA", "GBR")), key=lambda r: -r["alignment"])
    return rows, {r["member"]: i + 1 for i, r in enumerate(allies)}  # rank among the 28 allies (the leaders set the line)


def _germany_diverges_through_energy(rows):
    germany = rows["DEU"]
    assert germany["attr_energy"] < -abs(germany["attr_threat"]) and germany["attr_energy"] < -abs(germany["attr_leadership"])
    assert germany["attr_energy"] < rows["DNK"]["attr_energy"]


def test_baseline_flank_states_and_leaders_lead(story):
    """Measured drivers (the default): the leaders first, the Baltic states in the top 8 of 28 allies."""
    rows, rank = _ally_ranks(story["baseline"])
    for flank in ("EST", "LVA", "LTU"):
        assert rank[flank] <= 8, (flank, rank[flank])
    assert {rows["USA"]["alignment_rank"], rows["GBR"]["alignment_rank"]} == {1, 2}


@pytest.mark.xfail(strict=True, reason="fails with the measured drivers: Poland ranks 10th of 28; docs/model.md 1.1")
def test_baseline_poland_among_the_most_aligned(story):
    _, rank = _ally_ranks(story["baseline"])
    assert rank["POL"] <= 8


@pytest.mark.xfail(strict=True, reason="fails with the measured drivers: Germany ranks 23rd of 28 (its eFP framework "
                   "role lifts its measured trust); docs/model.md 1.1")
def test_baseline_germany_and_croatia_lag(story):
    _, rank = _ally_ranks(story["baseline"])
    for laggard in ("DEU", "HRV"):
        assert rank[laggard] >= 24, (laggard, rank[laggard])


@pytest.mark.xfail(strict=True, reason="fails with the measured drivers: threat, not energy, is Germany's largest "
                   "pull away from the line; docs/model.md 1.1")
def test_germany_diverges_through_energy(story):
    rows, _ = _ally_ranks(story["baseline"])
    _germany_diverges_through_energy(rows)


def test_baseline_tells_the_articles_story_with_legacy_drivers(legacy_story):
    rows, rank = _ally_ranks(legacy_story)
    for flank in ("EST", "LVA", "LTU", "POL"):
        assert rank[flank] <= 8, (flank, rank[flank])
    for laggard in ("DEU", "HRV"):
        assert rank[laggard] >= 24, (laggard, rank[laggard])
    _germany_diverges_through_energy(rows)


def test_attribution_is_exact_without_noise_or_shocks():
    """With no noise and no stance shocks the tracked parts alone explain the stance (shocks ~ 0)."""
    world = make_world("baseline", [{"noise_sd": 0.0}])
    result = simulate(world, 3, seed=1)
    assert np.abs(result.component_mean[-1]).max() < 1e-12


def _difference_from_baseline(story, name):
    """90% interval of the run-wise difference from baseline (run r of every scenario shares its
    measured drivers, so scenarios compare run by run)."""
    diff = story[name].metric("cohesion_index")[:, -1] - story["baseline"].metric("cohesion_index")[:, -1]
    return np.quantile(diff, [0.05, 0.95])


def test_invasion_raises_cohesion(story):
    assert _difference_from_baseline(story, "invasion")[0] > 0, "invasion should raise cohesion clearly above baseline"


def test_discredited_intel_lowers_cohesion(story):
    assert _difference_from_baseline(story, "intel-discredited")[1] < 0


def test_legacy_drivers_still_tell_the_intel_story():
    from cohesion.world import build_world

    def index(name):
        spec, digest = load_scenario(name)
        world = build_world(spec, digest, [LEGACY_WEIGHTS], drivers="legacy")
        return simulate(world, 100, seed=20220127).metric("cohesion_index")[:, -1]

    base, invasion, intel = index("baseline"), index("invasion"), index("intel-discredited")
    assert np.quantile(invasion, 0.05) > np.quantile(base, 0.95)
    assert np.quantile(intel, 0.95) < np.quantile(base, 0.05)


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
def test_invasion_rallies_the_alliance_across_plausible_weights(energy, threat, anchor):
    """The corners of experiments/pattern-robustness.yaml (a grid around the legacy calibration):
    with the legacy drivers invasion stays well above baseline (by 10+ points); with the measured
    drivers it stays above baseline, by less at strong anchoring (about 5 points)."""
    from cohesion.world import build_world

    layers = [{"energy_weight": energy, "threat_weight": threat, "anchor_weight": anchor}]
    for drivers, margin in (("legacy", 10.0), ("measured", 0.0)):
        def index(name):
            spec, digest = load_scenario(name)
            defaults = [LEGACY_WEIGHTS] if drivers == "legacy" else []
            world = build_world(spec, digest, [*defaults, *layers], drivers=drivers)
            return simulate(world, 20, seed=3).metric("cohesion_index")[:, -1]

        assert index("invasion").mean() > index("baseline").mean() + margin, drivers
