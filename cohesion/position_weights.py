"""One government, one vote: the weight of each position within its member x issue cell.

The rule (docs/positions.md, "Weights"): within one ``speaks_for`` x ``issue`` cell
of the rows the model reads (``member_stance``, ``eu_stance``), the rows are grouped
by who speaks (``speaker_class``):

- ``government``: the government, or a head of state who holds the decision
  (e.g. the U.S. president); it decides NATO and EU matters;
- ``head_of_state``: a head of state without the decision (e.g. Croatia's president);
- ``group``: a statement about a group of members, coded member by member;
- ``institution``: an EU institution (the EU's own cells).

Where the government speaks, its rows share ``GOVERNMENT_SHARE`` of the cell and the
other classes present share the rest equally; where it is silent, the classes present
share the cell equally. Rows of one class share its part equally, so three statements
of a president weigh no more than one. Rows the model does not read (``context``,
``environment``) weigh 0.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from cohesion.inputs import WEIGHTED_USES, Position

#: The government's share of a cell where another class also speaks (a modelling judgement:
#: dominant, but the head of state or a group statement still counts).
GOVERNMENT_SHARE = 0.8


def class_shares(classes: set[str]) -> dict[str, float]:
    """Share of a cell for each speaker class present in it.

    Args:
        classes: The speaker classes with at least one row in the cell.

    Returns:
        Shares summing to 1.
    """
    if not classes:
        return {}
    if "government" in classes and len(classes) > 1:
        others = sorted(classes - {"government"})
        return {"government": GOVERNMENT_SHARE, **{c: (1.0 - GOVERNMENT_SHARE) / len(others) for c in others}}
    return {c: 1.0 / len(classes) for c in classes}


def weigh_positions(positions: tuple[Position, ...]) -> tuple[Position, ...]:
    """The positions with ``weight`` and ``weight_rationale`` set by the rule above."""
    cells: dict[tuple[str, str, str], list[Position]] = defaultdict(list)
    for pos in positions:
        if pos.use in WEIGHTED_USES:
            cells[pos.speaks_for, pos.issue, pos.use].append(pos)
    weighted = {}
    for rows in cells.values():
        by_class: dict[str, int] = defaultdict(int)
        for pos in rows:
            by_class[pos.speaker_class] += 1
        shares = class_shares(set(by_class))
        present = ", ".join(f"{c} {shares[c]:g}" for c in sorted(shares))
        for pos in rows:
            n = by_class[pos.speaker_class]
            weight = shares[pos.speaker_class] / n
            why = f"{pos.speaker_class}: 1 of {n} row(s) sharing {shares[pos.speaker_class]:g} of the cell ({present})"
            weighted[pos.id] = replace(pos, weight=round(weight, 6), weight_rationale=why)
    return tuple(
        weighted.get(pos.id, replace(pos, weight=0.0, weight_rationale=f"not read by the model (use {pos.use})"))
        for pos in positions
    )
