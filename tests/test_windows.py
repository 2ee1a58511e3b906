"""Acceptance windows fitted to the decisions on record by 27 January 2022 (cohesion/experiments/windows.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cohesion.constants import ISSUES
from cohesion.core.metrics import acceptance_window, decisions
from cohesion.errors import InputError
from cohesion.experiments.windows import decision_thresholds, fit_tolerance, fit_world_windows, load_decisions
from cohesion.params import SPECS_BY_NAME
from tests.conftest import make_world
from tests.test_experiments import run_cli


def test_thresholds_by_hand():
    stance = np.array([[0.1], [0.5], [0.9]])
    # no salience: every window is tol wide, so the extremes meet at half their distance
    assert decision_thresholds(stance, np.zeros((3, 1)), 0.5)[0] == pytest.approx(0.4)
    # the member at 0.1 cares fully: its window is half as wide, (0.9 - 0.1) / (1 + 0.5)
    salience = np.array([[1.0], [0.0], [0.0]])
    assert decision_thresholds(stance, salience, 0.5)[0] == pytest.approx(0.8 / 1.5)
    # one member alone, or all members agreeing, decide at any tolerance
    assert decision_thresholds(np.full((4, 1), 0.3), np.zeros((4, 1)), 0.5)[0] == 0.0


@settings(max_examples=60, deadline=None)
@given(
    stance=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=8),
    salience=st.lists(st.floats(0.0, 1.0), min_size=8, max_size=8),
    tightening=st.floats(0.0, 0.9),
)
def test_the_threshold_is_where_the_consensus_rule_starts_to_decide(stance, salience, tightening):
    x = np.array(stance)[:, None]
    sal = np.array(salience[: len(stance)])[:, None]
    threshold = decision_thresholds(x, sal, tightening)[0]
    proposal = np.ones(1)
    _, above = decisions(x, proposal, acceptance_window(sal, threshold + 1e-9, tightening))
    assert above[0]
    if threshold > 1e-9:
        _, below = decisions(x, proposal, acceptance_window(sal, threshold - 1e-9, tightening))
        assert not below[0]


def test_fit_is_the_middle_of_the_interval_that_reproduces_every_clear_record():
    thresholds = np.array([0.5, 0.7, 0.3, 0.9, 0.4, 0.8])
    fit = fit_tolerance(thresholds, (True, False, True, None, True, False))
    assert (fit.low, fit.high, fit.value) == pytest.approx((0.5, 0.7, 0.6))
    assert fit.consistent and fit.wrong == ()
    # a record no tolerance can meet: the best tolerance, and the issue it gets wrong
    clash = fit_tolerance(thresholds, (True, False, True, None, False, True))
    assert not clash.consistent
    # 0.3 and 0.5 both get two records wrong; the smaller is taken
    assert clash.value == pytest.approx(0.3) and clash.wrong == ("deterrence", "energy_decoupling")


def test_the_shipped_default_reproduces_the_record_at_week_0():
    """The default tolerance lies in the fitted interval, and the consensus rule itself agrees."""
    world = make_world("baseline")
    fit = fit_world_windows(world)
    assert fit.consistent and fit.wrong == ()
    assert fit.low <= SPECS_BY_NAME["acceptance_tolerance"].default < fit.high
    assert round(fit.value, 2) == SPECS_BY_NAME["acceptance_tolerance"].default
    records = {r.issue: r.decided for r in load_decisions()}
    _, decided = decisions(world.initial_stance, world.proposal0, world.acceptance_window)
    for issue, made in zip(ISSUES, decided):
        if records[issue] is not None:
            assert made == records[issue], issue
    # the round-2 judgement (0.4) left deterrence and the open door undecided: the fit bites
    old = make_world("baseline", [{"acceptance_tolerance": 0.4}])
    assert not decisions(old.initial_stance, old.proposal0, old.acceptance_window)[1][ISSUES.index("deterrence")]


HEADER = "issue,decided,date,source_id,quote,rationale,status\n"


def _rows(**override: str) -> str:
    rows = {k: f"{k},yes,2022-01-24,article-2022-01-27,q,r,judged\n" for k in ISSUES}
    rows.update(override)
    return HEADER + "".join(rows.values())


@pytest.mark.parametrize(
    "text, message",
    [
        (_rows(deterrence="deterrence,yes,2022-02-24,article-2022-01-27,q,r,judged\n"), "after 2022-01-27"),
        (_rows(deterrence="deterrence,perhaps,2022-01-24,article-2022-01-27,q,r,judged\n"), "yes, no or unclear"),
        (_rows(deterrence="deterrence,yes,2022-01-24,nowhere,q,r,judged\n"), "not in sources.csv"),
        (_rows(deterrence="nukes,yes,2022-01-24,article-2022-01-27,q,r,judged\n"), "unknown or given twice"),
        (_rows(deterrence=""), "no record for deterrence"),
        ("issue,decided\n", "missing column"),
        (_rows(deterrence="deterrence,yes\n"), "fields where the header has 7"),  # was AttributeError
        (_rows(deterrence="deterrence,yes,2022-01-24,article-2022-01-27,q,r,guessed\n"), "unknown status 'guessed'"),
    ],
)
def test_bad_decision_files_are_refused(tmp_path, text, message):
    path = tmp_path / "decisions.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_decisions(path)


def test_cli_prints_the_fit(capsys):
    assert run_cli(["calibrate", "--windows"]) == 0
    out = capsys.readouterr().out
    assert "every clear record holds for 0.558 <= tolerance < 0.652" in out
    assert "unclear (not fitted)" in out


def test_every_quote_is_verbatim_in_its_source():
    """Article quotes appear in the shipped article; others are quotes of positions rows from the same source."""
    from cohesion.inputs import data_path, load_positions

    article = data_path("article.txt").read_text(encoding="utf-8")
    quoted = {(p.source_id, p.quote) for p in load_positions()}
    for record in load_decisions():
        if record.source_id == "article-2022-01-27":
            assert record.quote in article, record.issue
        else:
            assert (record.source_id, record.quote) in quoted, record.issue
