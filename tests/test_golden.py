"""Golden baseline: the model's numbers do not change unless someone means them to.

The expected tables live in tests/golden/ and are regenerated, on purpose, by
``scripts/update_golden.py``; a failing test here means an unintended change
of the model's output (or an intended one whose golden files were not updated).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cohesion.engines import simulate
from cohesion.results import member_rows, summary_row
from cohesion.runner import RunRequest, prepare

GOLDEN = Path(__file__).resolve().parent / "golden"
RUNS, SEED = 20, 1
SUMMARY_COLUMNS = ["scenario", "consensus_week0", "consensus_mean", "consensus_p05", "consensus_p95", "cohesion_week0",
                   "cohesion_mean", "cohesion_p05", "cohesion_p95", "alignment_mean", "agreement_index_mean",
                   "eu_consensus_mean", "consensus_blockers", "adopted_sanctions", "eu_adopted_sanctions"]
MEMBER_COLUMNS = ["scenario", "member", "alignment", "stance_deterrence", "stance_sanctions", "attr_energy",
                  "attr_threat", "attr_leadership", "attr_peers", "dilution_sanctions"]


def golden_tables() -> dict[str, pd.DataFrame]:
    """Summary and member tables of every shipped scenario, 20 runs, seed 1, default parameters."""
    results = [simulate(world, RUNS, SEED) for world in prepare(RunRequest(scenarios=["all"], runs=RUNS, seed=SEED))]
    summary = pd.DataFrame([summary_row(r) for r in results])[SUMMARY_COLUMNS]
    members = pd.DataFrame([row for r in results for row in member_rows(r)])[MEMBER_COLUMNS]
    return {"summary.csv": summary, "members.csv": members}


def test_outputs_match_the_golden_baseline():
    for name, frame in golden_tables().items():
        expected = pd.read_csv(GOLDEN / name)
        pd.testing.assert_frame_equal(frame.reset_index(drop=True), expected, check_exact=False, atol=1e-8, rtol=0,
                                      check_dtype=False)
