"""Temporal consistency of clips, measured against ground truth we know for the synthetic worlds.

- :func:`identity_consistency`: does the object stay the same object? The share of frames on
  which the video feature network's per-frame classifier agrees with its majority vote.
- :func:`motion_statistics`: does it move like the real objects? From the ink's centre of mass
  per frame: mean speed (pixels per frame) and roughness (mean size of the change in velocity;
  real objects move in straight lines, so it is small, apart from bounces).
Both are for clips with one object on a dark background, like the course's moving digits.

And flicker against a reference's motion, each to its paper's released code by default, the
course's earlier convention by name (``convention="course"``):

- :func:`warping_error`: Lai et al. 2018 (``evaluate_WarpError.py``);
- :func:`tof`: Chu et al. 2020, TecoGAN (``metrics.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..checks import check_choice, check_finite, check_range, check_same_device, check_tensor, check_video


@torch.no_grad()
def identity_consistency(video: torch.Tensor, model=None) -> float:
    """Mean over clips ``(n, time, c, 32, 32)`` of the share of frames classified as the clip's majority class."""
    from .video import video_feature_net

    check_range(check_video(video, "video"), "video")
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
    check_video(video, "video", min_frames=3)  # two velocities to compare
    c = centroids(video)
    velocity = c[:, 1:] - c[:, :-1]
    acceleration = velocity[:, 1:] - velocity[:, :-1]
    return MotionStatistics(float(velocity.norm(dim=2).mean()), float(acceleration.norm(dim=2).mean()))


TECOGAN_SKIPPED_FRAMES = 2  # TecoGAN's metrics.py (cutfr): the first and last two frames are not scored
TECOGAN_FARNEBACK = (0.5, 3, 15, 3, 5, 1.2, 0)  # pyr_scale, levels, winsize, iterations, poly_n, poly_sigma, flags


def warping_error(video: torch.Tensor, flow: torch.Tensor, visible: torch.Tensor | None = None, *,
                  backward: torch.Tensor | None = None, convention: str = "lai") -> float:
    """Flicker against known motion: how far each frame is from the next one warped back by the flow.

    Args:
        video: clips ``(n, time, c, h, w)`` in [-1, 1] to score (a method's output).
        flow: ``(n, time - 1, 2, h, w)``, forward flow of each frame pair of the *input or reference*
            video (Lai et al. compute flow and occlusion once, on the input video, and score every
            output with them); exact where a world knows it, else estimated. Never the output's own.
        visible: ``(n, time - 1, 1, h, w)``, 1 where the flow can be trusted, e.g. a world's exact
            occlusion mask (Lai et al.'s mask also drops motion boundaries: multiply each pair's by
            ``1 - data.motion_boundary_mask(flow)`` to match it); or instead
        backward: ``(n, time - 1, 2, h, w)``, the reference's backward flow (frame ``t + 1`` to ``t``),
            from which the mask is :func:`vgan_course.data.occlusion_mask` (forward-backward check and
            motion boundaries, Lai et al.'s ``detect_occlusion``). Exactly one of the two is required:
            a warping error without a mask counts occlusions as flicker, even for the truth.
            ``visible=torch.ones(...)`` scores every pixel on purpose.
        convention: ``"lai"`` (default): Lai et al. 2018's ``evaluate_WarpError.py``: frames in [0, 1],
            per frame pair the *squared* error summed over visible pixels and channels, divided by
            (visible pixels x channels; all pixels if none is visible), averaged over the pairs of a
            clip, then over clips. (Their frames pass through 8-bit files; these are not quantised.)
            ``"course"``: the course's earlier number: mean *absolute* error on [-1, 1], channels
            averaged, pooled over all visible pixels of all pairs.

    A clip that moves exactly as the flow says scores (nearly) 0; a restyled clip whose style
    jumps from frame to frame scores high even when every frame alone looks right.
    """
    from ..data.flow import warp

    check_video(video, "video", min_frames=2)
    check_range(video, "video")
    check_choice(convention, "convention", ("lai", "course"))
    check_finite(check_tensor(flow, "flow"), "flow")
    check_same_device(("video", video), ("flow", flow))
    n, time, channels, height, width = video.shape
    if flow.shape != (n, time - 1, 2, height, width):
        raise ValueError(f"flow must be ({n}, {time - 1}, 2, {height}, {width}) for video {tuple(video.shape)}, "
                         f"got {tuple(flow.shape)}")
    video = video.float()
    flow = flow.to(video.device, video.dtype)
    visible = _visible_pixels(flow, visible, backward).to(video.device, video.dtype)
    a, b = video[:, :-1].flatten(0, 1), video[:, 1:].flatten(0, 1)
    difference = (warp(b, flow.flatten(0, 1)) - a).unflatten(0, (n, time - 1))  # (n, T-1, c, h, w)
    if convention == "lai":
        squared = (difference / 2 * visible).pow(2).sum(dim=(2, 3, 4))  # [0, 1] frames: half the [-1, 1] difference
        counted = visible.sum(dim=(2, 3, 4)) * channels
        counted = torch.where(counted > 0, counted, torch.full_like(counted, height * width * channels))
        return float((squared / counted).mean(dim=1).mean())
    error = difference.abs().mean(dim=2, keepdim=True)  # the course's convention
    return float((error * visible).sum() / visible.sum().clamp_min(1))


def _visible_pixels(flow: torch.Tensor, visible: torch.Tensor | None, backward: torch.Tensor | None) -> torch.Tensor:
    """The mask ``(n, T-1, 1, h, w)`` of :func:`warping_error`: given, or computed from the backward flow."""
    from ..data.flow import occlusion_mask

    pairs = tuple(flow.shape[:2])
    if (visible is None) == (backward is None):
        raise ValueError("warping_error needs to know where the flow can be trusted: pass exactly one of "
                         f"visible= (an occlusion mask {pairs + (1, *flow.shape[-2:])}) or backward= (the reference's "
                         "backward flow, shaped like flow, to compute one with data.occlusion_mask); "
                         f"got {'neither' if visible is None else 'both'}")
    if backward is not None:
        if backward.shape != flow.shape:
            raise ValueError(f"backward must have the shape of flow {tuple(flow.shape)}, got {tuple(backward.shape)}")
        check_finite(check_tensor(backward, "backward"), "backward")
        backward = backward.to(flow.device, flow.dtype)
        return occlusion_mask(flow.flatten(0, 1), backward.flatten(0, 1)).unflatten(0, pairs)
    check_range(check_tensor(visible, "visible", floating=False).float(), "visible", 0.0, 1.0)
    if visible.shape != (*pairs, 1, *flow.shape[-2:]):
        raise ValueError(f"visible must be {(*pairs, 1, *flow.shape[-2:])}, got {tuple(visible.shape)}")
    return visible


def tof(output: torch.Tensor, reference: torch.Tensor, *, convention: str = "tecogan") -> float:
    """tOF (Chu et al. 2020, TecoGAN): how differently from ``reference`` the ``output`` moves,
    ``|flow(output_t, output_{t+1}) - flow(ref_t, ref_{t+1})|`` per pixel, averaged.

    ``output`` and ``reference`` are clips ``(n, time, c, h, w)`` in [-1, 1] of one batch, length
    and size (channels may differ: flow is computed on grey). A clip that moves like the reference
    scores near 0, whatever its colours.

    Conventions:
        ``"tecogan"`` (default), TecoGAN's released ``metrics.py`` step by step: frames as 8-bit
        images, grey by OpenCV's ``cvtColor(COLOR_RGB2GRAY)`` (a 1-channel clip is its own grey);
        Farneback flow with their parameters (0.5, 3, 15, 3, 5, 1.2, 0); the first and last two
        frames of each clip skipped (pairs ``(t - 1, t)`` for ``t = 3 .. time - 3``, so at least 6
        frames); both flows cut by their ``crop_8x8`` (a centred multiple of 32 pixels with at least
        8 cut from each side: 48 x 48 frames or larger); the per-pixel Euclidean norm of the
        difference averaged over the crop, then over pairs and clips.
        ``"course"``: the course's earlier number: :func:`vgan_course.data.estimate_flow` (its own
        Farneback settings, grey = channel mean), every frame pair, the whole frame.
    """
    check_range(check_video(output, "output", min_frames=2), "output")
    check_range(check_video(reference, "reference", min_frames=2), "reference")
    if output.shape[:2] != reference.shape[:2] or output.shape[-2:] != reference.shape[-2:]:
        raise ValueError(f"output and reference must have the same batch, time and size, got "
                         f"{tuple(output.shape)} and {tuple(reference.shape)}")
    check_choice(convention, "convention", ("tecogan", "course"))
    return _tof_tecogan(output, reference) if convention == "tecogan" else _tof_course(output, reference)


def _tof_tecogan(output: torch.Tensor, reference: torch.Tensor) -> float:
    """:func:`tof` as TecoGAN's ``metrics.py`` computes it (see there)."""
    import cv2

    time, (height, width) = output.shape[1], output.shape[-2:]
    first = TECOGAN_SKIPPED_FRAMES + 1  # the first pair is (cut, cut + 1)
    if time < 2 * TECOGAN_SKIPPED_FRAMES + 2:
        raise ValueError(f"TecoGAN's tOF skips the first and last {TECOGAN_SKIPPED_FRAMES} frames of a clip and needs "
                         f"a pair between the rest: clips of at least {2 * TECOGAN_SKIPPED_FRAMES + 2} frames, got "
                         f"{time} (convention='course' scores every pair)")
    rows, cols = _tecogan_crop(height, width)
    out_grey, ref_grey = _tecogan_grey(output, "output"), _tecogan_grey(reference, "reference")
    per_pair = []
    for clip in range(len(out_grey)):
        for t in range(first, time - TECOGAN_SKIPPED_FRAMES):
            flow_ref = cv2.calcOpticalFlowFarneback(ref_grey[clip, t - 1], ref_grey[clip, t], None, *TECOGAN_FARNEBACK)
            flow_out = cv2.calcOpticalFlowFarneback(out_grey[clip, t - 1], out_grey[clip, t], None, *TECOGAN_FARNEBACK)
            difference = (flow_ref - flow_out)[rows, cols].astype(np.float64)  # (h', w', 2)
            per_pair.append(np.sqrt((difference ** 2).sum(axis=-1)).mean())
    return float(np.mean(per_pair))


def _tecogan_crop(height: int, width: int) -> tuple[slice, slice]:
    """TecoGAN's ``crop_8x8``: a centred window whose sides are multiples of 32, at least 8 pixels in from each edge."""
    def one_axis(size: int) -> slice:
        kept = size // 32 * 32
        while kept > size - 16:
            kept -= 32
        return slice((size - kept) // 2, (size - kept) // 2 + max(kept, 0))

    rows, cols = one_axis(height), one_axis(width)
    if rows.stop <= rows.start or cols.stop <= cols.start:
        raise ValueError(f"TecoGAN's tOF keeps a centred multiple of 32 pixels at least 8 in from each edge, which "
                         f"leaves nothing of {height} x {width} frames: it needs 48 x 48 or larger "
                         f"(convention='course' scores the whole frame)")
    return rows, cols


def _tecogan_grey(video: torch.Tensor, name: str) -> np.ndarray:
    """Clips ``(n, T, c, h, w)`` in [-1, 1] -> 8-bit grey ``(n, T, h, w)`` as TecoGAN reads its PNGs:
    rounded to 8 bits, then OpenCV's ``COLOR_RGB2GRAY`` (1-channel clips are their own grey)."""
    import cv2

    check_range(video, name)
    n, time, channels, height, width = video.shape
    frames = ((video.detach().double().cpu() + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)
    if channels == 1:
        return frames[:, :, 0].numpy()
    if channels != 3:
        raise ValueError(f"{name} must have 1 or 3 channels for tOF, got {channels}")
    rgb = frames.flatten(0, 1).permute(0, 2, 3, 1).numpy()  # (n * T, h, w, 3)
    grey = [cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2GRAY) for frame in rgb]
    return np.stack(grey).reshape(n, time, height, width)


def _tof_course(output: torch.Tensor, reference: torch.Tensor) -> float:
    """:func:`tof` with ``convention="course"`` (see there)."""
    from ..data.flow import estimate_flow

    def flows(video: torch.Tensor) -> torch.Tensor:
        return estimate_flow(video[:, :-1].flatten(0, 1), video[:, 1:].flatten(0, 1))

    return float((flows(output) - flows(reference)).norm(dim=1).mean())
