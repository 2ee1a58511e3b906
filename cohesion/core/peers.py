"""Peer-influence weights between members (docs/model.md, "Submodel: peer influence").

A member's pull on another grows with its capability and with the salience
of the issue to it, and falls with distance; regional groups and the EU add
ties. The weights are per issue: (K, N, N), or (R, K, N, N) with a run axis.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from cohesion.errors import InputError
from cohesion.inputs import Members

EARTH_RADIUS_KM = 6371.0


def capital_distances_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle (haversine) distances between capitals, km, shape (members, members)."""
    phi = np.radians(lat)
    lam = np.radians(lon)
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def shared_groups(members: Members) -> np.ndarray:
    """Number of regional groups each pair of members shares, shape (members, members)."""
    names = members.all_groups
    membership = np.array([[g in gs for g in names] for gs in members.groups], dtype=float)
    return membership @ membership.T


#: The capability indicators of ``indicators.csv`` and what each stands for, in the order of the
#: Correlates of War Composite Index of National Capability (CINC; Singer, Bremer and Stuckey 1972):
#: economic weight, military expenditure, military personnel. CINC's energy, steel and urban
#: population are not in the data; GDP stands for the economic side.
CAPABILITY_INDICATORS: tuple[str, ...] = ("gdp_2020_usd", "defence_2021e_usd", "armed_forces_personnel_2019e")


@lru_cache(maxsize=4)
def _capability_table(codes: tuple[str, ...]) -> np.ndarray:
    """The capability indicators of the shipped ``indicators.csv`` for ``codes``, (N, 3)."""
    from cohesion.indicators import load_indicators

    table = load_indicators()
    wide = table[table["indicator"].isin(CAPABILITY_INDICATORS)].pivot(index="member", columns="indicator", values="value")
    values = wide.reindex(index=list(codes), columns=list(CAPABILITY_INDICATORS)).to_numpy(dtype=float)
    if np.isnan(values).all(axis=1).any():
        raise InputError("indicators.csv has no capability indicator for some member (docs/model.md 4.3)")
    return values


def capability(members: Members) -> np.ndarray:
    """Each member's share of alliance capability, CINC-style, (N,).

    ``cap_i = (GDP_i / sum GDP + D_i / sum D + F_i / sum F) / 3``: the mean of
    its shares of the alliance's GDP (2020, World Bank), defence spending (2021
    NATO estimates, US$) and armed forces personnel (2019 NATO estimates), all
    from ``indicators.csv`` (Iceland, with no armed forces, has 0 of the last
    two). As in CINC, a member missing a component (North Macedonia's 2019
    personnel, before it joined) averages the shares it has, each share taken
    over the members with the figure. The values are renormalised to sum to 1.
    """
    values = _capability_table(members.codes)
    shares = np.nanmean(values / np.nansum(values, axis=0), axis=1)
    return shares / shares.sum()


def issue_salience(drivers: np.ndarray, sensitivity: np.ndarray) -> np.ndarray:
    """How much each issue matters to each member, in [0, 1], (..., N, K).

    ``sal_ik = sum_d s_dk D_id / sum_d s_dk``: the sensitivity-weighted mean of
    the member's drivers (energy dependence, threat perception, trust in U.S.-UK
    leadership) that bear on the issue. A member for which none of an issue's
    drivers is strong has little at stake in it.

    Args:
        drivers: (..., N, 3) drivers in the order energy, threat, leadership.
        sensitivity: (3, K) issue sensitivities.
    """
    return (drivers @ sensitivity) / sensitivity.sum(axis=0)


def peer_matrix(
    distances_km: np.ndarray,
    eu_member: np.ndarray,
    groups_shared: np.ndarray,
    distance_scale_km: float | np.ndarray,
    eu_peer_bonus: float | np.ndarray,
    group_peer_bonus: float | np.ndarray,
    capabilities: np.ndarray | None = None,
    salience: np.ndarray | None = None,
    capability_exponent: float | np.ndarray = 0.0,
    salience_exponent: float | np.ndarray = 0.0,
) -> np.ndarray:
    """Row-stochastic peer weights ``P_k`` per issue, with no self-weight.

    ``a_ijk = (exp(-d_ij / rho) + k_eu eu_i eu_j + k_group shared_ij) cap_j^gamma sal_jk^delta``
    for ``i != j``, and ``P_ijk = a_ijk / sum_j a_ijk``. With both exponents 0
    every issue has the same matrix (round 1's uniform weights). Scalar
    parameters give (K, N, N); parameters with a leading run axis of shape
    (R,) give (R, K, N, N).

    Args:
        distances_km: (N, N) distances between capitals.
        eu_member: (N,) EU membership.
        groups_shared: (N, N) regional groups shared.
        distance_scale_km, eu_peer_bonus, group_peer_bonus: ``rho``, ``k_eu``, ``k_group``.
        capabilities: (N,) capability of each member (``capability``); ones when None.
        salience: (N, K) issue salience (``issue_salience``); ones (one issue) when None.
        capability_exponent, salience_exponent: ``gamma`` and ``delta``.
    """
    n = distances_km.shape[0]
    rho = np.asarray(distance_scale_km, dtype=float)[..., None, None]
    k_eu = np.asarray(eu_peer_bonus, dtype=float)[..., None, None]
    k_group = np.asarray(group_peer_bonus, dtype=float)[..., None, None]
    gamma = np.asarray(capability_exponent, dtype=float)[..., None, None, None]
    delta = np.asarray(salience_exponent, dtype=float)[..., None, None, None]
    cap = np.ones(n) if capabilities is None else capabilities
    sal = np.ones((n, 1)) if salience is None else salience
    eu = eu_member.astype(float)
    ties = np.exp(-distances_km / rho) + k_eu * np.outer(eu, eu) + k_group * groups_shared  # (..., N, N)
    ties = ties * (1.0 - np.eye(n))
    # Pull of source j on issue k: cap_j^gamma sal_jk^delta, laid out (..., K, 1, N) over sources.
    source = np.power(cap[None, None, :], gamma) * np.power(np.swapaxes(sal, -1, -2)[:, None, :], delta)
    affinity = ties[..., None, :, :] * source
    return affinity / affinity.sum(axis=-1, keepdims=True)


def us_share_of_peer_pull(peer_weights: np.ndarray, codes: tuple[str, ...], sources: tuple[str, ...] = ("USA",)) -> float:
    """Share of an average ally's peer pull that ``sources`` supply, averaged over issues.

    Allies are all members other than the sources and the U.S. and UK.
    """
    names = np.array(codes)
    columns = np.isin(names, sources)
    rows = ~np.isin(names, ("USA", "GBR", *sources))
    return float(peer_weights[..., rows, :][..., columns].sum(axis=-1).mean())
