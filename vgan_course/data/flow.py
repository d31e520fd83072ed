"""Optical flow helpers: warping a frame by a flow field (differentiable, via ``grid_sample``)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..checks import check_images


def warp(frame: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """Backward-warp ``frame`` by ``flow``: ``out(x, y) = frame(x + dx, y + dy)``.

    With ``frame`` = frame ``t + 1`` and ``flow`` = the forward flow from ``t`` to ``t + 1``,
    the result is frame ``t + 1`` pulled back onto frame ``t``'s pixels: where the flow is
    right (and nothing is occluded) it reproduces frame ``t``.

    Args:
        frame: ``(n, c, h, w)``.
        flow: ``(n, 2, h, w)`` in pixels, channel 0 = dx, channel 1 = dy.

    Returns:
        ``(n, c, h, w)``; points sampled from outside the frame read as the edge value.
    """
    check_images(frame, "frame")
    check_images(flow, "flow", channels=2)
    if flow.shape[0] != frame.shape[0] or flow.shape[-2:] != frame.shape[-2:]:
        raise ValueError(f"flow must have shape ({frame.shape[0]}, 2, {frame.shape[2]}, {frame.shape[3]}), got {tuple(flow.shape)}")
    n, _, h, w = frame.shape
    ys, xs = torch.meshgrid(torch.arange(h, device=frame.device, dtype=frame.dtype) + 0.5,
                            torch.arange(w, device=frame.device, dtype=frame.dtype) + 0.5, indexing="ij")
    grid_x = (xs + flow[:, 0]) * (2 / w) - 1  # pixel centres -> [-1, 1] (align_corners=False)
    grid_y = (ys + flow[:, 1]) * (2 / h) - 1
    return F.grid_sample(frame, torch.stack([grid_x, grid_y], dim=-1), mode="bilinear",
                         padding_mode="border", align_corners=False)
