"""Small fully connected networks for 2-D toy data (lessons 01 and 02)."""

from __future__ import annotations

import torch
from torch import nn

from ..checks import check_network_input
from .layers import MinibatchStdDev


class MLPGenerator(nn.Module):
    """G: noise ``z (batch, z_dim)`` -> points ``(batch, out_dim)``, ReLU hidden layers."""

    def __init__(self, z_dim: int = 2, hidden: int = 128, depth: int = 3, out_dim: int = 2):
        super().__init__()
        self.z_dim = z_dim
        layers: list[nn.Module] = []
        width = z_dim
        for _ in range(depth):
            layers += [nn.Linear(width, hidden), nn.ReLU()]
            width = hidden
        layers.append(nn.Linear(width, out_dim))
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_network_input(self, z, "z", ("batch", self.z_dim))
        return self.net(z)


class MLPDiscriminator(nn.Module):
    """D: points ``(batch, in_dim)`` -> one logit per point ``(batch,)``, LeakyReLU hidden layers.

    ``minibatch_std=True`` appends the batch's spread as one more feature before the last
    layer (:class:`MinibatchStdDev`), so D can judge a batch's variety, not just each point.
    """

    def __init__(self, in_dim: int = 2, hidden: int = 128, depth: int = 3, minibatch_std: bool = False):
        super().__init__()
        self.in_dim = in_dim
        layers: list[nn.Module] = []
        width = in_dim
        for _ in range(depth):
            layers += [nn.Linear(width, hidden), nn.LeakyReLU(0.2)]
            width = hidden
        if minibatch_std:
            layers.append(MinibatchStdDev())
            width += 1
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_network_input(self, x, "x", ("batch", self.in_dim))
        return self.net(x).squeeze(1)
