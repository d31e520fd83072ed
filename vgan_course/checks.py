"""Validation at the package's public boundaries: clear ``ValueError``s, never silent surprises.

Every public function that takes images or clips calls one of these first, so a wrong shape
fails at once with a message naming the expected and the received shape.
"""

from __future__ import annotations

import torch


def check_images(x: torch.Tensor, name: str = "images", channels: int | None = None) -> torch.Tensor:
    """Require a batch of images ``(batch, channels, height, width)``; returns ``x``."""
    _check_tensor(x, name)
    expected = f"(batch, {channels if channels else 'channels'}, height, width)"
    if x.dim() != 4 or (channels is not None and x.shape[1] != channels):
        raise ValueError(f"{name} must have shape {expected}, got {tuple(x.shape)}")
    return x


def check_video(x: torch.Tensor, name: str = "video", channels: int | None = None) -> torch.Tensor:
    """Require a batch of clips ``(batch, time, channels, height, width)``; returns ``x``."""
    _check_tensor(x, name)
    expected = f"(batch, time, {channels if channels else 'channels'}, height, width)"
    if x.dim() != 5 or (channels is not None and x.shape[2] != channels):
        hint = " (a single clip? add a batch dimension with x[None])" if x.dim() == 4 else ""
        raise ValueError(f"{name} must have shape {expected}, got {tuple(x.shape)}{hint}")
    return x


def check_range(x: torch.Tensor, name: str, low: float = -1.0, high: float = 1.0, tol: float = 1e-3) -> torch.Tensor:
    """Require all values of ``x`` in ``[low, high]`` (course tensors live in [-1, 1])."""
    if x.numel() and (x.min() < low - tol or x.max() > high + tol):
        raise ValueError(
            f"{name} must lie in [{low:g}, {high:g}], got values in "
            f"[{x.min().item():.3g}, {x.max().item():.3g}] (images in [0, 1]? use x * 2 - 1)"
        )
    return x


def check_positive_int(value: int, name: str, minimum: int = 1) -> int:
    """Require an integer ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def _check_tensor(x: object, name: str) -> None:
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise ValueError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
