"""The update rule: pure functions of arrays (docs/model.md, "Submodels").

Shapes: ``R`` runs, ``N`` members, ``K`` issues, ``C`` attribution components.
Member-level inputs are (R, N) or (N,); stances are (R, N, K); attribution components are
(C, N, K), averaged over runs, in the order of ``cohesion.constants.COMPONENTS``. The Mesa shell
calls these functions on one member's slice, the vectorized engine on whole
ensembles; all operations are elementwise or per-row, so both give the same
numbers.
"""

from __future__ import annotations

import numpy as np

from cohesion.constants import COMPONENTS

BASELINE, ENERGY, THREAT, LEADERSHIP, POSITION, PEERS, ANCHOR, SHOCKS = range(len(COMPONENTS))


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


def driver_terms(
    energy: np.ndarray,
    threat: np.ndarray,
    trust: np.ndarray,
    references: np.ndarray,
    energy_weight: np.ndarray,
    threat_weight: np.ndarray,
    leadership_weight: np.ndarray,
) -> np.ndarray:
    """Each driver's push on the target before issue sensitivities, (..., N, 3).

    ``(-wE_i (1 - T_i) (E_i - E_ref), wT_i (T_i - T_ref), wL_i (L_i - L_ref))``.
    The factor ``(1 - T_i)`` is the securitization of energy: the more
    threatened a member feels, the more it reads its dependence as a
    vulnerability to remove rather than an interest to protect.
    """
    return np.stack(
        [
            -energy_weight * (1.0 - threat) * (energy - references[0]),
            threat_weight * (threat - references[1]),
            leadership_weight * (trust - references[2]),
        ],
        axis=-1,
    )


def target_stance(terms: np.ndarray, sensitivity: np.ndarray, baseline_stance: float) -> np.ndarray:
    """The target stance ``x*_ik = clip(b + sum_d term_id * s_dk, 0, 1)``, (..., N, K).

    Args:
        terms: (..., N, 3) driver terms from ``driver_terms``.
        sensitivity: (3, K) issue sensitivities to energy, threat and leadership.
        baseline_stance: Target of a member with alliance-average drivers.
    """
    target = (terms.reshape(-1, terms.shape[-1]) @ sensitivity).reshape(terms.shape[:-1] + sensitivity.shape[-1:])
    target += baseline_stance
    return np.clip(target, 0.0, 1.0, out=target)


def position_offset(
    initial_stance: np.ndarray,
    week0_target: np.ndarray,
    week0_peer: np.ndarray,
    peer_weight: np.ndarray,
    anchor_weight: np.ndarray,
    persistence: float | np.ndarray,
) -> np.ndarray:
    """What a member's target must add to its drivers' so that its 27 January stance is where it rests.

    ``u_ik = rho [x0_ik - x*_ik(0) + (a_peer,i / a_own,i) (x0_ik - p_ik(0))]``:
    the part of the initial stance the member's own week-0 drivers do not
    explain, plus what offsets its peers' week-0 pull. With ``rho = 1`` the
    initial stances are the fixed point of ``update_stance`` in the week-0
    environment (where the held target is not clipped), so nothing moves until
    the environment does; with ``rho = 0`` members relax towards what their
    drivers and peers alone predict. A member with ``a_own = 0`` has no target
    to hold its stance with, and its peer part is 0.

    Args:
        initial_stance: (N, K) or (R, N, K) initial stances ``x0``.
        week0_target: (..., N, K) driver targets ``x*(0)`` from ``target_stance``.
        week0_peer: (..., N, K) peer targets ``p(0)`` of the initial stances from ``peer_mean``.
        peer_weight, anchor_weight: (..., N) member parameters.
        persistence: ``rho``, a scalar or (R, 1, 1).
    """
    a_peer = peer_weight[..., None]
    own = 1.0 - a_peer - anchor_weight[..., None]
    ratio = np.divide(a_peer, own, out=np.zeros(np.broadcast(a_peer, own).shape), where=own > 0.0)
    return persistence * (initial_stance - week0_target + ratio * (initial_stance - week0_peer))


def held_target(driver_target: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """The target a member pursues, ``x*_ik(t) + u_ik``, (R, N, K).

    It is not clipped: a member whose peers pull far from its stance must aim
    beyond the end of the scale to hold it against them (its stance is
    clipped by ``update_stance``).
    """
    return driver_target + offset


def target_parts(
    terms: np.ndarray, driver_target: np.ndarray, target: np.ndarray, sensitivity: np.ndarray
) -> tuple[np.ndarray, ...]:
    """The target split into baseline, energy, threat, leadership and position parts, averaged over runs.

    The driver parts are ``term_id * s_dk``; the position part is what the
    held position adds to the driver target (``target - x*``, so it carries
    the outer clipping); the baseline part is the rest of ``x*``, so it
    carries the inner clipping and the five parts sum to the target exactly.
    The split is linear, so averaging over the leading run axis first is
    exact.

    Args:
        terms: (R, N, 3) driver terms.
        driver_target: (R, N, K) driver targets ``x*`` from ``target_stance``.
        target: (R, N, K) held targets from ``held_target``.
        sensitivity: (3, K) issue sensitivities.

    Returns:
        Five (N, K) arrays: baseline, energy, threat, leadership and position parts.
    """
    mean_terms = terms.mean(axis=0)
    drivers = [mean_terms[:, d, None] * sensitivity[d] for d in range(3)]
    mean_driver_target = driver_target.mean(axis=0)
    return (
        mean_driver_target - drivers[0] - drivers[1] - drivers[2],
        *drivers,
        target.mean(axis=0) - mean_driver_target,
    )


def _bounded_pull(
    stance: np.ndarray,
    own: np.ndarray,
    peer_weights: np.ndarray,
    confidence_bound: float,
    repulsion_bound: float,
    repulsion_strength: float,
) -> np.ndarray:
    """``sum_j P_ijk (m_ijk - beta r_ijk) (x_jk - x_ik) / sum_j P_ijk m_ijk``, laid out (R, K, N')."""
    # x_j - x_i laid out (R, K, N', N): pulled members on the third axis, peers on the last.
    # (Contiguous issue-major copies first: broadcasting strided views is several times slower.)
    peers = np.ascontiguousarray(np.swapaxes(stance, -1, -2))
    pulled = np.ascontiguousarray(np.swapaxes(own, -1, -2))
    gap = peers[..., None, :] - pulled[..., None]
    distance = np.abs(gap)
    attract = peer_weights * (distance <= confidence_bound)
    total = attract.sum(axis=-1)
    total[total <= 0.0] = 1.0
    pull = np.einsum("...ij,...ij->...i", attract, gap)
    if repulsion_strength > 0.0:
        repel = peer_weights * (distance > repulsion_bound)
        pull -= repulsion_strength * np.einsum("...ij,...ij->...i", repel, gap)
    return pull / total


def peer_mean(
    peer_weights: np.ndarray,
    stance: np.ndarray,
    eu_line: np.ndarray,
    eu_share: np.ndarray,
    own: np.ndarray | None = None,
    confidence_bound: float = 1.0,
    repulsion_bound: float = 1.0,
    repulsion_strength: float = 0.0,
) -> np.ndarray:
    """What a member's peers pull it towards.

    Friedkin-Johnsen (every peer pulls): ``q_ik = sum_j P_ijk x_jk``. Bounded
    confidence: only peers within ``eps`` of the member pull, those beyond
    ``eps_rep`` push it away with relative strength ``beta``:
    ``q_ik = x_ik + sum_j P_ijk (m_ijk - beta r_ijk) (x_jk - x_ik) / sum_j P_ijk m_ijk``
    with ``m = 1[|x_jk - x_ik| <= eps]`` and ``r = 1[|x_jk - x_ik| > eps_rep]``
    (no one within the bound: the denominator is 1), clipped to [0, 1]. With
    ``eps = 1`` and ``beta = 0`` both forms agree. Then
    ``p_ik = (1 - eta_i) q_ik + eta_i e_k`` with ``eta_i`` the EU institutions'
    share (zero outside the EU).

    Args:
        peer_weights: (K, N', N) or (R, K, N', N) rows of the per-issue peer
            matrices (N' = N for the whole alliance, 1 for a single agent).
        stance: (R, N, K) current stances.
        eu_line: (R, K) the EU institutions' stance.
        eu_share: (R, N') EU share of each member's peer pull.
        own: (R, N', K) the pulled members' own stances (needed for bounded confidence).
        confidence_bound, repulsion_bound, repulsion_strength: ``eps``, ``eps_rep``, ``beta``.

    Returns:
        (R, N', K) peer targets.
    """
    if confidence_bound >= 1.0 and repulsion_strength == 0.0:
        if peer_weights.ndim == 3 and peer_weights.shape[-2] == 1:  # one agent's rows (the Mesa shell)
            neighbours = np.einsum("kij,rjk->rik", peer_weights, stance)
        elif peer_weights.ndim == 3:  # one matrix per issue for all runs: one matrix product per issue
            neighbours = np.empty(stance.shape[:-2] + peer_weights.shape[1:2] + stance.shape[-1:])
            for issue in range(stance.shape[-1]):
                np.matmul(stance[..., issue], peer_weights[issue].T, out=neighbours[..., issue])
        else:
            by_issue = np.swapaxes(stance, -1, -2)[..., None]  # (R, K, N, 1)
            neighbours = np.swapaxes(np.matmul(peer_weights, by_issue)[..., 0], -1, -2)
    else:
        pull = _bounded_pull(stance, own, peer_weights, confidence_bound, repulsion_bound, repulsion_strength)
        neighbours = np.clip(own + np.swapaxes(pull, -1, -2), 0.0, 1.0)
    share = eu_share[..., None]
    return (1.0 - share) * neighbours + share * eu_line[:, None, :]


def update_stance(
    stance: np.ndarray,
    target: np.ndarray,
    peer: np.ndarray,
    anchor: np.ndarray,
    adjustment_rate: np.ndarray,
    peer_weight: np.ndarray,
    anchor_weight: np.ndarray,
    shock: np.ndarray | float,
    noise: np.ndarray | float,
) -> np.ndarray:
    """One week of the decision rule.

    ``x(t+1) = clip((1 - lam) x(t) + lam [a_own x* + a_peer p + a_anchor x0] + shock + eps, 0, 1)``
    with ``a_own = 1 - a_peer - a_anchor``.

    Args:
        stance: (R, N, K) stances this week.
        target: (R, N, K) targets from ``held_target``.
        peer: (R, N, K) peer targets.
        anchor: (N, K) initial stances.
        adjustment_rate, peer_weight, anchor_weight: (..., N) member parameters.
        shock: (R, N, K) scheduled stance shocks this week (or 0).
        noise: (R, N, K) noise this week, already scaled (or 0).

    Returns:
        Next week's stances (R, N, K).
    """
    lam = adjustment_rate[..., None]
    a_peer = peer_weight[..., None]
    a_anchor = anchor_weight[..., None]
    raw = (1.0 - lam) * stance
    raw += (lam * (1.0 - a_peer - a_anchor)) * target
    raw += (lam * a_peer) * peer
    raw += (lam * a_anchor) * anchor
    raw += noise
    if not np.isscalar(shock):
        raw += shock
    return np.clip(raw, 0.0, 1.0, out=raw)


#: Components that follow their own recursion; the shocks component is the remainder.
TRACKED = (BASELINE, ENERGY, THREAT, LEADERSHIP, POSITION, PEERS, ANCHOR)


def update_attribution(
    tracked: np.ndarray,
    target: tuple[np.ndarray, ...],
    peer: np.ndarray,
    anchor: np.ndarray,
    adjustment_rate: np.ndarray,
    peer_weight: np.ndarray,
    anchor_weight: np.ndarray,
) -> np.ndarray:
    """One week of the attribution bookkeeping.

    Each tracked component follows the stance recursion with only its own pull:
    ``C_c(t+1) = (1 - lam) C_c(t) + lam a_own x*_c`` for the five target parts,
    ``C_peers(t+1) = (1 - lam) C_peers(t) + lam a_peer p`` and
    ``C_anchor(t+1) = (1 - lam) C_anchor(t) + lam a_anchor x0``. The shocks
    component (noise, stance shocks, clipping) is the remainder
    ``x - sum_c C_c``, so the components always sum to the stance. The
    recursion is linear with member-level rates, so it may be applied to
    stances averaged over runs.

    Args:
        tracked: (7, N, K) components in ``TRACKED`` order.
        target: The five target parts (N, K) from ``target_parts``.
        peer: (N, K) peer targets averaged over runs.
        anchor: (N, K) initial stances.
        adjustment_rate, peer_weight, anchor_weight: (N,) member parameters.

    Returns:
        The tracked components one week later.
    """
    lam = adjustment_rate[..., None]
    a_peer = peer_weight[..., None]
    a_anchor = anchor_weight[..., None]
    own = lam * (1.0 - a_peer - a_anchor)
    new = tracked * (1.0 - lam)
    for index, part in enumerate(target):
        new[index] += own * part
    new[TRACKED.index(PEERS)] += (lam * a_peer) * peer
    new[TRACKED.index(ANCHOR)] += (lam * a_anchor) * anchor
    return new


def full_components(tracked: np.ndarray, stance: np.ndarray) -> np.ndarray:
    """All components (C, ..., N, K): the tracked ones plus the shocks remainder."""
    return np.concatenate([tracked, (stance - tracked.sum(axis=0))[None]], axis=0)
