"""MSG-GAN (Karnewar and Wang 2020): multi-scale gradients, added to lesson 01's 32 x 32 DCGAN.

The generator is the DCGAN generator with an image at every scale: a 1 x 1 convolution ("to
image", then tanh) on its features at 4 x 4, 8 x 8 and 16 x 16, beside its usual 32 x 32 output.
The discriminator is the DCGAN discriminator that sees all of them: at 16 x 16, 8 x 8 and 4 x 4 it
turns the image of that scale into features (a 1 x 1 convolution, "from image") and concatenates
them with its own before going down (the paper's ``lin_cat`` combination). D's gradient so reaches
every block of G directly, not only through the last layer: the authors' remedy for a
discriminator whose gradients stop being informative. Real images are shown at the same scales,
by 2 x 2 average pooling (:func:`image_pyramid`), as in their code.

Images at every scale are lists, coarse to fine: ``[(n, c, 4, 4), (n, c, 8, 8), (n, c, 16, 16),
(n, c, 32, 32)]``, values in [-1, 1].
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_images
from .dcgan import downsample_block, upsample_block

SCALES = (4, 8, 16, 32)


def image_pyramid(images: torch.Tensor) -> list[torch.Tensor]:
    """Images ``(n, c, 32, 32)`` -> the same images at 4, 8, 16 and 32 pixels, by 2 x 2 average pooling."""
    check_images(images, "images")
    if images.shape[-2:] != (32, 32):
        raise ValueError(f"images must be (n, c, 32, 32), got {tuple(images.shape)}")
    pyramid = [images]
    while pyramid[0].shape[-1] > SCALES[0]:
        pyramid.insert(0, F.avg_pool2d(pyramid[0], 2))
    return pyramid


class MSGGenerator(nn.Module):
    """G: ``z (n, z_dim)`` -> a list of images, coarse to fine (4, 8, 16 and 32 pixels), in [-1, 1]."""

    def __init__(self, z_dim: int = 64, channels: int = 1, width: int = 32):
        super().__init__()
        self.z_dim = z_dim
        self.start = nn.Sequential(  # z as a 1x1 image -> (4w) x 4 x 4, as in the DCGAN generator
            nn.ConvTranspose2d(z_dim, 4 * width, kernel_size=4, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(4 * width), nn.ReLU(inplace=True))
        self.blocks = nn.ModuleList([upsample_block(4 * width, 2 * width), upsample_block(2 * width, width)])
        self.last = nn.ConvTranspose2d(width, channels, kernel_size=4, stride=2, padding=1)  # the 32 x 32 image
        self.to_image = nn.ModuleList([nn.Conv2d(c, channels, kernel_size=1) for c in (4 * width, 2 * width, width)])

    def forward(self, z: torch.Tensor) -> list[torch.Tensor]:
        if not isinstance(z, torch.Tensor) or z.dim() != 2 or z.shape[1] != self.z_dim:
            got = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(f"z must have shape (batch, {self.z_dim}), got {got}")
        features = self.start(z[:, :, None, None])
        images = [torch.tanh(self.to_image[0](features))]
        for block, to_image in zip(self.blocks, self.to_image[1:]):
            features = block(features)
            images.append(torch.tanh(to_image(features)))
        images.append(torch.tanh(self.last(features)))
        return images


class MSGDiscriminator(nn.Module):
    """D: a list of images, coarse to fine (4, 8, 16 and 32 pixels) -> one logit per sample ``(n,)``."""

    def __init__(self, channels: int = 1, width: int = 32):
        super().__init__()
        self.channels = channels
        extra = width // 2  # features made from each smaller image
        self.first = downsample_block(channels, width, batch_norm=False)  # 32 -> 16
        self.from_image = nn.ModuleList([nn.Conv2d(channels, extra, kernel_size=1) for _ in SCALES[:-1]])  # 16, 8, 4
        self.blocks = nn.ModuleList([downsample_block(width + extra, 2 * width),  # 16 -> 8
                                     downsample_block(2 * width + extra, 4 * width)])  # 8 -> 4
        self.last = nn.Conv2d(4 * width + extra, 1, kernel_size=4)  # 4 -> 1

    def forward(self, images: list[torch.Tensor]) -> torch.Tensor:
        if not isinstance(images, (list, tuple)) or len(images) != len(SCALES):
            raise ValueError(f"images must be a list of {len(SCALES)} batches ({SCALES} pixels, coarse to fine), "
                             f"got {type(images).__name__}{'' if not isinstance(images, (list, tuple)) else ' of ' + str(len(images))}")
        for x, size in zip(images, SCALES):
            check_images(x, f"the images of {size} pixels", channels=self.channels)
            if x.shape[-2:] != (size, size):
                raise ValueError(f"the images of {size} pixels must be (n, {self.channels}, {size}, {size}), got {tuple(x.shape)}")
        features = self.first(images[3])
        for block, from_image, image in zip(self.blocks, self.from_image[::-1], images[2:0:-1]):
            features = block(torch.cat([features, from_image(image)], dim=1))
        features = torch.cat([features, self.from_image[0](images[0])], dim=1)
        return self.last(features).flatten()
