"""Latent drivers measured from their indicators: one factor model per family.

Each family of ``indicators.csv`` (energy, threat, trust, government,
capability) is one latent score per member, fitted by the one-factor model of
``cohesion.measurement.factor``. Which indicator belongs to which family is
the file's ``family`` column, fixed a priori (docs/model.md 3.2); the sign of
each factor is fixed by an anchor indicator whose direction is known
(``ANCHORS``). The score that enters the decision rule is ``Phi(f)``, the
standard normal CDF of the latent score, so every driver lies in [0, 1] with
0.5 at the prior mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from cohesion.errors import InputError
from cohesion.indicators import FAMILIES
from cohesion.limits import check_seed
from cohesion.measurement.factor import normal_scores, sample_one_factor
from cohesion.seeding import measurement_stream

#: The driver each family measures (the first three enter the decision rule).
DRIVER_OF_FAMILY: dict[str, str] = {
    "energy": "energy_dependence",
    "threat": "threat_perception",
    "trust": "leadership_trust",
    "government": "government_populism",
    "capability": "capability",
}
#: Anchor indicators, in order of preference: the first one present fixes the sign of its
#: family's factor (its loading is constrained positive). Chosen a priori for their known
#: direction: a land border with Russia or Belarus raises threat; Russia's share of gas
#: supply raises energy dependence; Five Eyes membership (else combat forces in Iraq 2003)
#: marks trust in U.S.-UK leadership; the populism of the head of government's party (Global
#: Party Survey) marks a populist, Eurosceptic cabinet (a salience item, such as the CHES salience of
#: Russian interference, says how much parties talk about an issue, not which side they take, so
#: it cannot fix a direction); GDP marks capability. The interim file's names stay as fallbacks.
ANCHORS: dict[str, tuple[str, ...]] = {
    "energy": ("gas_russia_share_2020", "gas_russia_share", "russian_gas_share_of_energy", "oil_russia_share_2020"),
    "threat": ("land_border_russia_belarus", "soviet_annexation"),
    "trust": ("five_eyes_member", "iraq_2003_combat", "iraq_2003_2004_troops"),
    "government": ("leader_party_populism", "cabinet_people_vs_elite"),
    "capability": ("gdp_2020_usd", "gdp_2021_usd", "defence_2021e_usd"),
}
#: An indicator needs this many observed members to enter a family's model.
MIN_OBSERVED = 3
DEFAULT_SEED = 20220127
DEFAULT_DRAWS = 200
CHAINS = 4
BURN_IN = 1000
THIN = 20
#: Central interval reported for scores and loadings.
INTERVAL = (0.05, 0.95)


@dataclass(frozen=True)
class Measurement:
    """Measured drivers: posterior draws per member, loadings and variance shares per family.

    Attributes:
        draws: One row per family, member and draw: ``latent`` (f) and ``score`` (Phi(f)).
        loadings: One row per family and indicator used: standardised loading
            (correlation with the factor) with its interval, uniqueness, observed count.
        families: One row per family: indicators used, anchor, variance share, R-hat.
        meta: Seed, draws, chains, burn-in, thinning and the indicators file's SHA-256.
    """

    draws: pd.DataFrame
    loadings: pd.DataFrame
    families: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def score_draws(self, family: str, codes: tuple[str, ...]) -> np.ndarray:
        """Score draws (D, N) of one family in the member order ``codes``."""
        rows = self.draws[self.draws["family"] == family]
        if rows.empty:
            raise InputError(f"no measured driver for family {family!r} (is it in indicators.csv?)")
        wide = rows.pivot(index="draw", columns="member", values="score")
        missing = [c for c in codes if c not in wide.columns]
        if missing:
            raise InputError(f"no measured {family} score for member {missing[0]}")
        return wide[list(codes)].to_numpy()

    def summary(self) -> pd.DataFrame:
        """Point score (posterior mean) and 90 % interval per family and member."""
        grouped = self.draws.groupby(["family", "driver", "member"], sort=False)["score"]
        frame = grouped.agg(score="mean").reset_index()
        frame["p05"] = grouped.quantile(INTERVAL[0]).to_numpy()
        frame["p95"] = grouped.quantile(INTERVAL[1]).to_numpy()
        return frame


def _family_fit(wide: pd.DataFrame, family: str, seed: int, draws: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Fit one family; return its draws, loadings and summary row."""
    counts = wide.notna().sum()
    usable = [c for c in wide.columns if counts[c] >= MIN_OBSERVED and wide[c].nunique() > 1]
    excluded = sorted(set(wide.columns) - set(usable))
    anchor = next((a for a in ANCHORS[family] if a in usable), None)
    if anchor is None:
        raise InputError(
            f"indicators.csv: family {family!r} has none of its anchor indicators ({', '.join(ANCHORS[family])}) "
            f"with {MIN_OBSERVED}+ observed, varying values; the sign of its factor would be undefined"
        )
    y = normal_scores(wide[usable].to_numpy(dtype=float))
    per_chain = -(-draws // CHAINS)
    rngs = [measurement_stream(seed, family, chain) for chain in range(CHAINS)]
    fit = sample_one_factor(y, usable.index(anchor), rngs, per_chain, burn_in=BURN_IN, thin=THIN)
    # interleave chains (draw-major) so that the first ``draws`` draws use every chain
    order = np.arange(CHAINS * per_chain).reshape(CHAINS, per_chain).T.ravel()[:draws]
    latent = fit.scores[order]
    codes = list(wide.index)
    draw_frame = pd.DataFrame(
        {
            "family": family,
            "driver": DRIVER_OF_FAMILY[family],
            "member": np.tile(codes, draws),
            "draw": np.repeat(np.arange(draws), len(codes)),
            "latent": latent.ravel(),
            "score": ndtr(latent).ravel(),
        }
    )
    standardized = fit.standardized_loadings[order]
    low, high = np.quantile(standardized, INTERVAL, axis=0)
    loading_frame = pd.DataFrame(
        {
            "family": family,
            "indicator": usable,
            "anchor": [name == anchor for name in usable],
            "observed": [int(counts[c]) for c in usable],
            "loading": standardized.mean(axis=0),
            "loading_p05": low,
            "loading_p95": high,
            "uniqueness": fit.uniquenesses[order].mean(axis=0),
        }
    )
    share = fit.variance_share[order]
    summary = {
        "family": family,
        "driver": DRIVER_OF_FAMILY[family],
        "indicators": len(usable),
        "anchor": anchor,
        "variance_share": float(share.mean()),
        "variance_share_p05": float(np.quantile(share, INTERVAL[0])),
        "variance_share_p95": float(np.quantile(share, INTERVAL[1])),
        "rhat_max": fit.rhat,
        "excluded": ";".join(excluded),
    }
    return draw_frame, loading_frame, summary


def measure(indicators: pd.DataFrame, codes: tuple[str, ...], seed: int = DEFAULT_SEED, draws: int = DEFAULT_DRAWS,
            indicators_sha256: str = "") -> Measurement:
    """Fit every family present in ``indicators`` (the long table of ``load_indicators``).

    Args:
        indicators: One row per member and indicator.
        codes: Member order; a member without any value of a family keeps the prior for it.
        seed: Root seed of the chains (``cohesion.seeding.measurement_stream``).
        draws: Posterior draws kept per family (pooled over ``CHAINS`` chains).
        indicators_sha256: Hash of the file the table came from (recorded in ``meta``).
    """
    if draws < CHAINS:
        raise InputError(f"--draws must be at least {CHAINS}, got {draws}")
    check_seed(seed)
    parts = []
    for family in FAMILIES:
        rows = indicators[indicators["family"] == family]
        if rows.empty:
            continue
        wide = rows.pivot(index="member", columns="indicator", values="value").reindex(list(codes))
        wide = wide[sorted(wide.columns)]
        parts.append(_family_fit(wide, family, seed, draws))
    if not parts:
        raise InputError("indicators.csv holds no indicator of any family")
    meta = {
        "seed": seed,
        "draws": draws,
        "chains": CHAINS,
        "burn_in": BURN_IN,
        "thin": THIN,
        "transform": "score = Phi(f), f the posterior latent factor score",
        "indicators_sha256": indicators_sha256,
    }
    return Measurement(
        draws=pd.concat([p[0] for p in parts], ignore_index=True),
        loadings=pd.concat([p[1] for p in parts], ignore_index=True),
        families=pd.DataFrame([p[2] for p in parts]),
        meta=meta,
    )
