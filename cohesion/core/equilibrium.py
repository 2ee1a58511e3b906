"""The closed-form Friedkin-Johnsen equilibrium (docs/model.md, "Equilibrium").

With a constant environment, no noise and no stance shocks, the stance update
``x(t+1) = (1 - lam) x + lam [a_own X + a_peer ((1 - eta) P_k x + eta e) + a_anchor x0]``
is affine in ``x`` (``X`` the held target, ``rule.held_target``). For
``lam_i > 0`` its fixed point does not depend on the adjustment rate and
solves, issue by issue,

    (I - diag(a_peer (1 - eta)) P_k) x_k = a_own X_k + a_peer eta e_k + a_anchor x0_k.

The held target is not clipped and may leave [0, 1] (a member aiming past the
end of the scale to hold its stance against its peers), so the solution is the
simulation's limit where it lies in [0, 1] and clipping does not bind: with
``position_persistence`` 1 in the week-0 environment it is the initial state,
and with 0 every term on the right lies in [0, 1], so the solution does too.
The matrix is strictly diagonally dominant when ``a_peer (1 - eta) < 1``, so
the iteration converges to it from any start.
"""

from __future__ import annotations

import numpy as np


def fj_equilibrium(
    peer_weights: np.ndarray,
    target: np.ndarray,
    anchor: np.ndarray,
    eu_line: np.ndarray,
    eu_share: np.ndarray,
    peer_weight: np.ndarray,
    anchor_weight: np.ndarray,
) -> np.ndarray:
    """The stances the Friedkin-Johnsen update converges to, (N, K).

    Args:
        peer_weights: (K, N, N) per-issue peer matrices.
        target: (N, K) held targets ``X`` under the constant environment (``World.calm_target`` for week 0).
        anchor: (N, K) initial stances ``x0``.
        eu_line: (K,) the EU institutions' stance.
        eu_share: (N,) EU share of each member's peer pull ``eta``.
        peer_weight, anchor_weight: (N,) member parameters.
    """
    n, k = target.shape
    own = 1.0 - peer_weight - anchor_weight
    pulled = peer_weight * (1.0 - eu_share)
    stances = np.empty((n, k))
    for issue in range(k):
        system = np.eye(n) - pulled[:, None] * peer_weights[issue]
        rhs = own * target[:, issue] + peer_weight * eu_share * eu_line[issue] + anchor_weight * anchor[:, issue]
        stances[:, issue] = np.linalg.solve(system, rhs)
    return stances
