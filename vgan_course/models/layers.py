"""Pieces that any discriminator can take: spectral normalisation and the minibatch
standard-deviation feature (both tested as mode-collapse remedies in lesson 02)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils import parametrizations

from ..checks import check_module, check_network_input


def spectral_norm(module: nn.Module) -> nn.Module:
    """Spectral normalisation (Miyato et al. 2018) on every linear and convolution layer of ``module``.

    Each weight ``W`` is used as ``W / sigma(W)``, its largest singular value estimated by one
    power iteration per forward pass (torch's parametrization), so every layer is 1-Lipschitz.
    Changes ``module`` in place and returns it. (Slow on ``Conv3d`` on the CPU: avoid it there.)
    """
    for layer in list(check_module(module, "module").modules()):
        if isinstance(layer, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            parametrizations.spectral_norm(layer)
    return module


class MinibatchStdDev(nn.Module):
    """Append one feature: the standard deviation across the batch, averaged over features.

    ``(batch, features, ...)`` -> ``(batch, features + 1, ...)``. A discriminator that sees how
    varied a batch is can reject a generator whose samples all look alike (Karras et al. 2018,
    a simplification of the minibatch discrimination of Salimans et al. 2016).
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_network_input(self, x, "x")
        if x.dim() < 2 or x.shape[0] < 2:
            raise ValueError(f"the minibatch std needs a batch of at least 2, got shape {tuple(x.shape)}")
        spread = x.std(dim=0, unbiased=False).mean()  # one number for the whole batch
        feature = spread.expand(x.shape[0], 1, *x.shape[2:])
        return torch.cat([x, feature], dim=1)
