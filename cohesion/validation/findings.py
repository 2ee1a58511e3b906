"""The headline findings, read from ensembles: the one list every validation uses.

A finding is a statement the README and docs/model.md make from a run of the
shipped scenarios, with a signed margin (positive = the statement holds):

- ``order:SCORE:A>B``: scenario A ends above scenario B on a headline score
  (margin: the difference of the run means);
- ``rank:ISO3``: a member's third (top, middle, bottom) of the alignment
  ranking in the reference scenario (margin: distance, in ranks, inside the
  third's edges);
- ``blocker:ISO3``: a member blocks at least one issue in at least half the
  runs of the reference scenario (margin: its largest blocking share minus
  one half).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from cohesion.constants import RUN_METRICS
from cohesion.ensemble import EnsembleResult
from cohesion.results import BLOCKER_MAJORITY

#: Headline scores: those of these that the model records (else the first it records of the fallbacks).
HEADLINE_SCORES: tuple[str, ...] = ("consensus", "cohesion")
FALLBACK_SCORES: tuple[str, ...] = ("cohesion_index",)
#: The scenario whose member ranking and blockers are headline findings.
REFERENCE_SCENARIO = "baseline"
THIRDS: tuple[str, ...] = ("top", "middle", "bottom")


def headline_scores() -> tuple[str, ...]:
    """The scores the scenario orderings are read on."""
    recorded = tuple(name for name in HEADLINE_SCORES if name in RUN_METRICS)
    return recorded or tuple(name for name in FALLBACK_SCORES if name in RUN_METRICS)[:1]


@dataclass(frozen=True)
class Finding:
    """One headline finding as measured on one set of ensembles."""

    id: str
    kind: str
    statement: str
    margin: float
    claim: str = ""

    @property
    def holds(self) -> bool:
        """Whether the statement is true (a tie does not count)."""
        return self.margin > 0


def third(rank: int, n: int) -> int:
    """The third (0 top, 1 middle, 2 bottom) of a 0-based rank among ``n``."""
    return min(2, rank * 3 // n)


def _third_edges(index: int, n: int) -> tuple[int, int]:
    ranks = [r for r in range(n) if third(r, n) == index]
    return ranks[0], ranks[-1]


def scenario_means(results: list[EnsembleResult], score: str) -> dict[str, float]:
    """Run mean of ``score`` at the horizon, per scenario."""
    return {r.world.scenario.name: float(r.metric(score)[:, -1].mean()) for r in results}


def order_subject(finding_id: str) -> tuple[str, str, str]:
    """(score, higher scenario, lower scenario) of an ``order:SCORE:A>B`` finding."""
    score, _, pair = finding_id.partition(":")[2].partition(":")
    high, low = pair.split(">")
    return score, high, low


def order_findings(means: dict[str, float], score: str) -> list[Finding]:
    """Every pair of scenarios, stated in the order the given means put them."""
    out = []
    for a, b in combinations(sorted(means), 2):
        high, low = (a, b) if means[a] >= means[b] else (b, a)
        out.append(
            Finding(f"order:{score}:{high}>{low}", "order", f"{high} ends above {low} on {score}", means[high] - means[low])
        )
    return out


def alignment_ranks(result: EnsembleResult) -> np.ndarray:
    """0-based rank of each member by mean horizon alignment (0 = most aligned)."""
    alignment = result.alignment_mean[-1]
    order = np.argsort(-alignment, kind="stable")
    ranks = np.empty(len(order), dtype=int)
    ranks[order] = np.arange(len(order))
    return ranks


def rank_findings(result: EnsembleResult, stated: dict[str, int] | None = None) -> list[Finding]:
    """Each member's third of the alignment ranking; ``stated`` fixes which third is claimed."""
    codes = result.world.members.codes
    ranks = alignment_ranks(result)
    n = len(codes)
    out = []
    for i, code in enumerate(codes):
        claimed = third(int(ranks[i]), n) if stated is None else stated[code]
        first, last = _third_edges(claimed, n)
        margin = min(ranks[i] - first, last - ranks[i]) + 1  # 1 on an edge, <= 0 outside
        out.append(
            Finding(f"rank:{code}", "rank", f"{code} in the {THIRDS[claimed]} third of alignment", float(margin), THIRDS[claimed])
        )
    return out


def blocking_share(result: EnsembleResult) -> np.ndarray:
    """Each member's largest share of runs in which it blocks an issue at the horizon."""
    return result.blocker_share[result.world.horizon].max(axis=1)


def blocker_findings(result: EnsembleResult, stated: tuple[str, ...] | None = None) -> list[Finding]:
    """The blockers of the reference scenario (``stated``: the claimed list)."""
    codes = result.world.members.codes
    share = blocking_share(result)
    claimed = stated if stated is not None else tuple(c for c, s in zip(codes, share) if s >= BLOCKER_MAJORITY)
    return [
        Finding(
            f"blocker:{code}",
            "blocker",
            f"{code} blocks a consensus in the {REFERENCE_SCENARIO} scenario",
            float(share[codes.index(code)] - BLOCKER_MAJORITY + 1e-12),
        )
        for code in claimed
    ]


def measure_findings(results: list[EnsembleResult], claimed: list[Finding] | None = None) -> list[Finding]:
    """The headline findings on these ensembles.

    Args:
        results: One ensemble per scenario (the reference scenario among them).
        claimed: The findings as stated on the real data; when given, the same
            statements are measured here (same order pairs, same thirds, same
            blockers), so their margins say whether each still holds.
    """
    means = {score: scenario_means(results, score) for score in headline_scores()}
    reference = next(r for r in results if r.world.scenario.name == REFERENCE_SCENARIO)
    if claimed is None:
        orders = [f for score, m in means.items() for f in order_findings(m, score)]
        return [*orders, *rank_findings(reference), *blocker_findings(reference)]
    stated = {f.id.partition(":")[2]: THIRDS.index(f.claim) for f in claimed if f.kind == "rank"}
    ranks = {f.id: f for f in rank_findings(reference, stated)} if stated else {}
    blockers = {f.id: f for f in blocker_findings(reference, tuple(f.id.partition(":")[2] for f in claimed if f.kind == "blocker"))}
    out = []
    for finding in claimed:
        if finding.kind == "order":
            score, high, low = order_subject(finding.id)
            out.append(Finding(finding.id, "order", finding.statement, means[score][high] - means[score][low]))
        else:
            out.append((ranks if finding.kind == "rank" else blockers)[finding.id])
    return out
