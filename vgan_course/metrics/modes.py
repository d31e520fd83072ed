"""Mode coverage of samples from 2-D mixtures (Metz et al. 2017; Srivastava et al. 2017, VEEGAN;
Lin et al. 2018, PacGAN), under two rules for when a mode counts as covered."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..checks import check_finite, check_non_negative, check_positive, check_positive_int, check_shape
from ..data import GaussianMixture2D


@dataclass
class ModeCoverage:
    """How a sample of 2-D points covers a mixture's modes.

    ``modes_covered`` is the course's strict rule, ``modes_covered_pacgan`` the PacGAN / VEEGAN
    rule (see :func:`mode_coverage`); the high-quality fraction is the same under both."""

    modes_covered: int  # the course's rule: at least min_share of a fair share of the samples
    n_modes: int
    high_quality_fraction: float
    counts: torch.Tensor  # (modes,) high-quality samples per mode
    modes_covered_pacgan: int = 0  # PacGAN / VEEGAN: at least pacgan_min_count high-quality samples
    pacgan_min_count: int = 1


def mode_coverage(samples: torch.Tensor, mixture: GaussianMixture2D, n_std: float = 3.0,
                  min_share: float = 0.2, pacgan_min_count: int = 1) -> ModeCoverage:
    """Score samples ``(n, 2)`` against ``mixture``.

    A sample is *high quality* if it lies within ``n_std`` standard deviations of its nearest
    mode; it then belongs to that mode. A mode is *covered*

    - under the course's strict rule (``modes_covered``), if it holds at least ``min_share`` of its
      fair share (``n / modes``) of the samples, so a handful of stray points does not count;
    - under the PacGAN / VEEGAN rule (``modes_covered_pacgan``), if it holds at least
      ``pacgan_min_count`` high-quality samples: 1 in PacGAN's released code (``MetricLogger``:
      modes with a non-zero count, a sample high quality when strictly within 3 std) and in
      VEEGAN's text (modes nearest to at least one high-quality sample).
    """
    check_finite(check_shape(samples, "samples", ("n", 2)), "samples")
    check_positive_int(pacgan_min_count, "pacgan_min_count")
    check_positive(n_std, "n_std")
    check_non_negative(min_share, "min_share")
    if not isinstance(mixture, GaussianMixture2D):
        raise ValueError(f"mixture must be a GaussianMixture2D, got {type(mixture).__name__}")
    samples = samples.detach().float().cpu()
    distance = torch.cdist(samples, mixture.means)  # (n, modes)
    nearest_distance, nearest = distance.min(dim=1)
    good = nearest_distance <= n_std * mixture.std
    counts = torch.bincount(nearest[good], minlength=mixture.n_modes)
    fair_share = len(samples) / mixture.n_modes
    covered = int((counts >= max(1.0, min_share * fair_share)).sum())
    strictly_within = torch.bincount(nearest[nearest_distance < n_std * mixture.std], minlength=mixture.n_modes)
    covered_pacgan = int((strictly_within >= pacgan_min_count).sum())
    return ModeCoverage(covered, mixture.n_modes, float(good.float().mean()), counts, covered_pacgan, pacgan_min_count)
