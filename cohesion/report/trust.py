"""The report's "How much to trust this" section, from a saved ``cohesion validate`` folder.

Kept apart from the rest of the report: it reads only ``validation.csv``,
``findings.csv`` and ``manifest.json`` (``cohesion.validation.suite``) and
returns one ``Section``.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

from cohesion.errors import InputError
from cohesion.report.page import Section, render, table

SECTION_ID = "trust"
TITLE = "How much to trust this"
#: Where a run report looks for validation results: a sibling folder of the results folder.
DEFAULT_FOLDER = "validation"


def _fmt(value: float) -> str:
    return "-" if value != value else f"{value:.3f}"


def trust_section(folder: Path) -> Section:
    """The section, from the validation results in ``folder`` (or how to produce them)."""
    from cohesion.validation.crossval import SCHEMES
    from cohesion.validation.findings import REFERENCE_SCENARIO
    from cohesion.validation.suite import read_validation

    folder = Path(folder)
    if not (folder / "manifest.json").is_file():
        return Section(
            SECTION_ID, TITLE,
            f"No validation results were found in <code>{escape(str(folder))}</code>. Run <code>cohesion validate "
            f"--out {escape(str(folder))}</code> to learn which findings survive shuffled data, held-out positions and "
            "other plausible parameters.",
        )  # fmt: skip
    meta, rows, findings = read_validation(folder)
    cv = rows[rows["section"].isin(SCHEMES)]
    gaps = cv[cv["measure"].str.startswith("mse_gap_to_")]
    gap_text = []
    for r in gaps.itertuples(index=False):
        best = r.measure.removeprefix("mse_gap_to_")
        verdict = "better than" if r.ci_high < 0 else ("worse than" if r.ci_low > 0 else "neither clearly better nor worse than")
        gap_text.append(
            f"{escape(r.section)}: the model ({escape(r.item)}) predicts held-out positions {verdict} the best baseline "
            f"({escape(best)}): MSE difference {r.value:+.4f}, bootstrap 95% interval {r.ci_low:+.4f} to {r.ci_high:+.4f}."
        )
    cv_rows = []
    for item in dict.fromkeys(cv.loc[~cv["measure"].str.startswith("mse_gap_to_"), "item"]):
        cells = [item]
        for scheme in SCHEMES:
            part = cv[(cv["section"] == scheme) & (cv["item"] == item)].set_index("measure")
            r = part.loc["mse"]
            cells.append(f"{_fmt(r.value)} ({_fmt(r.ci_low)}-{_fmt(r.ci_high)})")
        cv_rows.append(cells)
    shown = findings[(findings["kind"] != "order") | findings["finding"].str.contains(REFERENCE_SCENARIO, regex=False)]
    finding_rows = [
        [
            r.statement,
            r.status if r.status == "structural" else f"{r.status} (p = {r.p_value:.3f})",
            f"{r.share_holds:.0%}",
            f"{r.share_holds_parameters:.0%}",
            "-" if r.share_flipped != r.share_flipped else f"{r.share_flipped:.0%}",
            r.flip_rule if isinstance(r.flip_rule, str) and r.flip_rule else "-",
        ]
        for r in shown.itertuples(index=False)
    ]
    text = (
        "Every figure here comes from <code>cohesion validate</code> (seed "
        f"{escape(str(meta.get('seed')))}, {escape(str(meta.get('sizes', {}).get('shuffles')))} driver shuffles). "
        "A <b>structural</b> finding survives shuffling the members' drivers: it comes from the scenarios and the "
        "model's structure, not from who the members are. A <b>data-driven</b> finding breaks when the data are "
        "shuffled; its p-value is the chance it would hold with the drivers dealt at random. "
        + " ".join(gap_text)
    )
    html = (
        "<h3>Held-out error on the coded positions (MSE, bootstrap 95% interval)</h3>"
        + table(["predictor", *SCHEMES], cv_rows)
        + "<h3>Headline findings</h3>"
        + table(
            ["finding", "status", "holds in driver shuffles", "holds in parameter draws (profile likelihood)",
             "flips at Sobol points", "where it flips"],
            finding_rows,
        )  # fmt: skip
    )
    return Section(SECTION_ID, TITLE, text, html=html)


def write_trust_page(folder: Path, out: Path | None = None) -> Path:
    """Write the section alone as a self-contained page (``trust.html`` in ``folder`` by default)."""
    folder = Path(folder)
    if not (folder / "manifest.json").is_file():
        raise InputError(f"{folder} holds no validation results")
    out = Path(out) if out is not None else folder / "trust.html"
    page = render("NATO cohesion under stress: how much to trust this", "Validation results.", [], [trust_section(folder)])
    tmp = out.with_name(f".{out.name}.{os.getpid()}.partial")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    return out
