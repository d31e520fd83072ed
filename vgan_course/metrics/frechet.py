"""The Fréchet distance between two sets of features, each summarised by a Gaussian.

    FD = |mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a^{1/2} S_b S_a^{1/2})^{1/2})

(Heusel et al. 2017 use it on Inception features: FID; Unterthiner et al. 2019 on I3D clip
features: FVD). The course uses it on the features of its own small networks, trained offline,
so its numbers are comparable within the course only, never with published FID/FVD values.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..checks import check_features, check_positive_int


def _sqrt_psd(matrix: torch.Tensor) -> torch.Tensor:
    """Square root of a symmetric positive semi-definite matrix, by its eigen-decomposition."""
    values, vectors = torch.linalg.eigh(matrix)
    return (vectors * values.clamp_min(0).sqrt()) @ vectors.T


def frechet_distance(features_a: torch.Tensor, features_b: torch.Tensor) -> float:
    """FD between the Gaussians fitted to ``features_a (n, d)`` and ``features_b (m, d)``, in float64.

    The trace term uses ``Tr((S_a^{1/2} S_b S_a^{1/2})^{1/2})``: the matrix inside is symmetric
    PSD, so its square root comes from ``eigh``, stable where a general ``sqrtm`` is not.
    Compare distances only at equal sample sizes: FD is biased upwards for small ``n``.
    """
    check_features(features_a, "features_a")
    check_features(features_b, "features_b")
    if features_a.shape[1] != features_b.shape[1]:
        raise ValueError(f"feature sizes differ: {features_a.shape[1]} and {features_b.shape[1]}")
    a, b = features_a.double().cpu(), features_b.double().cpu()
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = torch.cov(a.T), torch.cov(b.T)
    root_a = _sqrt_psd(cov_a)
    middle = root_a @ cov_b @ root_a
    trace_sqrt = torch.linalg.eigvalsh((middle + middle.T) / 2).clamp_min(0).sqrt().sum()
    distance = (mu_a - mu_b).pow(2).sum() + cov_a.trace() + cov_b.trace() - 2 * trace_sqrt
    return float(distance.clamp_min(0))


@dataclass
class FDEstimate:
    """A Fréchet distance with a 90% interval from the bootstrap's standard error."""

    value: float  # on the full samples
    low: float  # value - 1.645 standard errors (never below 0)
    high: float  # value + 1.645 standard errors

    def __str__(self) -> str:
        return f"{self.value:.2f} [{self.low:.2f}, {self.high:.2f}]"


def frechet_bootstrap(features_a: torch.Tensor, features_b: torch.Tensor, rounds: int = 20,
                      seed: int = 0) -> FDEstimate:
    """:func:`frechet_distance` and a 90% interval, ``value +- 1.645 * SE``.

    The standard error SE is the spread of the distance over bootstrap resamples (both sets
    drawn again with replacement). The resampled distances themselves are not used as the
    interval: repeated samples shrink the covariances' effective sample size, which biases every
    resampled distance upward, so their percentiles can miss the estimate altogether.
    """
    check_positive_int(rounds, "rounds", minimum=2)  # a standard error needs two resamples
    check_features(features_a, "features_a")
    check_features(features_b, "features_b")
    generator = torch.Generator().manual_seed(seed)
    values = []
    for _ in range(rounds):
        ia = torch.randint(len(features_a), (len(features_a),), generator=generator)
        ib = torch.randint(len(features_b), (len(features_b),), generator=generator)
        values.append(frechet_distance(features_a[ia], features_b[ib]))
    value = frechet_distance(features_a, features_b)
    half_width = 1.645 * float(torch.tensor(values).std())
    return FDEstimate(value, max(0.0, value - half_width), value + half_width)
