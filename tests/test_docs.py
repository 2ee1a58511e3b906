"""docs/model.md agrees with the code: every parameter with its default, every event type."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cohesion.constants import ISSUES
from cohesion.core.environment import EVENT_TYPES
from cohesion.params import PARAM_SPECS
from cohesion.world import load_sensitivity

MODEL_DOC = (Path(__file__).resolve().parents[1] / "docs" / "model.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("spec", PARAM_SPECS, ids=lambda s: s.name)
def test_every_parameter_is_documented_with_its_default_and_range(spec):
    row = re.search(rf"^\| `{spec.name}` \| ([^|]+) \| \[([^,]+), ([^\]]+)\] \|", MODEL_DOC, re.MULTILINE)
    assert row, f"{spec.name} missing from the parameter table"
    assert float(row.group(1)) == spec.default
    assert (float(row.group(2)), float(row.group(3))) == (spec.low, spec.high)


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_every_event_type_is_documented(kind):
    assert f"| `{kind}` |" in MODEL_DOC


def test_issue_sensitivity_table_matches_data():
    sensitivity = load_sensitivity()
    for k, issue in enumerate(ISSUES):
        row = re.search(rf"^\| {issue} \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|", MODEL_DOC, re.MULTILINE)
        assert row, issue
        assert [float(v) for v in row.groups()] == pytest.approx(list(sensitivity[:, k]))


def test_driver_formulas_in_the_doc_use_the_code_constants():
    from cohesion.core import drivers as d

    threat = (f"{d.THREAT_BORDER_WEIGHT:.2f} B_i + {d.THREAT_PROXIMITY_WEIGHT:.2f} Prox_i + "
              f"{d.THREAT_DEFENCE_WEIGHT:.2f} Def_i + {d.THREAT_ENLARGEMENT_WEIGHT:.2f} Enl_i")
    trust = (f"{d.TRUST_BASE:.2f} + {d.TRUST_IRAQ_COMBAT:.2f} Iraq_i + {d.TRUST_IRAQ_TROOPS:.2f} Troops_i + "
             f"{d.TRUST_US_PRESENCE:.2f} US_i")
    energy = f"{1 - d.OIL_WEIGHT:g} g_i + {d.OIL_WEIGHT:g} o_i + {d.ENERGY_PROJECT_BONUS:g} P_i"
    for formula in (threat, trust, energy):
        assert formula in MODEL_DOC, formula
    assert f"exp(-(d_i - {d.PROXIMITY_NEAR_KM:.0f} km) / {d.PROXIMITY_SCALE_KM:.0f} km)" in MODEL_DOC
    assert f"g_i = r_i min(1, s_i / {d.GAS_WEIGHT_REFERENCE:g})" in MODEL_DOC


def test_us_share_of_peer_pull_in_the_doc_is_computed():
    """The table of section 4.3 is what cohesion.core.peers.us_share_of_peer_pull gives."""
    from cohesion.core.peers import us_share_of_peer_pull
    from tests.conftest import make_world

    uniform = make_world("baseline", [{"influence_capability_exponent": 0.0, "influence_salience_exponent": 0.0}])
    default = make_world("baseline")
    measured = "defaults (`gamma = delta = 1`; salience from the measured point drivers)"
    for label, world in (("uniform (`gamma = delta = 0`, round 1)", uniform), (measured, default)):
        codes = world.members.codes
        shares = [100 * us_share_of_peer_pull(world.peer_weights, codes, sources) for sources in (("USA",), ("USA", "GBR"), ("LTU",))]
        row = f"| {label} | " + " | ".join(f"{v:.1f} %" for v in shares) + " |"
        assert row in MODEL_DOC, row


def test_every_scenario_event_type_in_the_doc_targets_table():
    from cohesion.scenarios import EVENT_RULES

    for kind, (targets, *_rest) in EVENT_RULES.items():
        assert re.search(rf"^\| `{kind}` \| {targets} \|", MODEL_DOC, re.MULTILINE), kind


def test_measured_driver_loadings_in_the_doc_match_the_stored_drivers():
    from cohesion.measurement.store import load_measurement
    from cohesion.measurement.tables import DOC_BLOCK, markdown_tables

    data_doc = (Path(__file__).resolve().parents[1] / "docs" / "data.md").read_text(encoding="utf-8")
    for doc in (MODEL_DOC, data_doc):
        block = doc.split(DOC_BLOCK[0], 1)[1].split(DOC_BLOCK[1], 1)[0].strip()
        assert block == markdown_tables(load_measurement()), "run scripts/update_measurement_docs.py"


def test_coded_position_counts_in_the_docs_match_positions_csv():
    """The member-stance rows, coded cells and cells with a member's own evidence that README and model.md state."""
    from cohesion.inputs import load_positions

    rows = [p for p in load_positions() if p.use == "member_stance"]
    cells = {(p.speaks_for, p.issue) for p in rows}
    own = {(p.speaks_for, p.issue) for p in rows if not p.group}
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"The (\d+) member rows cover (\d+) of the 180\s+member-issue cells \((\d+) from a member's own", MODEL_DOC)
    assert stated is not None and tuple(map(int, stated.groups())) == (len(rows), len(cells), len(own))
    for text in (MODEL_DOC, readme):
        found = re.findall(r"cover (\d+) of 180 member-issue cells,(?: but only)? (\d+)", text)
        assert found and all(tuple(map(int, f)) == (len(cells), len(own)) for f in found)


def test_every_named_stream_is_in_the_reproducibility_section():
    from cohesion.seeding import STREAMS

    section = MODEL_DOC.split("## 6. Reproducibility", 1)[1].split("\n## ", 1)[0]
    text = " ".join(section.split())
    for name, number in STREAMS.items():
        assert re.search(rf"`?{name}`? (stream )?\(?{number}\b", text), f"stream {name} ({number}) is not in docs/model.md section 6"
