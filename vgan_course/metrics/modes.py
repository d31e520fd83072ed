"""Mode coverage of samples from 2-D mixtures (Metz et al. 2017; Srivastava et al. 2017, VEEGAN)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..data import GaussianMixture2D


@dataclass
class ModeCoverage:
    """How a sample of 2-D points covers a mixture's modes."""

    modes_covered: int
    n_modes: int
    high_quality_fraction: float
    counts: torch.Tensor  # (modes,) high-quality samples per mode


def mode_coverage(samples: torch.Tensor, mixture: GaussianMixture2D, n_std: float = 3.0,
                  min_share: float = 0.2) -> ModeCoverage:
    """Score samples ``(n, 2)`` against ``mixture``.

    A sample is *high quality* if it lies within ``n_std`` standard deviations of its nearest
    mode. A mode is *covered* if it holds at least ``min_share`` of its fair share
    (``n / modes``) of the high-quality samples, so a handful of stray points does not count.
    """
    if not isinstance(samples, torch.Tensor) or samples.dim() != 2 or samples.shape[1] != 2:
        got = tuple(samples.shape) if isinstance(samples, torch.Tensor) else type(samples).__name__
        raise ValueError(f"samples must have shape (n, 2), got {got}")
    samples = samples.detach().float().cpu()
    distance = torch.cdist(samples, mixture.means)  # (n, modes)
    nearest_distance, nearest = distance.min(dim=1)
    good = nearest_distance <= n_std * mixture.std
    counts = torch.bincount(nearest[good], minlength=mixture.n_modes)
    fair_share = len(samples) / mixture.n_modes
    covered = int((counts >= max(1.0, min_share * fair_share)).sum())
    return ModeCoverage(covered, mixture.n_modes, float(good.float().mean()), counts)
