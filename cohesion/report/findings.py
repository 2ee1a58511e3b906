"""Key findings: a few generated sentences from saved results, each number traceable to a table.

Used at the top of the report and after ``cohesion run``. Each sentence names
the table and columns its numbers come from (``Finding.source``), and every
number is the table's value rounded as printed, so a reader can check it.
"""

from __future__ import annotations

from dataclasses import dataclass

from cohesion.constants import COMPONENTS
from cohesion.report.data import RunResults
from cohesion.report.scores import headline

#: How many scenarios the "largest changes" sentence names.
LARGEST_CHANGES = 3
#: How many parts the "what drives the least aligned" sentence names.
DRIVING_PARTS = 2


@dataclass(frozen=True)
class Finding:
    """One sentence and where its numbers come from."""

    text: str
    source: str


def _names(results: RunResults, codes: object) -> list[str]:
    names = results.country_names
    return [names.get(c, c) for c in str(codes).split(";") if c] if isinstance(codes, str) else []


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def key_findings(results: RunResults, reference: str | None = None) -> list[Finding]:
    """The key findings of a run's results, relative to ``reference`` (default: baseline, else the first scenario)."""
    reference = reference or results.reference
    summary = results.summary.set_index("scenario")
    ref = summary.loc[reference]
    weeks = int(ref["weeks"])
    findings: list[Finding] = []
    scores = headline(results.scores)
    for score in scores:
        start = f"from {ref[score.week0]:{score.fmt}} at week 0 " if score.week0 else ""
        findings.append(Finding(
            f"In {reference}, {score.label.lower()} goes {start}to {ref[score.mean]:{score.fmt}} at week {weeks} "
            f"(90% interval {ref[score.low]:{score.fmt}}-{ref[score.high]:{score.fmt}}).",
            f"summary.csv, row {reference}: {', '.join(c for c in (score.week0, score.mean, score.low, score.high) if c)}",
        ))
    others = [s for s in results.scenarios if s != reference]
    if others and scores:
        score = scores[0]
        change = (summary.loc[others, score.mean] - ref[score.mean]).astype(float)
        largest = change.reindex(change.abs().sort_values(ascending=False, kind="stable").index)[:LARGEST_CHANGES]
        parts = [f"{name} {delta:+{score.fmt}} (to {summary.loc[name, score.mean]:{score.fmt}})" for name, delta in largest.items()]
        findings.append(Finding(f"Largest changes in {score.label.lower()} from {reference}: {_listing(parts)}.",
                                f"summary.csv: {score.mean} of each scenario minus {reference}'s"))
    blockers = _names(results, ref["blocking_members"])
    count = f" ({ref['consensus_blockers']:.1f} on average)" if "consensus_blockers" in summary.columns else ""
    who = f"{_listing(blockers)} block{'s' if len(blockers) == 1 else ''} some issue in most runs" if blockers \
        else "no member blocks any issue in most runs"
    findings.append(Finding(f"In {reference}, {who}{count}.", "summary.csv: blocking_members, consensus_blockers"))
    members = results.members[results.members["scenario"] == reference].set_index("member")
    least = members["alignment"].idxmin()
    row = members.loc[least]
    columns = [f"attr_{c}" for c in COMPONENTS]
    gap = (members[columns] - members[columns].mean()).loc[least].sort_values(kind="stable")[:DRIVING_PARTS]
    pulls = [f"{column.removeprefix('attr_')} ({value:+.2f})" for column, value in gap.items() if value < 0]
    why = f"; relative to the alliance average, {_listing(pulls)} pull it down most" if pulls else ""
    findings.append(Finding(
        f"{row['country']} is the least aligned in {reference} (alignment {row['alignment']:.2f}, "
        f"90% interval {row['alignment_p05']:.2f}-{row['alignment_p95']:.2f}){why}.",
        f"members.csv, rows {reference}: alignment, alignment_p05, alignment_p95, attr_* minus their mean over members",
    ))
    return findings


def findings_text(results: RunResults, reference: str | None = None) -> str:
    """The key findings as one paragraph."""
    return " ".join(f.text for f in key_findings(results, reference))
