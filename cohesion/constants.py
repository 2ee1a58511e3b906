"""Names shared by every layer: the policy issues, the leaders, the attribution components."""

#: Policy dimensions of the crisis, in the fixed order of every stance array's last axis.
#: On each, stance 1 is the U.S.-UK line and 0 its opposite (docs/model.md, "Entities").
ISSUES: tuple[str, ...] = (
    "deterrence",
    "arms_to_ukraine",
    "sanctions",
    "diplomatic_line",
    "open_door",
    "energy_decoupling",
)

ISSUE_LABELS: dict[str, str] = {
    "deterrence": "Eastern-flank deterrence",
    "arms_to_ukraine": "Arms to Ukraine",
    "sanctions": "Sanctions readiness",
    "diplomatic_line": "U.S.-UK diplomatic line",
    "open_door": "NATO open door",
    "energy_decoupling": "Energy decoupling",
}

#: The members that set the U.S.-UK line.
LEADERS: tuple[str, ...] = ("USA", "GBR")

#: Additive parts of every stance (docs/model.md, "Attribution"); they sum to the stance.
COMPONENTS: tuple[str, ...] = (
    "baseline",
    "energy",
    "threat",
    "leadership",
    "position",
    "peers",
    "anchor",
    "shocks",
)

#: Per-run scalar metrics recorded every week, in the order of the metric axis (docs/model.md, "Scores").
RUN_METRICS: tuple[str, ...] = (
    "consensus",
    "cohesion",
    "alignment",
    "agreement_index",
    "eu_consensus",
    "consensus_blockers",
)

#: Issues on which the EU also decides, by unanimity of its members (EU competence).
EU_ISSUES: tuple[str, ...] = ("sanctions", "energy_decoupling")

NON_MEMBER_ACTORS: tuple[str, ...] = ("EU", "RUS", "UKR")
