"""DCGAN (Radford, Metz and Chintala 2016) for 32x32 frames (64x64 with ``size=64``).

The generator up-samples with strided transposed convolutions, batch norm and ReLU, and ends
in tanh so its images live in [-1, 1]; the discriminator mirrors it with strided convolutions
and LeakyReLU(0.2), without batch norm on its first layer.
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import check_images, check_module, check_network_input


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
    """G: ``z (n, z_dim)`` -> images ``(n, channels, size, size)`` in [-1, 1], ``size`` 32 or 64.

    At 64 x 64 it starts one doubling earlier, from ``8 * width`` channels at 4 x 4.
    """

    def __init__(self, z_dim: int = 64, channels: int = 1, width: int = 32, size: int = 32):
        super().__init__()
        _check_size(size)
        self.z_dim, self.size = z_dim, size
        top = 4 * width if size == 32 else 8 * width
        layers: list[nn.Module] = [
            # z as a 1x1 image -> top x 4 x 4
            nn.ConvTranspose2d(z_dim, top, kernel_size=4, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(top),
            nn.ReLU(inplace=True),
        ]
        if size == 64:
            layers.append(upsample_block(8 * width, 4 * width))  # (4w) x 8 x 8
        layers += [
            upsample_block(4 * width, 2 * width),  # (2w) x 8 x 8 (x 16 x 16 at size 64)
            upsample_block(2 * width, width),  # w x 16 x 16 (32 x 32)
            nn.ConvTranspose2d(width, channels, kernel_size=4, stride=2, padding=1),  # channels x 32 x 32 (64 x 64)
            nn.Tanh(),
        ]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_network_input(self, z, "z", ("batch", self.z_dim))
        return self.net(z[:, :, None, None])


class DCGANDiscriminator(nn.Module):
    """D: images ``(n, channels, size, size)`` -> one logit per image ``(n,)``, ``size`` 32 or 64."""

    def __init__(self, channels: int = 1, width: int = 32, size: int = 32):
        super().__init__()
        _check_size(size)
        self.channels, self.size = channels, size
        layers: list[nn.Module] = [
            downsample_block(channels, width, batch_norm=False),  # w x 16 x 16 (x 32 x 32 at size 64)
            downsample_block(width, 2 * width),  # (2w) x 8 x 8 (16 x 16)
            downsample_block(2 * width, 4 * width),  # (4w) x 4 x 4 (8 x 8)
        ]
        if size == 64:
            layers.append(downsample_block(4 * width, 8 * width))  # (8w) x 4 x 4
        last = 4 * width if size == 32 else 8 * width
        layers.append(nn.Conv2d(last, 1, kernel_size=4, stride=1, padding=0))  # 1 x 1 x 1
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_network_input(self, check_images(x, "x", channels=self.channels), "x")
        if x.shape[-2:] != (self.size, self.size):
            raise ValueError(f"x must have shape (batch, {self.channels}, {self.size}, {self.size}), got {tuple(x.shape)}")
        return self.net(x).flatten()


def _check_size(size: int) -> None:
    if size not in (32, 64):
        raise ValueError(f"size must be 32 or 64, got {size!r}")


def init_dcgan_weights(module: nn.Module) -> None:
    """The DCGAN paper's initialisation: conv weights ~ N(0, 0.02), batch-norm scales ~ N(1, 0.02).

    Use as ``model.apply(init_dcgan_weights)``.
    """
    check_module(module, "module")
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)
