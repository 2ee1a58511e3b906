"""Readable tables of the measured drivers: per member with intervals and indicators, per family."""

from __future__ import annotations

import pandas as pd

from cohesion.constants import LEADERS
from cohesion.measurement.model import Measurement


def _format_value(value: float) -> str:
    """An indicator value without exponents: large values whole with thousands grouped, others to 4 digits."""
    if pd.isna(value):
        return "NA"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}"


def member_driver_table(measurement: Measurement, indicators: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """One row per member and driver: point score, 90 % interval, and the indicators behind it.

    ``indicators`` lists each indicator as ``name=value (status)``; a leader's
    trust is shown as measured, with a note that the rule sets it to 1.

    Args:
        measurement: The measured drivers.
        indicators: The long indicator table (``load_indicators``).
        names: Country name per member code.
    """
    summary = measurement.summary()
    used = set(zip(measurement.loadings["family"], measurement.loadings["indicator"]))
    behind = {}
    for (member, family), rows in indicators.groupby(["member", "family"], sort=False):
        parts = [
            f"{r.indicator}={_format_value(r.value)} ({r.status})" + ("" if (family, r.indicator) in used else " [not used]")
            for r in rows.sort_values("indicator").itertuples()
        ]
        behind[(member, family)] = "; ".join(parts)
    rows = []
    for r in summary.itertuples(index=False):
        note = "rule uses 1 (a leader)" if r.family == "trust" and r.member in LEADERS else ""
        rows.append(
            {
                "member": r.member,
                "country": names.get(r.member, r.member),
                "driver": r.driver,
                "score": r.score,
                "p05": r.p05,
                "p95": r.p95,
                "note": note,
                "indicators": behind.get((r.member, r.family), ""),
            }
        )
    return pd.DataFrame(rows).sort_values(["member", "driver"], kind="stable").reset_index(drop=True)


def family_table(measurement: Measurement) -> pd.DataFrame:
    """One row per family: indicators used, anchor, share of variance explained with its 90 % interval, R-hat."""
    return measurement.families[
        ["family", "driver", "indicators", "anchor", "variance_share", "variance_share_p05", "variance_share_p95",
         "rhat_max", "excluded"]
    ]


def loading_table(measurement: Measurement) -> pd.DataFrame:
    """One row per indicator used: family, standardised loading with its 90 % interval, uniqueness."""
    return measurement.loadings[
        ["family", "indicator", "anchor", "observed", "loading", "loading_p05", "loading_p95", "uniqueness"]
    ]


#: Markers of the generated block in docs/model.md (``scripts/update_measurement_docs.py`` rewrites it).
DOC_BLOCK = ("<!-- measured-drivers:start -->", "<!-- measured-drivers:end -->")


def markdown_tables(measurement: Measurement) -> str:
    """The loadings and variance shares as the Markdown tables docs/model.md shows."""
    drivers = dict(zip(measurement.families["family"], measurement.families["driver"]))
    lines = [
        "| family | driver | indicator | standardised loading (90% interval) | members observed |",
        "|---|---|---|---|---|",
    ]
    for r in loading_table(measurement).itertuples(index=False):
        anchor = " (anchor)" if r.anchor else ""
        lines.append(
            f"| {r.family} | `{drivers[r.family]}` | `{r.indicator}`{anchor} | "
            f"{r.loading:.2f} ({r.loading_p05:.2f} to {r.loading_p95:.2f}) | {r.observed} |"
        )
    lines += ["", "| family | indicators | share of variance explained (90% interval) | largest R-hat |", "|---|---|---|---|"]
    for r in family_table(measurement).itertuples(index=False):
        lines.append(
            f"| {r.family} | {r.indicators} | {r.variance_share:.2f} ({r.variance_share_p05:.2f} to "
            f"{r.variance_share_p95:.2f}) | {r.rhat_max:.3f} |"
        )
    return "\n".join(lines)
