"""Digit images from scikit-learn's bundled 8x8 digits (1,797 images, shipped in the wheel)."""

from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn.functional as F

from ..checks import check_positive_int

_HELD_OUT = 297  # digits kept out of the "train" split, so classifiers can be tested honestly


@lru_cache(maxsize=8)
def _sprites_cpu(size: int) -> tuple[torch.Tensor, torch.Tensor]:
    from sklearn.datasets import load_digits  # bundled with scikit-learn: no download

    digits = load_digits()
    small = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0  # (N, 1, 8, 8)
    big = F.interpolate(small, size=(size, size), mode="bicubic", align_corners=False)
    return big.clamp(0, 1), torch.tensor(digits.target, dtype=torch.long)


def _split_indices(n: int, split: str) -> torch.Tensor:
    order = torch.randperm(n, generator=torch.Generator().manual_seed(1797))  # fixed, seed-independent
    if split == "all":
        return torch.arange(n)
    if split == "train":
        return order[:-_HELD_OUT].sort().values
    if split == "test":
        return order[-_HELD_OUT:].sort().values
    raise ValueError(f"split must be 'train', 'test' or 'all', got {split!r}")


def digit_sprites(size: int = 16, split: str = "all", device: torch.device | str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """The bundled digits upsampled to ``size x size``, ink in [0, 1] on a 0 background.

    Returns:
        sprites: ``(n, 1, size, size)`` in [0, 1] (the form moving clips paste onto a canvas).
        labels: ``(n,)`` digit classes 0-9.
    """
    check_positive_int(size, "size", minimum=8)
    sprites, labels = _sprites_cpu(size)
    index = _split_indices(len(labels), split)
    return sprites[index].to(device), labels[index].to(device)


def digit_images(size: int = 32, split: str = "all", device: torch.device | str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """Centred digit images for image GANs and classifiers, in the course's [-1, 1] range.

    The digit fills the central three quarters of the frame (like MNIST's 20 of 28 pixels).

    Returns:
        images: ``(n, 1, size, size)`` in [-1, 1], background -1.
        labels: ``(n,)`` digit classes 0-9.
    """
    check_positive_int(size, "size", minimum=8)
    inner = round(size * 0.75)
    sprites, labels = digit_sprites(inner, split, device)
    left = (size - inner) // 2
    images = F.pad(sprites, (left, size - inner - left, left, size - inner - left))
    return images * 2 - 1, labels
