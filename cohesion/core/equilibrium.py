"""The closed-form Friedkin-Johnsen equilibrium (docs/model.md, "Equilibrium").

With a constant environment, no noise and no stance shocks, the stance update
``x(t+1) = (1 - lam) x + lam [a_own x* + a_peer ((1 - eta) P_k x + eta e) + a_anchor x0]``
is affine in ``x``. For ``lam_i > 0`` its fixed point does not depend on the
adjustment rate and solves, issue by issue,

    (I - diag(a_peer (1 - eta)) P_k) x_k = a_own x*_k + a_peer eta e_k + a_anchor x0_k.

Every term on the right lies in [0, 1] and the weights sum to at most 1, so the
fixed point lies in [0, 1] and the clipping of the update never binds there.
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
        target: (N, K) target stances ``x*`` under the constant environment.
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
