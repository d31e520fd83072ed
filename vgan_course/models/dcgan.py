"""DCGAN (Radford, Metz and Chintala 2016) for 32x32 frames.

The generator up-samples with strided transposed convolutions, batch norm and ReLU, and ends
in tanh so its images live in [-1, 1]; the discriminator mirrors it with strided convolutions
and LeakyReLU(0.2), without batch norm on its first layer.
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import check_images


def upsample_block(c_in: int, c_out: int) -> nn.Sequential:
    """Double the resolution: ``(n, c_in, h, w)`` -> ``(n, c_out, 2h, 2w)``."""
    return nn.Sequential(
        nn.ConvTranspose2d(c_in, c_out, kernel_size=4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


def downsample_block(c_in: int, c_out: int, batch_norm: bool = True) -> nn.Sequential:
    """Halve the resolution: ``(n, c_in, h, w)`` -> ``(n, c_out, h/2, w/2)``."""
    layers: list[nn.Module] = [nn.Conv2d(c_in, c_out, kernel_size=4, stride=2, padding=1, bias=not batch_norm)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(c_out))
    layers.append(nn.LeakyReLU(0.2, inplace=True))
    return nn.Sequential(*layers)


class DCGANGenerator(nn.Module):
    """G: ``z (n, z_dim)`` -> images ``(n, channels, 32, 32)`` in [-1, 1]."""

    def __init__(self, z_dim: int = 64, channels: int = 1, width: int = 32):
        super().__init__()
        self.z_dim = z_dim
        self.net = nn.Sequential(
            # z as a 1x1 image -> (4w) x 4 x 4
            nn.ConvTranspose2d(z_dim, 4 * width, kernel_size=4, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(4 * width),
            nn.ReLU(inplace=True),
            upsample_block(4 * width, 2 * width),  # (2w) x 8 x 8
            upsample_block(2 * width, width),  # w x 16 x 16
            nn.ConvTranspose2d(width, channels, kernel_size=4, stride=2, padding=1),  # channels x 32 x 32
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if not isinstance(z, torch.Tensor) or z.dim() != 2 or z.shape[1] != self.z_dim:
            got = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(f"z must have shape (batch, {self.z_dim}), got {got}")
        return self.net(z[:, :, None, None])


class DCGANDiscriminator(nn.Module):
    """D: images ``(n, channels, 32, 32)`` -> one logit per image ``(n,)``."""

    def __init__(self, channels: int = 1, width: int = 32):
        super().__init__()
        self.channels = channels
        self.net = nn.Sequential(
            downsample_block(channels, width, batch_norm=False),  # w x 16 x 16
            downsample_block(width, 2 * width),  # (2w) x 8 x 8
            downsample_block(2 * width, 4 * width),  # (4w) x 4 x 4
            nn.Conv2d(4 * width, 1, kernel_size=4, stride=1, padding=0),  # 1 x 1 x 1
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, "x", channels=self.channels)
        if x.shape[-2:] != (32, 32):
            raise ValueError(f"x must have shape (batch, {self.channels}, 32, 32), got {tuple(x.shape)}")
        return self.net(x).flatten()


def init_dcgan_weights(module: nn.Module) -> None:
    """The DCGAN paper's initialisation: conv weights ~ N(0, 0.02), batch-norm scales ~ N(1, 0.02).

    Use as ``model.apply(init_dcgan_weights)``.
    """
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)
