"""Readable tables of the measured drivers: per member with intervals and indicators, per family."""

from __future__ import annotations

import pandas as pd

from cohesion.constants import LEADERS
from cohesion.measurement.model import Measurement


def _format_value(value: float) -> str:
    return "NA" if pd.isna(value) else f"{value:.4g}"


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
