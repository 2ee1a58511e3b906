"""A one-factor Bayesian factor model with missing values, sampled by Gibbs (numpy only).

For member ``i`` and indicator ``j`` (observed cells only; docs/model.md 3.2):

    y_ij = mu_j + lambda_j f_i + e_ij,   e_ij ~ N(0, psi_j)
    f_i ~ N(0, 1),  mu_j ~ N(0, 1),  lambda_j ~ N(0, 1),  psi_j ~ InvGamma(2, 0.5)

Chains start around the first principal component (oriented by the anchor),
each with its own jitter. ``y`` are normal scores of the raw indicator (rank-based, so mixed scales and
skewed counts enter alike; a Gaussian-copula factor model with the copula's
margins plugged in). A missing cell is left out of the likelihood, which
marginalises it under missing at random. The sign of the factor is fixed a
priori by constraining one anchor indicator's loading to be positive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri
from scipy.stats import rankdata

#: Prior of the uniquenesses: InvGamma(shape, scale); mean 0.5 of the unit variance of a score.
UNIQUENESS_SHAPE = 2.0
UNIQUENESS_SCALE = 0.5
#: Prior standard deviation of loadings and intercepts.
LOADING_PRIOR_SD = 1.0


def normal_scores(values: np.ndarray) -> np.ndarray:
    """Rank-based normal scores of each column, standardised over its observed cells.

    ``z = Phi^-1((rank - 0.5) / n_obs)`` with average ranks for ties, then
    centred and scaled to unit variance. Missing cells stay NaN.

    Args:
        values: (N, J) raw indicator values, NaN where missing.
    """
    scores = np.full(values.shape, np.nan)
    for j in range(values.shape[1]):
        seen = ~np.isnan(values[:, j])
        ranks = rankdata(values[seen, j])
        z = ndtri((ranks - 0.5) / seen.sum())
        spread = z.std()
        scores[seen, j] = (z - z.mean()) / spread if spread > 0 else 0.0
    return scores


@dataclass(frozen=True)
class FactorDraws:
    """Posterior draws of a one-factor model, pooled over chains."""

    scores: np.ndarray  # (D, N) latent scores f
    loadings: np.ndarray  # (D, J) lambda
    uniquenesses: np.ndarray  # (D, J) psi
    rhat: float  # largest Gelman-Rubin R-hat over the latent scores

    @property
    def standardized_loadings(self) -> np.ndarray:
        """``lambda / sqrt(lambda^2 + psi)`` per draw: the correlation of indicator and factor, (D, J)."""
        return self.loadings / np.sqrt(self.loadings**2 + self.uniquenesses)

    @property
    def variance_share(self) -> np.ndarray:
        """Share of the indicators' total variance the factor explains, per draw (D,)."""
        common = (self.loadings**2).sum(axis=1)
        return common / (common + self.uniquenesses.sum(axis=1))


def _truncated_positive(mean: float, sd: float, rng: np.random.Generator) -> float:
    """One draw of N(mean, sd^2) truncated to positive values (inverse CDF)."""
    low = ndtr(-mean / sd)
    u = low + (1.0 - low) * rng.random()
    return float(mean + sd * ndtri(min(u, 1.0 - 1e-16)))


def _principal_start(y0: np.ndarray, anchor: int) -> np.ndarray:
    """First principal component of the scores (missing cells at 0), standardised, oriented by the anchor.

    Chains start around it, each with its own jitter, so that none starts in the mirror mode
    where the anchor's loading sits at zero and the other loadings flip sign.
    """
    _, _, vt = np.linalg.svd(y0 - y0.mean(axis=0), full_matrices=False)
    start = y0 @ vt[0]
    start = (start - start.mean()) / (start.std() or 1.0)
    return start if np.dot(start, y0[:, anchor]) >= 0 else -start


def _chain(y: np.ndarray, anchor: int, iterations: int, burn_in: int, thin: int, rng: np.random.Generator):
    """One Gibbs chain; returns the kept draws of f, lambda and psi."""
    n, p = y.shape
    seen = ~np.isnan(y)
    y0 = np.where(seen, y, 0.0)
    n_obs = seen.sum(axis=0)
    f = _principal_start(y0, anchor) + 0.5 * rng.standard_normal(n)
    mu = np.zeros(p)
    lam = np.array([np.corrcoef(f[seen[:, j]], y0[seen[:, j], j])[0, 1] if n_obs[j] > 2 else 0.0 for j in range(p)])
    lam = np.nan_to_num(lam)
    lam[anchor] = max(lam[anchor], 0.1)
    psi = np.full(p, 0.5)
    prior_precision = 1.0 / LOADING_PRIOR_SD**2
    kept_f, kept_lam, kept_psi = [], [], []
    for it in range(iterations):
        # latent scores, given the measurement parameters
        w = seen * (lam / psi)
        precision = 1.0 + (w * lam).sum(axis=1)
        mean = (w * (y0 - mu)).sum(axis=1) / precision
        f = mean + rng.standard_normal(n) / np.sqrt(precision)
        # loadings, given intercepts (anchor truncated to positive)
        fm = seen * f[:, None]
        precision = prior_precision + (fm * f[:, None]).sum(axis=0) / psi
        mean = (fm * (y0 - mu)).sum(axis=0) / psi / precision
        lam = mean + rng.standard_normal(p) / np.sqrt(precision)
        lam[anchor] = _truncated_positive(mean[anchor], 1.0 / np.sqrt(precision[anchor]), rng)
        # intercepts, given loadings
        precision = prior_precision + n_obs / psi
        mean = (seen * (y0 - lam * f[:, None])).sum(axis=0) / psi / precision
        mu = mean + rng.standard_normal(p) / np.sqrt(precision)
        # uniquenesses
        residual = seen * (y0 - mu - lam * f[:, None])
        shape = UNIQUENESS_SHAPE + n_obs / 2.0
        scale = UNIQUENESS_SCALE + (residual**2).sum(axis=0) / 2.0
        psi = scale / rng.gamma(shape)
        if it >= burn_in and (it - burn_in) % thin == 0:
            kept_f.append(f)
            kept_lam.append(lam.copy())
            kept_psi.append(psi)
    return np.array(kept_f), np.array(kept_lam), np.array(kept_psi)


def gelman_rubin(chains: np.ndarray) -> np.ndarray:
    """Potential scale reduction factor of each quantity, from draws (chains, draws, quantities)."""
    m, n = chains.shape[:2]
    if m < 2 or n < 2:
        return np.full(chains.shape[2:], np.nan)
    within = chains.var(axis=1, ddof=1).mean(axis=0)
    between = n * chains.mean(axis=1).var(axis=0, ddof=1)
    pooled = (n - 1) / n * within + between / n
    return np.sqrt(pooled / np.maximum(within, 1e-300))


def sample_one_factor(
    y: np.ndarray,
    anchor: int,
    rngs: list[np.random.Generator],
    draws_per_chain: int,
    burn_in: int = 1000,
    thin: int = 10,
) -> FactorDraws:
    """Posterior draws of the one-factor model, one chain per generator.

    Args:
        y: (N, J) standardised indicator scores, NaN where missing.
        anchor: Column whose loading is constrained positive (fixes the sign).
        rngs: One generator per chain.
        draws_per_chain: Draws kept per chain (after burn-in, every ``thin``-th).
        burn_in: Iterations discarded at the start of each chain.
        thin: Keep every ``thin``-th iteration.
    """
    iterations = burn_in + draws_per_chain * thin
    chains = [_chain(y, anchor, iterations, burn_in, thin, rng) for rng in rngs]
    scores = np.stack([c[0] for c in chains])  # (chains, draws, N)
    rhat = float(gelman_rubin(scores).max()) if len(rngs) > 1 else float("nan")
    return FactorDraws(
        scores=scores.reshape(-1, y.shape[0]),
        loadings=np.concatenate([c[1] for c in chains]),
        uniquenesses=np.concatenate([c[2] for c in chains]),
        rhat=rhat,
    )
