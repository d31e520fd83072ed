"""A synthetic world drawn in two styles, for video style transfer (lesson 04).

The same moving-digit clip is rendered twice:

- **domain A** (``plain``): a grey digit on black, as RGB;
- **domain B** (``styled``): the digit filled with warm stripes that move with it, a dark outline,
  over a static pattern of blue diagonal stripes.

A style-transfer model trains on *unpaired* clips of each domain. The paired rendering (the
``styled`` version of exactly the ``plain`` clip) is the hidden truth, used to evaluate only.
The exact optical flow and the occlusion mask come with every clip, so a temporal loss can be
computed with perfect flow first, and estimated flow later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .moving import moving_digits

FILL_DARK, FILL_LIGHT = (1.0, 0.45, 0.05), (1.0, 0.85, 0.25)  # the digit's stripes (RGB in [0, 1])
OUTLINE = (0.08, 0.02, 0.0)
BACKGROUND_DARK, BACKGROUND_LIGHT = (0.05, 0.10, 0.30), (0.12, 0.25, 0.55)


@dataclass
class StyledClips:
    """One batch of the two-style world.

    Attributes:
        plain: ``(batch, time, 3, h, w)`` in [-1, 1], domain A.
        styled: ``(batch, time, 3, h, w)`` in [-1, 1], domain B: the hidden paired truth of ``plain``.
        flow: ``(batch, time - 1, 2, h, w)`` exact forward flow in pixels (``data.warp``'s convention),
            the digit's displacement on its footprint (fill and outline), zero on the background.
        visible: ``(batch, time - 1, 1, h, w)``: 1 where the pixel of frame ``t`` is still visible in
            frame ``t + 1``, 0 where the digit covers it then (occluded).
        labels: ``(batch,)`` the digit of each clip.
    """

    plain: torch.Tensor
    styled: torch.Tensor
    flow: torch.Tensor
    visible: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return self.plain.shape[0]


def two_style_clips(batch_size: int, n_frames: int = 16, size: int = 32, *, split: str = "train",
                    generator: torch.Generator | None = None, device: torch.device | str | None = None) -> StyledClips:
    """Moving digits drawn plainly and in style B, with exact flow and occlusion (see module doc)."""
    clips = moving_digits(batch_size, n_frames, size, 1, speed=(size / 32, 2.5 * size / 32), split=split,
                          generator=generator, device=device)
    ink = (clips.video + 1) / 2  # (B, T, 1, H, W) in [0, 1]
    centre = clips.positions[:, :, 0]  # (B, T, 2): the digit's position, (x, y) in pixels
    footprint = (F.max_pool2d(ink.flatten(0, 1), 3, 1, 1).unflatten(0, ink.shape[:2]) > 0.05).float()
    displacement = centre[:, 1:] - centre[:, :-1]  # (B, T-1, 2)
    flow = displacement[..., None, None] * footprint[:, :-1]  # (B, T-1, 2, H, W)
    visible = 1 - (1 - footprint[:, :-1]) * footprint[:, 1:]  # background at t, covered at t+1: occluded
    return StyledClips(plain=clips.video.expand(-1, -1, 3, -1, -1).contiguous(), styled=stylise(ink, centre),
                       flow=flow, visible=visible, labels=clips.labels[:, 0])


def stylise(ink: torch.Tensor, centre: torch.Tensor) -> torch.Tensor:
    """Style B of ink ``(B, T, 1, H, W)`` in [0, 1] whose object sits at ``centre (B, T, 2)`` -> RGB in [-1, 1].

    The stripes are computed in the object's own coordinates (pixel minus centre), so they move
    exactly with it; the outline is the ink's 3 x 3 dilation minus the ink; the background is static.
    """
    B, T, _, H, W = ink.shape
    period = H / 6
    ys, xs = torch.meshgrid(torch.arange(H, device=ink.device, dtype=ink.dtype) + 0.5,
                            torch.arange(W, device=ink.device, dtype=ink.dtype) + 0.5, indexing="ij")
    u = (xs - centre[..., 0, None, None]) + (ys - centre[..., 1, None, None])  # (B, T, H, W), object coordinates
    stripes = (0.5 + 0.5 * torch.sin(2 * math.pi * u / period))[:, :, None]  # (B, T, 1, H, W)
    fill = _mix(FILL_DARK, FILL_LIGHT, stripes)
    background = _mix(BACKGROUND_DARK, BACKGROUND_LIGHT, (0.5 + 0.5 * torch.sin(2 * math.pi * (xs - ys) / (H / 4)))[None, None, None])
    dilated = F.max_pool2d(ink.flatten(0, 1), 3, 1, 1).unflatten(0, (B, T))
    outline = (dilated - ink).clamp(0, 1)
    colour = torch.tensor(OUTLINE, device=ink.device, dtype=ink.dtype).view(1, 1, 3, 1, 1)
    out = background.expand(B, T, 3, H, W)
    out = out + (colour - out) * outline
    out = out + (fill - out) * ink
    return out * 2 - 1


def _mix(dark: tuple, light: tuple, t: torch.Tensor) -> torch.Tensor:
    """Blend two RGB colours by ``t (..., 1, H, W)`` in [0, 1] -> ``(..., 3, H, W)``."""
    a = torch.tensor(dark, device=t.device, dtype=t.dtype).view(3, 1, 1)
    b = torch.tensor(light, device=t.device, dtype=t.dtype).view(3, 1, 1)
    return a + (b - a) * t


def unpaired_style_clips(batch: int, size: int = 32, generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """One training batch for lesson 04: independent 3-frame clips of each domain, with their exact
    flow and occlusion masks (what a style-transfer step sees; nothing pairs the A and B clips).

    Returns ``a, b (batch, 3, 3, size, size)``, ``flow_a, flow_b (batch, 2, 2, size, size)`` and
    ``visible_a, visible_b (batch, 2, 1, size, size)``. The B clips show other digits on other paths,
    with B's own exact flow (the same world, drawn in style B).
    """
    first = two_style_clips(batch, 3, size, generator=generator)
    second = two_style_clips(batch, 3, size, generator=generator)
    return {"a": first.plain, "flow_a": first.flow, "visible_a": first.visible,
            "b": second.styled, "flow_b": second.flow, "visible_b": second.visible}
