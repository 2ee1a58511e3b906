"""The update rule: pure functions of arrays (docs/model.md, "Submodels").

Shapes: ``R`` runs, ``N`` members, ``K`` issues, ``C`` attribution components.
Member-level inputs are (R, N) or (N,); stances are (R, N, K); components are
(R, C, N, K) in the order of ``cohesion.constants.COMPONENTS``. The Mesa shell
calls these functions on one member's slice, the vectorized engine on whole
ensembles; all operations are elementwise or per-row, so both give the same
numbers.
"""

from __future__ import annotations

import numpy as np

from cohesion.constants import COMPONENTS

BASELINE, ENERGY, THREAT, LEADERSHIP, PEERS, ANCHOR, SHOCKS = (COMPONENTS.index(c) for c in COMPONENTS)


def perceive(
    energy_dependence: np.ndarray,
    threat_perception: np.ndarray,
    leadership_trust: np.ndarray,
    gas_cut: np.ndarray,
    threat_level_change: np.ndarray,
    hybrid_pressure: np.ndarray,
    leadership_credibility: np.ndarray,
    gas_salience_gain: float | np.ndarray,
    threat_escalation_gain: float | np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Effective drivers under this week's environment, each clipped to [0, 1].

    ``E' = E (1 + g_gas * cut)``, ``T' = T + g_threat * (r - r0) + h``,
    ``L' = L * c``. ``threat_level_change`` is (R,) and broadcasts over members.
    """
    energy = np.clip(energy_dependence * (1.0 + gas_salience_gain * gas_cut), 0.0, 1.0)
    threat = np.clip(
        threat_perception + threat_escalation_gain * threat_level_change[..., None] + hybrid_pressure, 0.0, 1.0
    )
    trust = np.clip(leadership_trust * leadership_credibility, 0.0, 1.0)
    return energy, threat, trust


def target_parts(
    energy: np.ndarray,
    threat: np.ndarray,
    trust: np.ndarray,
    references: np.ndarray,
    sensitivity: np.ndarray,
    energy_weight: np.ndarray,
    threat_weight: np.ndarray,
    leadership_weight: np.ndarray,
    baseline_stance: float | np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The target stance split into baseline, energy, threat and leadership parts.

    ``x*_ik = clip(b - wE_i sE_k (1 - T_i) (E_i - E_ref) + wT_i sT_k (T_i - T_ref)
    + wL_i sL_k (L_i - L_ref), 0, 1)``. The factor ``(1 - T_i)`` is the
    securitization of energy: the more threatened a member feels, the more it
    reads its dependence as a vulnerability to remove rather than an interest
    to protect. Any clipping is booked to the baseline part, so the four parts
    always sum to the target.

    Args:
        energy, threat, trust: Effective drivers, (..., N).
        references: Alliance means (E_ref, T_ref, L_ref) of the structural drivers.
        sensitivity: (3, K) issue sensitivities to energy, threat, leadership.
        energy_weight, threat_weight, leadership_weight: (..., N) weights.
        baseline_stance: Scalar or (R,) target of an average member.

    Returns:
        Four arrays (..., N, K) that sum to the target.
    """
    e_part = -(energy_weight * (1.0 - threat) * (energy - references[0]))[..., None] * sensitivity[0]
    t_part = (threat_weight * (threat - references[1]))[..., None] * sensitivity[1]
    l_part = (leadership_weight * (trust - references[2]))[..., None] * sensitivity[2]
    base = np.asarray(baseline_stance, dtype=float)
    base = base.reshape(base.shape + (1,) * (e_part.ndim - base.ndim)) if base.ndim else base
    target = np.clip(base + e_part + t_part + l_part, 0.0, 1.0)
    return target - e_part - t_part - l_part, e_part, t_part, l_part


def peer_mean(
    peer_weights: np.ndarray, stance: np.ndarray, eu_line: np.ndarray, eu_share: np.ndarray
) -> np.ndarray:
    """What a member's peers pull it towards.

    ``p_ik = (1 - eta_i) sum_j P_ij x_jk + eta_i e_k`` with ``eta_i`` the EU
    institutions' share (zero outside the EU).

    Args:
        peer_weights: (N', N) or (R, N', N) rows of the peer matrix (N' = N for
            the whole alliance, 1 for a single agent).
        stance: (R, N, K) current stances.
        eu_line: (R, K) the EU institutions' stance.
        eu_share: (R, N') EU share of each member's peer pull.

    Returns:
        (R, N', K) peer targets.
    """
    neighbours = np.matmul(peer_weights, stance)
    share = eu_share[..., None]
    return (1.0 - share) * neighbours + share * eu_line[:, None, :]


def update(
    components: np.ndarray,
    target: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    peer: np.ndarray,
    anchor: np.ndarray,
    adjustment_rate: np.ndarray,
    peer_weight: np.ndarray,
    anchor_weight: np.ndarray,
    shock: np.ndarray | float,
    noise: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray]:
    """One week: move each component towards its pull, then clip the stance.

    ``x(t+1) = (1 - lam) x(t) + lam [a_own x* + a_peer p + a_anchor x0] + shock + eps``
    with ``a_own = 1 - a_peer - a_anchor``. Each component follows the same
    recursion with its own pull, so the components always sum to the stance;
    clipping to [0, 1] is booked to the shocks component.

    Args:
        components: (R, C, N, K) current components.
        target: The four target parts from ``target_parts``.
        peer: (R, N, K) peer targets.
        anchor: (N, K) or (R, N, K) initial stances.
        adjustment_rate, peer_weight, anchor_weight: (..., N) member parameters.
        shock: (R, N, K) scheduled stance shocks this week (or 0).
        noise: (R, N, K) noise this week, already scaled (or 0).

    Returns:
        New components (R, C, N, K) and new stance (R, N, K).
    """
    lam = adjustment_rate[..., None]
    a_peer = peer_weight[..., None]
    a_anchor = anchor_weight[..., None]
    a_own = 1.0 - a_peer - a_anchor
    keep = 1.0 - lam
    new = np.empty(np.broadcast_shapes(components.shape, (1, len(COMPONENTS)) + peer.shape[1:]))
    for index, part in zip((BASELINE, ENERGY, THREAT, LEADERSHIP), target):
        new[:, index] = keep * components[:, index] + lam * a_own * part
    new[:, PEERS] = keep * components[:, PEERS] + lam * a_peer * peer
    new[:, ANCHOR] = keep * components[:, ANCHOR] + lam * a_anchor * anchor
    new[:, SHOCKS] = keep * components[:, SHOCKS] + shock + noise
    raw = new.sum(axis=1)
    stance = np.clip(raw, 0.0, 1.0)
    new[:, SHOCKS] += stance - raw
    return new, stance
