"""2-D Gaussian mixtures: the smallest worlds where mode collapse can be seen and counted."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ..checks import check_positive, check_positive_int


@dataclass(frozen=True)
class GaussianMixture2D:
    """An equal-weight mixture of isotropic Gaussians in the plane.

    Attributes:
        means: ``(modes, 2)`` centres of the components.
        std: standard deviation of every component.
        name: a short label for plots.
    """

    means: torch.Tensor
    std: float
    name: str

    @property
    def n_modes(self) -> int:
        return self.means.shape[0]

    def sample(self, n: int, generator: torch.Generator | None = None, device: torch.device | str | None = None) -> torch.Tensor:
        """Draw ``n`` points, shape ``(n, 2)``, on ``device`` (default: the generator's, else CPU)."""
        check_positive_int(n, "n")
        if device is None:
            device = generator.device if generator is not None else "cpu"
        means = self.means.to(device)
        which = torch.randint(self.n_modes, (n,), generator=generator, device=device)
        noise = torch.randn(n, 2, generator=generator, device=device)
        return means[which] + self.std * noise


def ring_of_gaussians(n_modes: int = 8, radius: float = 2.0, std: float = 0.02) -> GaussianMixture2D:
    """``n_modes`` Gaussians equally spaced on a circle (Metz et al. 2017 use 8, radius 2, std 0.02).

    The angles are ``2 pi k / n_modes`` for ``k = 0 .. n_modes - 1``. (``linspace(0, 2 pi, n)``
    would put the last mode on top of the first and leave only ``n - 1`` distinct modes.)
    """
    check_positive_int(n_modes, "n_modes", minimum=2)
    check_positive(radius, "radius")
    check_positive(std, "std")
    angles = 2 * math.pi * torch.arange(n_modes, dtype=torch.float32) / n_modes
    means = radius * torch.stack([angles.cos(), angles.sin()], dim=1)
    return GaussianMixture2D(means, std, f"ring of {n_modes}")


def grid_of_gaussians(side: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture2D:
    """A ``side x side`` grid of Gaussians centred on the origin (the 25-mode benchmark of VEEGAN)."""
    check_positive_int(side, "side", minimum=2)
    check_positive(spacing, "spacing")
    check_positive(std, "std")
    ticks = (torch.arange(side, dtype=torch.float32) - (side - 1) / 2) * spacing
    xs, ys = torch.meshgrid(ticks, ticks, indexing="xy")
    means = torch.stack([xs.flatten(), ys.flatten()], dim=1)
    return GaussianMixture2D(means, std, f"grid of {side * side}")
