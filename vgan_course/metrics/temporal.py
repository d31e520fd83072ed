"""Temporal consistency of clips, measured against ground truth we know for the synthetic worlds.

- :func:`identity_consistency`: does the object stay the same object? The share of frames on
  which the video feature network's per-frame classifier agrees with its majority vote.
- :func:`motion_statistics`: does it move like the real objects? From the ink's centre of mass
  per frame: mean speed (pixels per frame) and roughness (mean size of the change in velocity;
  real objects move in straight lines, so it is small, apart from bounces).
Both are for clips with one object on a dark background, like the course's moving digits.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..checks import check_range, check_video


@torch.no_grad()
def identity_consistency(video: torch.Tensor, model=None) -> float:
    """Mean over clips ``(n, time, c, 32, 32)`` of the share of frames classified as the clip's majority class."""
    from .video import video_feature_net

    check_video(video, "video")
    model = video_feature_net() if model is None else model
    predictions = []
    for start in range(0, len(video), 128):
        predictions.append(model(video[start: start + 128].float().cpu())["frame_logits"].argmax(dim=2))
    labels = torch.cat(predictions)  # (n, time)
    majority = labels.mode(dim=1).values  # (n,)
    return float((labels == majority[:, None]).float().mean())


def centroids(video: torch.Tensor) -> torch.Tensor:
    """Centre of mass of the bright pixels of each frame, ``(n, time, 2)`` as ``(x, y)`` in pixels.

    The weight of a pixel is its brightness above the background (-1), summed over channels.
    """
    check_video(video, "video")
    check_range(video, "video")
    weight = (video.float() + 1).sum(dim=2)  # (n, time, h, w)
    height, width = weight.shape[-2:]
    ys = torch.arange(height, dtype=weight.dtype, device=weight.device) + 0.5
    xs = torch.arange(width, dtype=weight.dtype, device=weight.device) + 0.5
    total = weight.sum(dim=(2, 3)).clamp_min(1e-6)
    x = (weight.sum(dim=2) * xs).sum(dim=2) / total
    y = (weight.sum(dim=3) * ys).sum(dim=2) / total
    return torch.stack([x, y], dim=2)


@dataclass
class MotionStatistics:
    """How the ink's centre of mass moves, averaged over clips and frames."""

    speed: float  # mean |c_{t+1} - c_t|, pixels per frame
    roughness: float  # mean |c_{t+1} - 2 c_t + c_{t-1}|: change of velocity, pixels per frame^2


def motion_statistics(video: torch.Tensor) -> MotionStatistics:
    """Speed and roughness of the motion in clips ``(n, time, c, h, w)`` (at least 3 frames)."""
    if video.dim() == 5 and video.shape[1] < 3:
        raise ValueError(f"motion statistics need at least 3 frames, got shape {tuple(video.shape)}")
    c = centroids(video)
    velocity = c[:, 1:] - c[:, :-1]
    acceleration = velocity[:, 1:] - velocity[:, :-1]
    return MotionStatistics(float(velocity.norm(dim=2).mean()), float(acceleration.norm(dim=2).mean()))


def warping_error(video: torch.Tensor, flow: torch.Tensor, visible: torch.Tensor | None = None) -> float:
    """Flicker against known motion: mean ``|x_t - warp(x_{t+1}, flow_t)|`` over visible pixels.

    Args:
        video: clips ``(n, time, c, h, w)``.
        flow: ``(n, time - 1, 2, h, w)``, forward flow of each frame pair (exact or estimated).
        visible: ``(n, time - 1, 1, h, w)`` occlusion mask (1 = visible in both frames); all ones if ``None``.

    A clip that moves exactly as the flow says scores (nearly) 0; a restyled clip whose style
    jumps from frame to frame scores high even when every frame alone looks right.
    """
    from ..data.flow import warp

    check_video(video, "video")
    n, time = video.shape[:2]
    if flow.shape != (n, time - 1, 2, *video.shape[-2:]):
        raise ValueError(f"flow must be ({n}, {time - 1}, 2, h, w) for video {tuple(video.shape)}, got {tuple(flow.shape)}")
    visible = torch.ones_like(flow[:, :, :1]) if visible is None else visible
    if visible.shape != (n, time - 1, 1, *video.shape[-2:]):
        raise ValueError(f"visible must be ({n}, {time - 1}, 1, h, w), got {tuple(visible.shape)}")
    a, b = video[:, :-1].flatten(0, 1), video[:, 1:].flatten(0, 1)
    error = (warp(b, flow.flatten(0, 1)) - a).abs().mean(dim=1, keepdim=True)  # (n * (T-1), 1, h, w)
    mask = visible.flatten(0, 1)
    return float((error * mask).sum() / mask.sum().clamp_min(1))


def tof(output: torch.Tensor, reference: torch.Tensor) -> float:
    """tOF (Chu et al. 2020, TecoGAN): mean ``|flow(output_t, output_{t+1}) - flow(ref_t, ref_{t+1})|``.

    Both flows are estimated the same way (:func:`vgan_course.data.estimate_flow`), so a clip that
    moves like the reference scores near 0, whatever its colours. ``output`` and ``reference`` are
    clips ``(n, time, c, h, w)`` of one size (channels may differ: flow is computed on grey).
    """
    from ..data.flow import estimate_flow

    check_video(output, "output")
    check_video(reference, "reference")
    if output.shape[:2] != reference.shape[:2] or output.shape[-2:] != reference.shape[-2:]:
        raise ValueError(f"output and reference must have the same batch, time and size, got "
                         f"{tuple(output.shape)} and {tuple(reference.shape)}")

    def flows(video: torch.Tensor) -> torch.Tensor:
        return estimate_flow(video[:, :-1].flatten(0, 1), video[:, 1:].flatten(0, 1))

    return float((flows(output) - flows(reference)).norm(dim=1).mean())
