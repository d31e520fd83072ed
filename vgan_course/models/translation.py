"""Image-to-image translation networks for video style transfer (lesson 04).

- :class:`ResnetGenerator`: CycleGAN's generator (Zhu et al. 2017; Johnson et al. 2016), small:
  a 7x7 convolution, two stride-2 down-samplings, residual blocks, two up-samplings, a 7x7
  convolution to ``tanh``; instance norm and reflection padding throughout.
- :class:`PatchDiscriminator`: CycleGAN's PatchGAN: a grid of logits, one per overlapping patch,
  so it judges local texture and style rather than the whole layout.
- :class:`FramePredictor`: Recycle-GAN's temporal predictor (Bansal et al. 2018): the next frame
  from the ``k`` previous ones, a :class:`ResnetGenerator` over their stacked channels.

Frames are ``(batch, channels, height, width)`` in [-1, 1], height and width multiples of 4.
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import check_images, check_network_input


def _conv_norm_relu(c_in: int, c_out: int, kernel: int, stride: int = 1) -> list[nn.Module]:
    pad = kernel // 2 if stride == 1 else 1
    layers: list[nn.Module] = [nn.ReflectionPad2d(pad)] if stride == 1 else []
    layers += [nn.Conv2d(c_in, c_out, kernel, stride, padding=0 if stride == 1 else pad),
               nn.InstanceNorm2d(c_out, affine=True), nn.ReLU(inplace=True)]
    return layers


class ResidualBlock(nn.Module):
    """``x + F(x)`` with ``F`` two 3x3 convolutions (reflection padding, instance norm): ``(n, c, h, w)`` kept."""

    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            *_conv_norm_relu(channels, channels, 3),
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), nn.InstanceNorm2d(channels, affine=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_network_input(self, check_images(x, "x"), "x")
        return x + self.body(x)


class ResnetGenerator(nn.Module):
    """G: frames ``(n, in_channels, h, w)`` -> frames ``(n, out_channels, h, w)`` in [-1, 1]."""

    def __init__(self, in_channels: int = 3, out_channels: int = 3, width: int = 16, blocks: int = 3):
        super().__init__()
        self.in_channels = in_channels
        w = width
        self.net = nn.Sequential(
            *_conv_norm_relu(in_channels, w, 7),  # h x w
            *_conv_norm_relu(w, 2 * w, 3, stride=2),  # h/2
            *_conv_norm_relu(2 * w, 4 * w, 3, stride=2),  # h/4
            *[ResidualBlock(4 * w) for _ in range(blocks)],
            nn.ConvTranspose2d(4 * w, 2 * w, 3, 2, padding=1, output_padding=1), nn.InstanceNorm2d(2 * w, affine=True),
            nn.ReLU(inplace=True),  # h/2
            nn.ConvTranspose2d(2 * w, w, 3, 2, padding=1, output_padding=1), nn.InstanceNorm2d(w, affine=True),
            nn.ReLU(inplace=True),  # h
            nn.ReflectionPad2d(3), nn.Conv2d(w, out_channels, 7), nn.Tanh(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_network_input(self, check_images(x, "x", channels=self.in_channels), "x")
        if x.shape[-1] % 4 or x.shape[-2] % 4:
            raise ValueError(f"height and width must be multiples of 4, got {tuple(x.shape)}")
        return self.net(x)


class PatchDiscriminator(nn.Module):
    """D: frames ``(n, channels, h, w)`` -> a grid of logits ``(n, 1, h/8 - 2, w/8 - 2)``, one per patch.

    Three stride-2 4x4 convolutions (LeakyReLU 0.2, instance norm after the first), one stride-1
    4x4 convolution, and a 4x4 convolution to one channel: CycleGAN's 70 x 70 PatchGAN, narrower
    (``4 * width`` channels at most instead of 512). Each logit sees a 70 x 70 patch: on 256 x 256
    frames that is texture; on the course's 32 x 32 frames it is most of the frame.
    """

    def __init__(self, channels: int = 3, width: int = 32):
        super().__init__()
        self.channels = channels
        w = width
        self.net = nn.Sequential(
            nn.Conv2d(channels, w, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(w, 2 * w, 4, 2, 1), nn.InstanceNorm2d(2 * w, affine=True), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(2 * w, 4 * w, 4, 2, 1), nn.InstanceNorm2d(4 * w, affine=True), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(4 * w, 4 * w, 4, 1, 1), nn.InstanceNorm2d(4 * w, affine=True), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(4 * w, 1, 4, 1, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_network_input(self, check_images(x, "x", channels=self.channels, min_size=24), "x")  # 1 patch at 24 x 24
        return self.net(x)


class FramePredictor(nn.Module):
    """Recycle-GAN's P: the ``k`` previous frames ``(n, k, c, h, w)`` -> the next frame ``(n, c, h, w)``."""

    def __init__(self, channels: int = 3, k: int = 2, width: int = 16, blocks: int = 2):
        super().__init__()
        self.k, self.channels = k, channels
        self.net = ResnetGenerator(k * channels, channels, width, blocks)

    def forward(self, previous: torch.Tensor) -> torch.Tensor:
        check_network_input(self, previous, "previous")
        if previous.dim() != 5 or previous.shape[1] != self.k or previous.shape[2] != self.channels:
            raise ValueError(f"previous must be (batch, {self.k}, {self.channels}, h, w), got {tuple(previous.shape)}")
        return self.net(previous.flatten(1, 2))
