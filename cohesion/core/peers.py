"""Peer-influence weights between members (docs/model.md, "Submodel: peer influence")."""

from __future__ import annotations

import numpy as np

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


def peer_matrix(
    distances_km: np.ndarray,
    eu_member: np.ndarray,
    groups_shared: np.ndarray,
    distance_scale_km: float | np.ndarray,
    eu_peer_bonus: float | np.ndarray,
    group_peer_bonus: float | np.ndarray,
) -> np.ndarray:
    """Row-stochastic peer weights ``P``, with no self-weight.

    ``g_ij = exp(-d_ij / rho) + k_eu * eu_i * eu_j + k_group * shared_ij`` for
    ``i != j``, and ``P_ij = g_ij / sum_j g_ij``. Scalar parameters give
    (members, members); parameters with a leading run axis of shape (runs,)
    give (runs, members, members).
    """
    rho = np.asarray(distance_scale_km, dtype=float)[..., None, None]
    k_eu = np.asarray(eu_peer_bonus, dtype=float)[..., None, None]
    k_group = np.asarray(group_peer_bonus, dtype=float)[..., None, None]
    eu = eu_member.astype(float)
    affinity = np.exp(-distances_km / rho) + k_eu * np.outer(eu, eu) + k_group * groups_shared
    n = distances_km.shape[0]
    affinity = affinity * (1.0 - np.eye(n))
    return affinity / affinity.sum(axis=-1, keepdims=True)
