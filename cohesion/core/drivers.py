"""Structural drivers of each member, computed from the member data.

Each driver lies in [0, 1]. The combination weights below are modelling
judgements, not data; docs/model.md ("Input data" and "Initialization") gives
the reasoning, and ``driver_table`` reports which inputs were imputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cohesion.constants import LEADERS
from cohesion.inputs import Members

# --- Energy dependence (judged weights) ---
#: Share of gas in total energy supply at which Russian gas counts in full: about the EU-27
#: average of 2020 (Eurostat energy balances: natural gas about 24 % of gross available energy).
#: Where gas is a smaller part of a member's energy, its Russian gas share counts proportionally less.
GAS_WEIGHT_REFERENCE = 0.24
#: Weight of the oil share where it is known; gas alone otherwise.
OIL_WEIGHT = 0.3
#: Added per major Russian energy project the member hosts (Nord Stream 2, TurkStream, Paks II, ...).
ENERGY_PROJECT_BONUS = 0.1

# --- Threat perception (judged weights, summing to 1) ---
THREAT_BORDER_WEIGHT = 0.35
THREAT_PROXIMITY_WEIGHT = 0.30
THREAT_DEFENCE_WEIGHT = 0.20
THREAT_ENLARGEMENT_WEIGHT = 0.15
#: Capital-to-Moscow distance (km) at which proximity is 1, and its e-folding length.
PROXIMITY_NEAR_KM = 800.0
PROXIMITY_SCALE_KM = 1500.0
#: Defence spending (% GDP) mapped linearly from 0 at this floor to 1 at this ceiling.
DEFENCE_FLOOR_PCT = 1.0
DEFENCE_CEILING_PCT = 3.0
#: Accession years of the post-Cold-War enlargement towards Russia (1999 and 2004 rounds).
EASTERN_ENLARGEMENT_YEARS = (1999, 2004)

# --- Trust in U.S.-UK leadership (judged weights) ---
TRUST_BASE = 0.35
TRUST_IRAQ_COMBAT = 0.30
TRUST_IRAQ_TROOPS = 0.15
TRUST_US_PRESENCE = 0.20
#: U.S. troop count at which presence saturates (log scale).
US_PRESENCE_SATURATION = 35000.0


@dataclass(frozen=True)
class Drivers:
    """Structural drivers, each an array over members in [0, 1]."""

    energy_dependence: np.ndarray
    threat_perception: np.ndarray
    leadership_trust: np.ndarray


def gas_exposure(members: Members) -> np.ndarray:
    """Russian gas weighted by gas's place in the energy mix.

    ``g_i = r_i * min(1, s_i / 0.24)`` with ``r_i`` Russia's share of the member's gas
    consumption and ``s_i`` gas's share of its total energy supply (2020).
    """
    weight = np.minimum(1.0, members.gas_share_of_energy / GAS_WEIGHT_REFERENCE)
    return members.gas_russia_share * weight


def energy_dependence(members: Members) -> np.ndarray:
    """Energy dependence on Russia: gas exposure (and oil where known) plus project ties.

    ``E = (1 - w) * g + w * oil`` where the oil share is known, ``E = g`` where it
    is not, with ``g`` the gas exposure, plus ``ENERGY_PROJECT_BONUS`` per major
    Russian energy project hosted; clipped to [0, 1].
    """
    gas = gas_exposure(members)
    oil = members.oil_russia_share
    mix = np.where(np.isnan(oil), gas, (1 - OIL_WEIGHT) * gas + OIL_WEIGHT * np.nan_to_num(oil))
    projects = np.array([len(p) for p in members.energy_projects], dtype=float)
    return np.clip(mix + ENERGY_PROJECT_BONUS * projects, 0.0, 1.0)


def imputed_defence(members: Members) -> np.ndarray:
    """Defence spending with missing values (Iceland: no armed forces) set to the alliance median."""
    spend = members.defence_pct_gdp
    return np.where(np.isnan(spend), np.nanmedian(spend), spend)


def threat_perception(members: Members) -> np.ndarray:
    """Threat perception from border, proximity, defence effort and enlargement history.

    ``T = 0.35 border + 0.30 proximity + 0.20 defence + 0.15 enlargement``,
    with ``proximity = min(1, exp(-(d - 800 km) / 1500 km))`` and
    ``defence = clip((spend - 1 %) / (3 % - 1 %), 0, 1)``.
    """
    proximity = np.minimum(1.0, np.exp(-(members.dist_moscow_km - PROXIMITY_NEAR_KM) / PROXIMITY_SCALE_KM))
    defence = np.clip((imputed_defence(members) - DEFENCE_FLOOR_PCT) / (DEFENCE_CEILING_PCT - DEFENCE_FLOOR_PCT), 0, 1)
    enlargement = np.isin(members.nato_join_year, EASTERN_ENLARGEMENT_YEARS).astype(float)
    value = (
        THREAT_BORDER_WEIGHT * members.land_border.astype(float)
        + THREAT_PROXIMITY_WEIGHT * proximity
        + THREAT_DEFENCE_WEIGHT * defence
        + THREAT_ENLARGEMENT_WEIGHT * enlargement
    )
    return np.clip(value, 0.0, 1.0)


def us_presence(members: Members) -> np.ndarray:
    """U.S. forces hosted on a log scale in [0, 1]; unknown counts count as none."""
    troops = np.nan_to_num(members.us_troops, nan=0.0)
    return np.clip(np.log1p(troops) / np.log1p(US_PRESENCE_SATURATION), 0.0, 1.0)


def leadership_trust(members: Members) -> np.ndarray:
    """Trust in U.S.-UK leadership; the leaders themselves have trust 1.

    ``L = 0.35 + 0.30 iraq_combat + 0.15 iraq_troops + 0.20 us_presence``: the
    article's own precedent (Iraq 2003) and U.S. forces hosted.
    """
    value = (
        TRUST_BASE
        + TRUST_IRAQ_COMBAT * members.iraq_2003_combat.astype(float)
        + TRUST_IRAQ_TROOPS * members.iraq_2003_2004_troops.astype(float)
        + TRUST_US_PRESENCE * us_presence(members)
    )
    leaders = np.isin(np.array(members.codes), LEADERS)
    return np.where(leaders, 1.0, np.clip(value, 0.0, 1.0))


def structural_drivers(members: Members) -> Drivers:
    """All three structural drivers."""
    return Drivers(energy_dependence(members), threat_perception(members), leadership_trust(members))


def driver_table(members: Members) -> pd.DataFrame:
    """Drivers per member with the inputs behind them and their imputation status."""
    drivers = structural_drivers(members)
    return pd.DataFrame(
        {
            "member": members.codes,
            "country": members.names,
            "energy_dependence": drivers.energy_dependence,
            "threat_perception": drivers.threat_perception,
            "leadership_trust": drivers.leadership_trust,
            "gas_russia_share": members.gas_russia_share,
            "gas_status": members.gas_status,
            "gas_share_of_energy": members.gas_share_of_energy,
            "gas_share_of_energy_status": members.gas_share_of_energy_status,
            "gas_exposure": gas_exposure(members),
            "oil_russia_share": members.oil_russia_share,
            "oil_status": members.oil_status,
            "defence_pct_gdp": imputed_defence(members),
            "defence_status": [
                "imputed (alliance median)" if np.isnan(v) else s
                for v, s in zip(members.defence_pct_gdp, members.defence_status)
            ],
            "us_troops": members.us_troops,
            "us_troops_status": members.us_troops_status,
        }
    )
