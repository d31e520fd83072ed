"""Optical flow helpers: warping a frame by a flow field (differentiable, via ``grid_sample``),
estimating the flow of real footage (OpenCV's Farneback method) and the occlusion mask of a flow."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ..checks import check_finite, check_images, check_positive, check_positive_int, check_range, check_same_device


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
    check_same_device(("frame", frame), ("flow", flow))
    check_finite(flow, "flow")  # a NaN flow would sample the border and look like a number
    return _warp(frame, flow)


def _warp(frame: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """:func:`warp` without its checks, for callers that checked their input once (no sync per frame)."""
    n, _, h, w = frame.shape
    ys, xs = torch.meshgrid(torch.arange(h, device=frame.device, dtype=frame.dtype) + 0.5,
                            torch.arange(w, device=frame.device, dtype=frame.dtype) + 0.5, indexing="ij")
    grid_x = (xs + flow[:, 0]) * (2 / w) - 1  # pixel centres -> [-1, 1] (align_corners=False)
    grid_y = (ys + flow[:, 1]) * (2 / h) - 1
    return F.grid_sample(frame, torch.stack([grid_x, grid_y], dim=-1), mode="bilinear",
                         padding_mode="border", align_corners=False)


def estimate_flow(frame_a: torch.Tensor, frame_b: torch.Tensor, *, levels: int = 3, window: int = 15,
                  iterations: int = 5) -> torch.Tensor:
    """Estimate the forward optical flow from ``frame_a`` to ``frame_b`` with OpenCV's Farneback method.

    For real footage, where no flow is known. The result follows :func:`warp`'s convention:
    ``warp(frame_b, flow)`` reproduces ``frame_a`` where nothing is occluded.

    Args:
        frame_a, frame_b: ``(n, c, h, w)`` in [-1, 1] (colour is turned into grey).
        levels: pyramid levels (coarse-to-fine; more follow larger motions);
        window: averaging window in pixels (larger: smoother, more robust, less detail);
        iterations: refinements per level.

    Returns:
        ``(n, 2, h, w)`` in pixels, channel 0 = dx, channel 1 = dy, on ``frame_a``'s device.
        Not differentiable: it is data, like the exact flow of the synthetic clips.
    """
    import cv2

    check_range(check_images(frame_a, "frame_a"), "frame_a")
    check_range(check_images(frame_b, "frame_b"), "frame_b")
    for value, name in ((levels, "levels"), (window, "window"), (iterations, "iterations")):
        check_positive_int(value, name)
    if frame_a.shape != frame_b.shape:
        raise ValueError(f"frame_a and frame_b must have the same shape, got {tuple(frame_a.shape)} and {tuple(frame_b.shape)}")
    to_grey = lambda x: ((x.detach().float().mean(dim=1) + 1) * 127.5).clamp(0, 255).round().byte().cpu().numpy()
    a, b = to_grey(frame_a), to_grey(frame_b)
    flows = [cv2.calcOpticalFlowFarneback(a[i], b[i], None, 0.5, levels, window, iterations, 5, 1.1, 0)
             for i in range(len(a))]  # each (h, w, 2)
    return torch.from_numpy(np.stack(flows)).permute(0, 3, 1, 2).to(frame_a.device)


def occlusion_mask(forward: torch.Tensor, backward: torch.Tensor, *, motion_boundaries: bool = True) -> torch.Tensor:
    """Where the forward flow can be trusted: the occlusion mask of Ruder et al. (2016).

    Follow the forward flow ``w`` from pixel ``x`` of frame ``t`` to frame ``t + 1`` and the backward
    flow ``w_b`` from there back: where ``x`` is visible in both frames the two cancel. A pixel is
    marked occluded (0) where the two disagree,

        |w + w_b(x + w)|^2 > 0.01 (|w|^2 + |w_b(x + w)|^2) + 0.5,

    or, with ``motion_boundaries`` (the default, as Ruder et al. and Lai et al.'s released
    ``detect_occlusion``), where it lies on a motion boundary (:func:`motion_boundary_mask`), where
    a warp blends two objects. ``motion_boundaries=False`` is the check alone (the course's mask
    before it followed the papers).

    Args:
        forward: ``(n, 2, h, w)``, flow from frame ``t`` to ``t + 1``.
        backward: ``(n, 2, h, w)``, flow from frame ``t + 1`` to ``t``.

    Returns:
        ``(n, 1, h, w)``: 1 where the pixel is seen in both frames, 0 where it is occluded, the flow
        disagrees with itself or (with ``motion_boundaries``) jumps. Multiply a temporal loss by it.
    """
    check_images(forward, "forward", channels=2)
    check_images(backward, "backward", channels=2)
    check_same_device(("forward", forward), ("backward", backward))
    check_finite(forward, "forward")
    check_finite(backward, "backward")
    if forward.shape != backward.shape:
        raise ValueError(f"forward and backward flows must have the same shape, got {tuple(forward.shape)} and {tuple(backward.shape)}")
    back = _warp(backward, forward)  # w_b at x + w (both checked above)
    mismatch = (forward + back).pow(2).sum(dim=1, keepdim=True)
    scale = forward.pow(2).sum(dim=1, keepdim=True) + back.pow(2).sum(dim=1, keepdim=True)
    visible = mismatch <= 0.01 * scale + 0.5
    if motion_boundaries:
        visible = visible & (motion_boundary_mask(forward) == 0)
    return visible.to(forward.dtype)


def motion_boundary_mask(flow: torch.Tensor) -> torch.Tensor:
    """Motion boundaries of a flow ``(n, 2, h, w)`` (Ruder et al. 2016): 1 where

        |grad u|^2 + |grad v|^2 > 0.01 |w|^2 + 0.002,

    with ``w = (u, v)`` and the gradients as forward differences (``f(x) - f(x + 1)`` along each
    axis, 0 on the last column and row), as in Lai et al.'s released ``compute_flow_gradients``.
    Returns ``(n, 1, h, w)`` of 0/1.
    """
    check_finite(check_images(flow, "flow", channels=2), "flow")
    along_x = torch.zeros_like(flow)
    along_y = torch.zeros_like(flow)
    along_x[..., :, :-1] = flow[..., :, :-1] - flow[..., :, 1:]
    along_y[..., :-1, :] = flow[..., :-1, :] - flow[..., 1:, :]
    gradient = (along_x ** 2 + along_y ** 2).sum(dim=1, keepdim=True)  # |grad u|^2 + |grad v|^2
    return (gradient > 0.01 * flow.pow(2).sum(dim=1, keepdim=True) + 0.002).to(flow.dtype)


def texture_mask(frames: torch.Tensor, threshold: float = 1e-3, window: int = 5) -> torch.Tensor:
    """Where a flow *can* be measured: 1 where ``frames (n, c, h, w)`` in [-1, 1] have structure, 0 on flat areas.

    The aperture problem: on a flat region (the black background of a plain digit, a clear sky)
    every motion looks the same, so an estimated flow there is invented, filled in from the
    neighbours. A pixel counts as textured where the mean squared grey-level gradient over a
    ``window`` x ``window`` neighbourhood exceeds ``threshold``. Returns ``(n, 1, h, w)`` of 0/1.
    """
    check_range(check_images(frames, "frames"), "frames")
    check_positive(threshold, "threshold")
    if isinstance(window, bool) or not isinstance(window, int) or window < 1 or window % 2 == 0:
        raise ValueError(f"window must be an odd integer >= 1 (centred on each pixel), got {window!r}")
    grey = frames.detach().float().mean(dim=1, keepdim=True)
    dx = F.pad(grey[..., :, 2:] - grey[..., :, :-2], (1, 1)) / 2  # central differences, 0 at the border
    dy = F.pad(grey[..., 2:, :] - grey[..., :-2, :], (0, 0, 1, 1)) / 2
    energy = F.avg_pool2d(dx ** 2 + dy ** 2, window, stride=1, padding=window // 2, count_include_pad=False)
    return (energy > threshold).to(frames.dtype)
